"""A natural person's data: found everywhere they appear, exported, erased or anonymised except
what a legal duty keeps; another firm's namesake untouched; only administrators."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from clients import services as client_services
from clients.models import Client
from firms.tenancy import firm_scope
from invoicing.models import Invoice
from mandates import services as mandate_services
from mandates.models import MandateKind
from outbox.models import OutboxMessage
from outbox.services import enqueue_email
from privacy.models import PersonAction, RetainedRow
from privacy.tables import firm_tables
from reports.models import SynthesisReport
from reports.services import generate_report
from tests import factories
from tests.invoicing.conftest import complete_seller, line, make_draft, make_issued
from tests.mandates.conftest import minimal_pdf
from tests.test_translations import french_left

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Jeanne Dupuis-Ferrand"
EMAIL = "jeanne.dupuis@ferrand.test"
MOBILE = "+33639980123"
PHONE = "04 78 39 98 12"
# Every way the person is written in the firm's data (the last name alone in the history).
NEEDLES = (NAME, "Dupuis-Ferrand", EMAIL, MOBILE, PHONE)
PERSON = {"nom": NAME, "email": ""}


@pytest.fixture
def person(firm_a, firm_b):
    """Jeanne, the contact and legal representative of a company of firm A, billed by e-mail,
    also a sole trader of her own; her signed mandate, a cancelled one, an issued invoice, a
    draft, a report version, e-mails sent and waiting; a namesake in firm B."""
    firm, by = complete_seller(firm_a.firm), firm_a.admin.user
    company = factories.make_client(
        firm,
        company_name="Boulangerie Ferrand",
        legal_form="SARL",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        billing_emails=[EMAIL, "compta@ferrand.test"],
    )
    own = factories.make_client(firm, company_name=NAME, legal_form="EI", city="Lyon")
    bystander = factories.make_client(
        firm, company_name="Garage Sud", contact_name="Paul Roche", contact_email="paul@sud.test"
    )
    with firm_scope(firm):
        company = client_services.update_client(
            firm=firm,
            client=company,
            data={
                "contact_name": NAME,
                "contact_email": EMAIL,
                "contact_phone": PHONE,
                "signer_civility": "Mme",
                "signer_first_name": "Jeanne",
                "signer_last_name": "Dupuis-Ferrand",
                "signer_email": EMAIL,
                "signer_mobile": MOBILE,
            },
            by=by,
        )
        signed = mandate_services.generate_mandate(firm=firm, client=company, by=by)
        mandate_services.record_signature(
            firm=firm,
            mandate=signed,
            content=minimal_pdf(),
            signed_on=datetime.date.today(),
            by=by,
        )
        cancelled = mandate_services.generate_mandate(
            firm=firm, client=company, kind=MandateKind.DESIGNATION, by=by
        )
        mandate_services.cancel_mandate(firm=firm, mandate=cancelled, by=by)
        report = generate_report(firm=firm, client=company, by=by)
    issued = make_issued(firm_a, company, line())
    draft = make_draft(firm_a, own, line(), note=f"Honoraires de {NAME}")
    with firm_scope(firm):
        sent = enqueue_email(
            firm=firm,
            kind="invoice",
            to=[EMAIL],
            subject=f"Facture {issued.number}",
            text_body=f"Bonjour {NAME},\nVeuillez trouver notre facture.",
            html_body="",
            attachments=[("facture.pdf", b"%PDF-1.4 facture", "application/pdf")],
            related=issued,
        )
        OutboxMessage.objects.for_firm(firm).filter(pk=sent.pk).update(state="sent")
        waiting = enqueue_email(
            firm=firm,
            kind="reminder",
            to=[EMAIL, "compta@ferrand.test"],
            subject="Relance",
            text_body="Bonjour Madame,",
            html_body="",
        )
    namesake = factories.make_client(
        firm_b.firm,
        company_name="Menuiserie Bêta",
        contact_name=NAME,
        contact_email=EMAIL,
        signer_first_name="Jeanne",
        signer_last_name="Dupuis-Ferrand",
        signer_email=EMAIL,
    )
    return {
        "firm": firm,
        "company": company,
        "own": own,
        "bystander": bystander,
        "signed": signed,
        "cancelled": cancelled,
        "report": report,
        "issued": issued,
        "draft": draft,
        "sent": sent,
        "waiting": waiting,
        "namesake": namesake,
    }


def text_tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return [
            name
            for name in names
            if any(
                column.name == "firm_id"
                for column in connection.introspection.get_table_description(cursor, name)
            )
        ]


def rows_naming(firm_id: int, needles=NEEDLES) -> dict[tuple[str, int], dict]:
    """Every row of the firm, in every table with a firm, whose text or JSON names the person:
    {(table, id): the row}."""
    found = {}
    folded = [needle.casefold() for needle in needles]
    with firm_scope(firm_id), connection.cursor() as cursor:
        for table in text_tables():
            cursor.execute(
                f"SELECT * FROM {connection.ops.quote_name(table)} WHERE firm_id = %s",
                [firm_id],
            )
            columns = [column.name for column in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(columns, values, strict=True))
                text = json.dumps(row, default=str, ensure_ascii=False).casefold()
                if any(needle in text for needle in folded):
                    found[table, row["id"]] = row
    return found


def erase(client, firm, confirmation=NAME, **person):
    data = {**PERSON, **person, "confirmation": confirmation}
    return client.post(f"/f/{firm.slug}/parametres/donnees/personnes/effacer/", data)


def test_the_search_page_lists_every_place_and_what_is_kept(client, firm_a, person):
    client.force_login(firm_a.admin.user)
    url = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    start = client.get(url)
    assert start.status_code == 200 and 'data-testid="person-start"' in start.text
    page = client.get(url, {"nom": "jeanne dupuis-ferrand"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.text
    assert "<html" not in html  # the partial only
    for kept in (person["issued"].number, "Rapport de synthèse n° 1", person["signed"].reference):
        assert kept in html
    assert "L123-22" in html and "L561-12" in html and "2224" in html
    assert "fin de la relation d'affaires + 5 ans" in html  # the client is active
    assert person["cancelled"].reference in html
    assert 'data-testid="person-erase"' in html
    nobody = client.get(url, {"nom": "Personne Inconnue"})
    assert 'data-testid="person-none"' in nobody.text


def test_the_export_holds_every_place_the_person_appears(client, firm_a, person):
    client.force_login(firm_a.admin.user)
    response = client.get(
        f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/export/", {"email": EMAIL}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    export = json.loads(response.content)
    places = {(o["table"], o["id"]) for o in export["occurrences"]}
    # Searched by e-mail only: the names come from the client records that hold the address.
    assert {NAME, "Dupuis-Ferrand Jeanne"} <= set(export["identifiants"]["noms"])
    assert {MOBILE, PHONE} <= set(export["identifiants"]["telephones"])
    expected = rows_naming(firm_a.firm.pk)
    # Every row naming her in the database is in the export (the audit entry aside).
    assert {
        (table.replace("_", ".", 1), pk)
        for table, pk in expected
        if not table.startswith("privacy_")
    } <= places
    p = person
    assert {
        ("clients.client", p["company"].pk),
        ("clients.client", p["own"].pk),
        ("mandates.mandate", p["signed"].pk),
        ("mandates.mandate", p["cancelled"].pk),
        ("invoicing.invoice", p["issued"].pk),
        ("invoicing.invoice", p["draft"].pk),
        ("reports.synthesisreport", p["report"].pk),
        ("outbox.outboxmessage", p["sent"].pk),
        ("outbox.outboxmessage", p["waiting"].pk),
    } <= places
    assert ("clients.client", p["bystander"].pk) not in places
    assert any(o["table"] == "clients.historyentry" for o in export["occurrences"])
    by_place = {(o["table"], o["id"]): o for o in export["occurrences"]}
    invoice = by_place["invoicing.invoice", p["issued"].pk]
    assert invoice["conservation"]["jusqu_au"] == f"{p['issued'].issue_date.year + 10}-12-31"
    assert by_place["invoicing.invoice", p["draft"].pk]["conservation"] is None
    assert by_place["clients.client", p["company"].pk]["champs"]["contact_email"] == EMAIL
    assert by_place["mandates.mandate", p["signed"].pk]["fichiers"]
    # The namesake of firm B is not part of it.
    assert "Menuiserie Bêta" not in response.content.decode()
    with firm_scope(firm_a.firm):
        audit = PersonAction.objects.for_firm(firm_a.firm).get()
    assert audit.action == "export" and audit.performed_by == firm_a.admin.user


def test_erasure_leaves_the_person_only_in_the_rows_a_duty_keeps(client, firm_a, firm_b, person):
    firm = firm_a.firm
    before = rows_naming(firm.pk)
    # The rows whose text names her and a duty keeps (the signed mandate names her in its
    # PDFs only).
    kept = {
        ("invoicing_invoice", person["issued"].pk),
        ("reports_synthesisreport", person["report"].pk),
    }
    assert kept < set(before) and len(before) > len(kept) + 5
    beta_before = rows_naming(firm_b.firm.pk)
    assert beta_before
    with firm_scope(firm):
        signed_files = [person["signed"].document.name, person["signed"].signed_document.name]
        cancelled = person["cancelled"]
        cancelled.refresh_from_db()
        cancelled_file = cancelled.document.name
        attachment_files = list(
            person["sent"].attachments.for_firm(firm).values_list("file", flat=True)
        )
    assert cancelled_file and default_storage.exists(cancelled_file) and attachment_files

    client.force_login(firm_a.admin.user)
    response = erase(client, firm)
    assert response.status_code == 302

    after = rows_naming(firm.pk)
    assert set(after) == kept
    for place in kept:
        assert after[place] == before[place]  # unchanged, to the byte
    assert all(default_storage.exists(name) for name in signed_files)
    assert not default_storage.exists(cancelled_file)
    assert not any(default_storage.exists(name) for name in attachment_files)
    with firm_scope(firm):
        company = Client.objects.for_firm(firm).get(pk=person["company"].pk)
        own = Client.objects.for_firm(firm).get(pk=person["own"].pk)
        waiting = OutboxMessage.objects.for_firm(firm).get(pk=person["waiting"].pk)
        bystander = Client.objects.for_firm(firm).get(pk=person["bystander"].pk)
        retained = list(RetainedRow.objects.for_firm(firm).order_by("table"))
        audit = PersonAction.objects.for_firm(firm).get()
        issued = Invoice.objects.for_firm(firm).get(pk=person["issued"].pk)
    assert (company.contact_name, company.contact_email, company.contact_phone) == (
        "Personne anonymisée",
        "",
        "",
    )
    assert (company.signer_last_name, company.signer_email, company.signer_mobile) == (
        "Personne anonymisée",
        "",
        "",
    )
    assert company.billing_emails == ["compta@ferrand.test"]
    assert company.company_name == "Boulangerie Ferrand" and company.siren
    assert own.company_name == "Personne anonymisée"
    # The e-mail waiting for her is not sent any more; the other recipient is kept.
    assert waiting.state == "failed" and "RGPD" in waiting.last_error
    assert "compta@ferrand.test" in waiting.to
    assert (bystander.contact_name, bystander.contact_email) == ("Paul Roche", "paul@sud.test")
    assert issued.pdf_sha256 == person["issued"].pdf_sha256
    # What is kept is listed with its duty and end date; the audit says who and how many.
    assert [(r.table, r.object_id, r.duty) for r in retained] == [
        ("invoicing.invoice", person["issued"].pk, "invoice"),
        ("mandates.mandate", person["signed"].pk, "aml"),
        ("reports.synthesisreport", person["report"].pk, "report"),
    ]
    assert retained[1].until is None  # the relationship lasts
    assert audit.action == "erasure" and audit.performed_by == firm_a.admin.user
    assert audit.retained_count == 3 and audit.rows["clients.client"] == 2
    assert audit.files_deleted >= 2
    # Firm B's namesake is untouched.
    assert rows_naming(firm_b.firm.pk) == beta_before
    # The page says what was done.
    page = client.get(f"/f/{firm.slug}/parametres/donnees/personnes/")
    assert "Lignes conservées" in page.text and issued.number in page.text


def test_erasure_is_refused_without_the_name_typed_again(client, firm_a, person):
    client.force_login(firm_a.admin.user)
    before = rows_naming(firm_a.firm.pk)
    response = erase(client, firm_a.firm, confirmation="Jeanne")
    assert response.status_code == 400
    assert "Recopiez exactement" in response.text
    one_word = erase(client, firm_a.firm, nom="Dupuis-Ferrand", confirmation="Dupuis-Ferrand")
    assert one_word.status_code == 400 and "le prénom et le nom" in one_word.text
    assert rows_naming(firm_a.firm.pk) == before
    with firm_scope(firm_a.firm):
        assert not PersonAction.objects.for_firm(firm_a.firm).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"nom": ""},
        {"nom": "ab"},
        {"nom": "x" * 5000},
        {"email": "pas-une-adresse"},
        {"nom": "\x00\x00"},
        {"email": "x" * 300 + "@exemple.fr"},
        {"nom": ["Jeanne", "Paul"], "email": "²"},
    ],
)
def test_junk_input_answers_400(client, firm_a, params):
    client.force_login(firm_a.admin.user)
    base = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    assert client.get(base, params).status_code == 400
    # Through htmx, the messages come in the swapped part (htmx swaps only a 2xx answer).
    partial = client.get(base, params, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "flash--error" in partial.text
    assert client.get(base + "export/", params).status_code == 400
    assert client.post(base + "effacer/", {**params, "confirmation": "x"}).status_code == 400


@pytest.mark.parametrize("role", ["supervisor", "collaborator"])
def test_only_administrators_see_export_or_erase_a_person(client, firm_a, person, role):
    client.force_login(getattr(firm_a, role).user)
    base = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    assert client.get(base, PERSON).status_code == 403
    assert client.get(base + "export/", PERSON).status_code == 403
    before = rows_naming(firm_a.firm.pk)
    assert erase(client, firm_a.firm).status_code == 403
    assert rows_naming(firm_a.firm.pk) == before


def test_another_firms_administrator_gets_404(client, firm_a, firm_b, person):
    client.force_login(firm_b.admin.user)
    base = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    assert client.get(base, PERSON).status_code == 404
    assert client.get(base + "export/", PERSON).status_code == 404
    assert erase(client, firm_a.firm).status_code == 404
    assert rows_naming(firm_a.firm.pk)


def test_the_command_prints_the_export_and_erases_with_its_confirmation(firm_a, person):
    slug = firm_a.firm.slug
    out = io.StringIO()
    call_command("person_data", "--firm", slug, "--email", EMAIL, stdout=out)
    export = json.loads(out.getvalue())
    assert ("clients.client", person["company"].pk) in {
        (o["table"], o["id"]) for o in export["occurrences"]
    }
    for arguments in (
        ["--firm", "inconnu", "--name", NAME],
        ["--firm", slug, "--name", "ab"],
        ["--firm", slug, "--email", "pas-une-adresse"],
        ["--firm", slug, "--name", NAME, "--erase", "--confirm", "Jeanne"],
    ):
        with pytest.raises(CommandError) as refused:
            call_command("person_data", *arguments, stdout=io.StringIO())
        assert refused.value.returncode == 2
    out = io.StringIO()
    call_command(
        "person_data", "--firm", slug, "--name", NAME, "--erase", "--confirm", NAME, stdout=out
    )
    erased = json.loads(out.getvalue())
    assert erased["rows"]["clients.client"] == 2
    assert {r["table"] for r in erased["retained"]} == {
        "invoicing.invoice",
        "mandates.mandate",
        "reports.synthesisreport",
    }
    assert set(rows_naming(firm_a.firm.pk)) == {
        ("invoicing_invoice", person["issued"].pk),
        ("reports_synthesisreport", person["report"].pk),
    }


def test_the_pages_have_no_french_left_in_english(client, firm_a, person):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(firm_a.admin.user)
    url = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    admin = firm_a.admin.user.full_name
    # The neutral value written in the data is French, in every language.
    data = [NAME, "Dupuis-Ferrand Jeanne", EMAIL, MOBILE, PHONE, firm_a.firm.name, admin]
    data.append("Personne anonymisée")
    pages = [client.get(url), client.get(url, PERSON)]
    erase(client, firm_a.firm)
    pages.append(client.get(url))
    for page in pages:
        html = page.content.decode()
        assert '<html lang="en">' in html
        assert french_left(html, data) == []
    assert "Kept under a legal duty" in html and "Commercial Code" not in html
    assert "Civil Code, article 2224" in pages[1].content.decode()


def test_the_search_reads_each_table_once_whatever_it_finds(
    client, firm_a, person, django_assert_max_num_queries
):
    """One query per table of the firm, and a few more, however many rows name the person."""
    with firm_scope(firm_a.firm):
        for number in range(2, 8):
            stored = SynthesisReport(
                firm=firm_a.firm,
                client=person["company"],
                number=number,
                sha256="0" * 64,
                size=1,
                snapshot={"contact": NAME},
                document="reports/x.pdf",
            )
            stored.save()
    client.force_login(firm_a.admin.user)
    url = f"/f/{firm_a.firm.slug}/parametres/donnees/personnes/"
    with django_assert_max_num_queries(len(firm_tables()) + 30):
        page = client.get(url, PERSON)
    assert page.text.count("Rapport de synthèse n°") == 7
