"""Generating mandates and moving them through their workflow, with the history and the score."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from mandates import services
from mandates.models import Mandate, MandateKind, MandateSettings, MandateStatus
from mandates.tasks import expire_mandates_task
from mandates.workflow import TransitionRefused
from scoring.models import ClientScore, PortfolioFacts
from tests import factories
from tests.mandates.conftest import minimal_pdf


def _generate(firm_a, client, kind=MandateKind.DELEGATION):
    with firm_scope(firm_a.firm):
        return services.generate_mandate(
            firm=firm_a.firm, client=client, kind=kind, by=firm_a.collaborator.user
        )


def _reload(firm, mandate) -> Mandate:
    with firm_scope(firm):
        return Mandate.objects.for_firm(firm).select_related("client").get(pk=mandate.pk)


def test_a_generated_mandate_is_to_sign_with_its_pdf_and_fingerprint(firm_a, signer_client):
    mandate = _reload(firm_a.firm, _generate(firm_a, signer_client))
    today = timezone.localdate()
    assert mandate.reference == f"{signer_client.siren}-DEL-{today:%Y%m%d}-1"
    assert mandate.status == MandateStatus.TO_SIGN
    with mandate.document.open("rb") as document:
        content = document.read()
    assert content.startswith(b"%PDF-")
    assert mandate.document_sha256 == hashlib.sha256(content).hexdigest()


def test_references_count_up_within_a_day(firm_a, signer_client):
    first = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        services.cancel_mandate(firm=firm_a.firm, mandate=first, by=None)
    second = _generate(firm_a, signer_client)
    assert second.reference.endswith("-2")
    assert re.fullmatch(r"\d{9}-DEL-\d{8}-2", second.reference)


def test_one_mandate_of_a_kind_in_progress_at_a_time(firm_a, signer_client):
    first = _generate(firm_a, signer_client)
    with pytest.raises(TransitionRefused, match=f"déjà en cours \\({first.reference}\\)"):
        _generate(firm_a, signer_client)
    designation = _generate(firm_a, signer_client, MandateKind.DESIGNATION)
    assert "-DPA-" in designation.reference


def test_sent_then_signed_with_the_pdf_and_its_date(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        assert services.mark_sent(firm=firm_a.firm, mandates=[mandate], by=None) == 1
        services.record_signature(
            firm=firm_a.firm,
            mandate=mandate,
            content=minimal_pdf(),
            signed_on=datetime.date(2026, 11, 30),
            by=firm_a.supervisor.user,
        )
    stored = _reload(firm_a.firm, mandate)
    assert stored.status == MandateStatus.SIGNED
    assert stored.signed_on == datetime.date(2026, 11, 30)
    assert stored.signed_document_sha256 == hashlib.sha256(minimal_pdf()).hexdigest()


def test_a_paper_signature_goes_from_to_sign_to_signed(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        services.record_signature(
            firm=firm_a.firm,
            mandate=mandate,
            content=minimal_pdf(),
            signed_on=timezone.localdate(),
            by=None,
        )
    assert _reload(firm_a.firm, mandate).status == MandateStatus.SIGNED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "n'est pas un PDF"),
        (b"", "vide"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "10 Mo"),
    ],
)
def test_a_signed_document_must_be_a_real_pdf_of_10_mb_at_most(
    firm_a, signer_client, content, message
):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm), pytest.raises(ValidationError, match=message):
        services.record_signature(
            firm=firm_a.firm,
            mandate=mandate,
            content=content,
            signed_on=timezone.localdate(),
            by=None,
        )
    assert _reload(firm_a.firm, mandate).status == MandateStatus.TO_SIGN


def test_a_signature_cannot_be_dated_in_the_future(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with firm_scope(firm_a.firm), pytest.raises(ValidationError, match="futur"):
        services.record_signature(
            firm=firm_a.firm, mandate=mandate, content=minimal_pdf(), signed_on=tomorrow, by=None
        )


def test_a_refusal_needs_a_reason_and_a_sent_mandate(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        with pytest.raises(TransitionRefused):
            services.record_refusal(firm=firm_a.firm, mandate=mandate, reason="Non", by=None)
        services.mark_sent(firm=firm_a.firm, mandates=[mandate], by=None)
        with pytest.raises(ValidationError, match="motif"):
            services.record_refusal(firm=firm_a.firm, mandate=mandate, reason="  ", by=None)
        services.record_refusal(
            firm=firm_a.firm, mandate=mandate, reason="Le gérant préfère attendre", by=None
        )
    stored = _reload(firm_a.firm, mandate)
    assert stored.status == MandateStatus.REFUSED
    assert stored.refusal_reason == "Le gérant préfère attendre"


def test_a_stale_copy_cannot_move_a_mandate_twice(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    stale = _reload(firm_a.firm, mandate)
    with firm_scope(firm_a.firm):
        services.cancel_mandate(firm=firm_a.firm, mandate=mandate, by=None)
        with pytest.raises(TransitionRefused, match="vient de changer"):
            services.mark_sent(firm=firm_a.firm, mandates=[stale], by=None)
    assert _reload(firm_a.firm, mandate).status == MandateStatus.CANCELLED


def test_regenerating_cancels_and_generates_anew(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        new = services.regenerate_mandate(firm=firm_a.firm, mandate=mandate, by=None)
    assert _reload(firm_a.firm, mandate).status == MandateStatus.CANCELLED
    assert _reload(firm_a.firm, new).status == MandateStatus.TO_SIGN


def test_every_step_is_in_the_clients_history(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        services.mark_sent(firm=firm_a.firm, mandates=[mandate], by=firm_a.supervisor.user)
        entries = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=signer_client, subject="mandate")
            .order_by("id")
        )
    summaries = [entry.summary for entry in entries]
    assert summaries[0].startswith("Mandat créé : ")
    assert any("prêt à signer" in summary for summary in summaries)
    assert entries[-1].actor == firm_a.supervisor.user
    assert entries[-1].changes["mandate_status"]["to"] == "Envoyé pour signature"


def test_sent_mandates_expire_after_the_firms_delay(firm_a, signer_client):
    mandate = _generate(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        services.mark_sent(firm=firm_a.firm, mandates=[mandate], by=None)
        MandateSettings.objects.for_firm(firm_a.firm).update_or_create(
            firm=firm_a.firm, defaults={"expiry_days": 3}
        )
        Mandate.objects.for_firm(firm_a.firm).filter(pk=mandate.pk).update(
            status_changed_at=timezone.now() - datetime.timedelta(days=4)
        )
    assert expire_mandates_task() == 1
    assert _reload(firm_a.firm, mandate).status == MandateStatus.EXPIRED
    assert expire_mandates_task() == 0


def test_the_score_and_the_portfolio_follow_the_mandate(firm_a, signer_client):
    def state():
        with firm_scope(firm_a.firm):
            score = ClientScore.objects.for_firm(firm_a.firm).get(client=signer_client)
            facts = PortfolioFacts.objects.for_firm(firm_a.firm).get(client=signer_client)
        criteria = {line["criterion"] for line in score.breakdown}
        return "mandate_not_signed" in criteria, facts.mandate_status

    mandate = _generate(firm_a, signer_client)
    assert state() == (True, "to_sign")
    with firm_scope(firm_a.firm):
        services.record_signature(
            firm=firm_a.firm,
            mandate=mandate,
            content=minimal_pdf(),
            signed_on=timezone.localdate(),
            by=None,
        )
    assert state() == (False, "signed")


def test_a_firms_text_with_an_unknown_merge_field_is_refused(firm_a):
    with firm_scope(firm_a.firm), pytest.raises(ValidationError, match=r"\{\{ client.nom \}\}"):
        services.save_mandate_text(
            firm=firm_a.firm,
            kind=MandateKind.DELEGATION,
            title="Mandat",
            body="Je soussigné {{ client.nom }}",
            by=firm_a.admin.user,
        )


def test_the_firms_text_is_used_and_its_values_escaped(firm_a):
    client = factories.make_client(firm_a.firm, company_name="<b>Évil</b> & Cie")
    with firm_scope(firm_a.firm):
        services.save_mandate_text(
            firm=firm_a.firm,
            kind=MandateKind.DELEGATION,
            title="Mon mandat",
            body="Société **{{ client.raison_sociale }}** <script>x</script>",
            by=firm_a.admin.user,
        )
        created, _ = services.create_mandates(firm=firm_a.firm, client_ids=[client.pk], by=None)
        title, body = services.mandate_text(firm_a.firm, MandateKind.DELEGATION)
        values = services.merge_values(firm=firm_a.firm, mandate=created[0])
    from mandates.texts import text_to_html

    html = text_to_html(body, values)
    assert title == "Mon mandat"
    assert "<strong>&lt;b&gt;Évil&lt;/b&gt; &amp; Cie</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
