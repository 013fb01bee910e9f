"""The nightly purge of what an erasure kept, once each duty has ended (dates given), and the
report versions' trigger: the purge's exception is narrow, everything else still refused."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clients import services as client_services
from firms.tenancy import firm_scope
from invoicing.models import Invoice
from mandates import services as mandate_services
from mandates.models import Mandate
from privacy.models import RetainedRow
from privacy.person_actions import erase_person
from privacy.persons import parse_query
from privacy.purge import PURGING_REPORTS_SETTING, purge_retained_rows
from privacy.retention import add_years
from privacy.tasks import purge_retained_rows_task
from reports.models import SynthesisReport
from tests import factories
from tests.invoicing.conftest import complete_seller, line, make_issued
from tests.mandates.conftest import minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Lucie Vernet-Aubry"
EMAIL = "lucie@vernet.test"
TODAY = datetime.date.today()


def stored_report(firm, client, number: int, age_days: int) -> SynthesisReport:
    """A report version generated ``age_days`` ago, naming the person in its snapshot."""
    report = SynthesisReport(
        firm=firm,
        client=client,
        number=number,
        created_at=timezone.now() - datetime.timedelta(days=age_days),
        sha256="0" * 64,
        size=15,
        snapshot={"client": {"contact_name": NAME, "contact_email": EMAIL}},
    )
    report.document.save(f"rapport-{number}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.save()
    return report


@pytest.fixture
def kept(firm_a):
    """Lucie erased from firm A: an old and a recent report version, an issued invoice and a
    signed mandate kept."""
    firm, by = complete_seller(firm_a.firm), firm_a.admin.user
    client = factories.make_client(
        firm,
        company_name="Atelier Vernet",
        address="1 place Bellecour",
        postal_code="69002",
        city="Lyon",
        contact_name=NAME,
        contact_email=EMAIL,
        billing_emails=[EMAIL],
        signer_civility="Mme",
        signer_first_name="Lucie",
        signer_last_name="Vernet-Aubry",
        signer_email=EMAIL,
        signer_mobile="+33639980456",
    )
    with firm_scope(firm):
        old = stored_report(firm, client, 1, age_days=5 * 366 + 2)
        recent = stored_report(firm, client, 2, age_days=30)
        mandate = mandate_services.generate_mandate(firm=firm, client=client, by=by)
        mandate = mandate_services.record_signature(
            firm=firm, mandate=mandate, content=minimal_pdf(), signed_on=TODAY, by=by
        )
    invoice = make_issued(firm_a, client, line())
    with firm_scope(firm):
        erase_person(firm=firm, query=parse_query(NAME, ""), confirmation=NAME, by=by)
    return {
        "firm": firm,
        "client": client,
        "old": old,
        "recent": recent,
        "mandate": mandate,
        "invoice": invoice,
        "by": by,
    }


def open_rows(firm) -> set[tuple[str, int]]:
    with firm_scope(firm):
        return set(
            RetainedRow.objects.for_firm(firm)
            .filter(purged_at__isnull=True)
            .values_list("table", "object_id")
        )


def exists(model, firm, pk) -> bool:
    with firm_scope(firm):
        return model.objects.for_firm(firm).filter(pk=pk).exists()


def test_each_kept_row_goes_the_day_after_its_duty_ends(kept):
    firm, invoice, mandate = kept["firm"], kept["invoice"], kept["mandate"]
    assert open_rows(firm) == {
        ("reports.synthesisreport", kept["old"].pk),
        ("reports.synthesisreport", kept["recent"].pk),
        ("invoicing.invoice", invoice.pk),
        ("mandates.mandate", mandate.pk),
    }
    mandate_files = [mandate.document.name, mandate.signed_document.name]

    # Tonight: only the version generated more than five years ago goes, with its file.
    first = purge_retained_rows(today=TODAY)
    assert (first.purged, first.waiting, first.failed) == (1, 3, 0)
    assert not exists(SynthesisReport, firm, kept["old"].pk)
    assert not default_storage.exists(kept["old"].document.name)
    assert exists(SynthesisReport, firm, kept["recent"].pk)
    # Again the same night: nothing more.
    again = purge_retained_rows(today=TODAY)
    assert (again.purged, again.waiting, again.failed) == (0, 3, 0)

    # The last day of the invoice's duty it is still there; the day after it goes, with its
    # lines and PDF. The mandate waits: its client is still active.
    last_day = datetime.date(invoice.issue_date.year + 10, 12, 31)
    purge_retained_rows(today=last_day)
    assert exists(Invoice, firm, invoice.pk)
    later = purge_retained_rows(today=last_day + datetime.timedelta(days=1))
    assert later.purged == 1
    assert not exists(Invoice, firm, invoice.pk)
    assert not default_storage.exists(invoice.pdf.name)
    assert exists(Mandate, firm, mandate.pk)

    # The client archived: the relationship ended today, the mandate goes five years later.
    with firm_scope(firm):
        client_services.archive_client(firm=firm, client=kept["client"], by=kept["by"])
    purge_retained_rows(today=TODAY)
    with firm_scope(firm):
        row = RetainedRow.objects.for_firm(firm).get(table="mandates.mandate")
    assert row.until == add_years(TODAY, 5)
    assert exists(Mandate, firm, mandate.pk)
    purge_retained_rows(today=row.until + datetime.timedelta(days=1))
    assert not exists(Mandate, firm, mandate.pk)
    assert not any(default_storage.exists(name) for name in mandate_files)


@pytest.mark.postgres
def test_the_trigger_refuses_a_recent_version_even_when_the_purge_asks(kept, caplog):
    """The database checks the duty itself: a purge told the wrong day cannot delete a version
    generated less than five years ago."""
    firm, recent = kept["firm"], kept["recent"]
    if connection.vendor != "postgresql":
        pytest.skip("the trigger lives in PostgreSQL")
    far = TODAY + datetime.timedelta(days=6 * 366)
    outcome = purge_retained_rows(today=far)
    assert outcome.failed == 1  # the recent version, refused by the trigger
    assert f"synthesis report {recent.pk} is immutable: DELETE refused" in caplog.text
    assert exists(SynthesisReport, firm, recent.pk)
    assert default_storage.exists(recent.document.name)


def raw(firm, sql: str, params=(), setting: str | None = None) -> None:
    with firm_scope(firm), transaction.atomic(), connection.cursor() as cursor:
        if setting is not None:
            cursor.execute("SELECT set_config(%s, %s, true)", [PURGING_REPORTS_SETTING, setting])
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_the_report_trigger_still_refuses_everything_else(firm_a, firm_b):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger lives in PostgreSQL")
    firm = firm_a.firm
    client = factories.make_client(firm)
    with firm_scope(firm):
        old = stored_report(firm, client, 1, age_days=5 * 366 + 2)
        recent = stored_report(firm, client, 2, age_days=10)
    delete = "DELETE FROM reports_synthesisreport WHERE id = %s"
    update = "UPDATE reports_synthesisreport SET sha256 = 'x' WHERE id = %s"
    refused = [
        (delete, old.pk, None),  # no setting
        (delete, old.pk, str(firm_b.firm.pk)),  # another firm named
        (delete, old.pk, ""),
        (delete, recent.pk, str(firm.pk)),  # duty not ended
        (update, old.pk, str(firm.pk)),  # never an update
        (update, recent.pk, str(firm.pk)),
    ]
    for sql, pk, setting in refused:
        with pytest.raises(DatabaseError, match="immutable"):
            raw(firm, sql, [pk], setting)
        assert exists(SynthesisReport, firm, pk)
    # The one exception: this firm named, a version past its five years.
    raw(firm, delete, [old.pk], str(firm.pk))
    assert not exists(SynthesisReport, firm, old.pk)
    assert exists(SynthesisReport, firm, recent.pk)


def test_the_purge_command_prints_its_counts_and_refuses_a_bad_date(kept):
    out = io.StringIO()
    call_command("purge_retained_data", "--today", TODAY.isoformat(), stdout=out)
    assert json.loads(out.getvalue()) == {"purged": 1, "waiting": 3, "failed": 0}
    with pytest.raises(CommandError) as refused:
        call_command("purge_retained_data", "--today", "31/12/2036")
    assert refused.value.returncode == 2


def test_celery_beat_runs_the_purge_every_night(kept):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-retained-data-purge"]
    assert entry["task"] == purge_retained_rows_task.name
    assert entry["schedule"].hour == {4}
    assert purge_retained_rows_task.run() == {"purged": 1, "waiting": 3, "failed": 0}
