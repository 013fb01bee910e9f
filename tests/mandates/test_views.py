"""The Mandats tab, a batch from the portfolio, the waiting list, the bulk signatures, the settings
and the API: works / checks ownership / requires the role."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firms.services import create_api_token
from firms.tenancy import firm_scope
from mandates.models import Mandate, MandateStatus
from tests import factories
from tests.mandates.conftest import minimal_pdf


def tab(firm_a, client) -> str:
    return reverse("client_mandates", args=[firm_a.firm.slug, client.pk])


def _only_mandate(firm) -> Mandate:
    with firm_scope(firm):
        return Mandate.objects.for_firm(firm).select_related("client").get()


def test_generate_from_the_tab_then_download_and_preview(client, firm_a, signer_client):
    client.force_login(firm_a.collaborator.user)
    page = client.get(tab(firm_a, signer_client)).content.decode()
    assert "Aucun mandat" in page and "Mme Claire Martin" in page
    response = client.post(tab(firm_a, signer_client), {"kind": "delegation"}, follow=True)
    mandate = _only_mandate(firm_a.firm)
    assert f"Mandat {mandate.reference} généré" in response.content.decode()
    pdf_url = reverse("mandate_pdf", args=[firm_a.firm.slug, signer_client.pk, mandate.pk])
    download = client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert download.content.startswith(b"%PDF-")
    preview = client.get(pdf_url + "?apercu=1")
    assert "inline" in preview["Content-Disposition"]
    preview.close()


def test_the_steps_from_the_tab(client, firm_a, signer_client):
    client.force_login(firm_a.collaborator.user)
    client.post(tab(firm_a, signer_client), {"kind": "delegation"})
    mandate = _only_mandate(firm_a.firm)
    args = [firm_a.firm.slug, signer_client.pk, mandate.pk]
    client.post(reverse("mandate_sent", args=args))
    assert _only_mandate(firm_a.firm).status == MandateStatus.SENT
    refused = client.post(reverse("mandate_refused", args=args), {"reason": ""}, follow=True)
    assert "Indiquez le motif du refus." in refused.content.decode()
    signed = client.post(
        reverse("mandate_signed", args=args),
        {
            "document": SimpleUploadedFile("m.pdf", minimal_pdf(), "application/pdf"),
            "signed_on": "28/11/2026",
        },
        follow=True,
    )
    assert "signature enregistrée" in signed.content.decode()
    assert _only_mandate(firm_a.firm).status == MandateStatus.SIGNED
    again = client.post(reverse("mandate_cancel", args=args), follow=True).content.decode()
    assert "ne peut pas passer" in again  # a signed mandate stays signed
    signed_pdf = client.get(reverse("mandate_signed_pdf", args=args))
    assert signed_pdf.status_code == 200
    signed_pdf.close()


def test_an_unknown_step_is_not_found(client, firm_a, signer_client):
    client.force_login(firm_a.collaborator.user)
    client.post(tab(firm_a, signer_client), {"kind": "delegation"})
    mandate = _only_mandate(firm_a.firm)
    url = f"/f/{firm_a.firm.slug}/clients/{signer_client.pk}/mandats/{mandate.pk}/inconnu/"
    assert client.post(url).status_code == 404


@pytest.mark.worker
def test_a_batch_from_the_portfolio_ends_with_the_export_and_is_marked_sent(
    client, celery_worker, firm_a, signer_client
):
    no_mobile = factories.make_client(
        firm_a.firm,
        company_name="Garage Sans Mobile",
        signer_last_name="Roy",
        signer_email="r@x.test",
    )
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {
            "action": "mandates",
            "mandate_kind": "delegation",
            "scope": "selected",
            "selected": [signer_client.pk, no_mobile.pk],
        },
    )
    assert response.status_code == 302 and "/mandats/lots/" in response["Location"]
    batch_url = response["Location"]
    import time

    from jobs.models import Job

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with firm_scope(firm_a.firm):
            job = Job.objects.for_firm(firm_a.firm).get()
        if job.status in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job.status == "succeeded", job.error
    page = client.get(batch_url).content.decode()
    assert "Écartés de l'export" in page and "pas de numéro de mobile" in page
    with job.result_file.open("rb") as result:
        archive = zipfile.ZipFile(io.BytesIO(result.read()))
    assert sorted(archive.namelist()) == ["documents.zip", "jesignexpert.xlsx"]
    client.post(batch_url)
    with firm_scope(firm_a.firm):
        statuses = dict(Mandate.objects.for_firm(firm_a.firm).values_list("client_id", "status"))
    assert statuses == {signer_client.pk: "sent", no_mobile.pk: "to_sign"}


def test_collaborators_have_no_batch_action(client, firm_a, signer_client):
    client.force_login(firm_a.collaborator.user)
    response = client.post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {"action": "mandates", "mandate_kind": "delegation", "selected": [signer_client.pk]},
    )
    assert response.status_code == 403


def test_the_waiting_list(client, firm_a, signer_client):
    client.force_login(firm_a.collaborator.user)
    client.post(tab(firm_a, signer_client), {"kind": "delegation"})
    with firm_scope(firm_a.firm):
        Mandate.objects.for_firm(firm_a.firm).update(status_changed_at="2026-10-01T10:00:00+02:00")
    page = client.get(reverse("mandates_waiting", args=[firm_a.firm.slug])).content.decode()
    assert "Boulangerie Martin" in page
    client.force_login(firm_a.other_collaborator.user)
    other = client.get(reverse("mandates_waiting", args=[firm_a.firm.slug])).content.decode()
    assert "Boulangerie Martin" not in other and "Rien en attente" in other


def test_signed_files_uploaded_in_bulk(client, firm_a, signer_client):
    client.force_login(firm_a.supervisor.user)
    client.post(tab(firm_a, signer_client), {"kind": "delegation"})
    mandate = _only_mandate(firm_a.firm)
    response = client.post(
        reverse("mandate_signed_upload", args=[firm_a.firm.slug]),
        {
            "files": [
                SimpleUploadedFile(f"{mandate.reference}.pdf", minimal_pdf()),
                SimpleUploadedFile("autre.pdf", minimal_pdf()),
            ]
        },
    )
    body = response.content.decode()
    assert "1 signature(s) enregistrée(s)" in body and "autre.pdf" in body
    assert _only_mandate(firm_a.firm).status == MandateStatus.SIGNED


def test_the_settings_are_for_administrators(client, firm_a):
    url = reverse("mandate_settings", args=[firm_a.firm.slug])
    client.force_login(firm_a.supervisor.user)
    assert client.get(url).status_code == 403
    client.force_login(firm_a.admin.user)
    assert "Mandat de délégation" in client.get(url).content.decode()
    refused = client.post(
        url, {"form": "delegation", "delegation-title": "T", "delegation-body": "{{ nope }}"}
    )
    assert "Champ de fusion inconnu" in refused.content.decode()
    saved = client.post(
        url,
        {
            "form": "settings",
            "place": "Lyon",
            "expiry_days": "10",
            "waiting_alert_days": "5",
            "export_date_format": "%d/%m/%Y",
        },
    )
    assert saved.status_code == 302


def _api(client, membership):
    with firm_scope(membership.firm):
        _, raw = create_api_token(membership=membership, name="outil")
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def test_the_api_generates_lists_and_moves_mandates(client, firm_a, signer_client):
    auth = _api(client, firm_a.collaborator)
    created = client.post(
        "/api/v1/mandates/", {"client": signer_client.pk}, content_type="application/json", **auth
    )
    assert created.status_code == 201, created.content
    mandate = created.json()
    assert mandate["status"] == "to_sign" and mandate["has_document"]
    again = client.post(
        "/api/v1/mandates/", {"client": signer_client.pk}, content_type="application/json", **auth
    )
    assert again.status_code == 409 and "déjà en cours" in again.json()["detail"]
    listed = client.get("/api/v1/mandates/", {"client": signer_client.pk}, **auth).json()
    assert listed["count"] == 1
    refused = client.post(f"/api/v1/mandates/{mandate['id']}/refusal/", {"reason": "Non"}, **auth)
    assert refused.status_code == 409  # not sent yet
    sent = client.post(f"/api/v1/mandates/{mandate['id']}/sent/", **auth)
    assert sent.json()["status"] == "sent"
    signed = client.post(
        f"/api/v1/mandates/{mandate['id']}/signature/",
        {"document": SimpleUploadedFile("s.pdf", minimal_pdf()), "signed_on": "2026-11-30"},
        **auth,
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    pdf = client.get(f"/api/v1/mandates/{mandate['id']}/pdf/", **auth)
    assert pdf["Content-Type"] == "application/pdf"
    pdf.close()


def test_the_api_hides_other_clients_mandates(client, firm_a, signer_client):
    auth = _api(client, firm_a.collaborator)
    client.post(
        "/api/v1/mandates/", {"client": signer_client.pk}, content_type="application/json", **auth
    )
    other = _api(client, firm_a.other_collaborator)
    assert client.get("/api/v1/mandates/", **other).json()["count"] == 0
    refused = client.post(
        "/api/v1/mandates/", {"client": signer_client.pk}, content_type="application/json", **other
    )
    assert refused.status_code == 404


def test_an_administrator_sets_the_export_columns(client, firm_a, signer_client):
    url = reverse("mandate_settings", args=[firm_a.firm.slug])
    client.force_login(firm_a.admin.user)
    page = client.get(url).content.decode()
    assert "Reference = reference" in page and "Signataire1_Mobile = signer_mobile" in page
    refused = client.post(url, {"form": "columns", "columns": "Nom = signer_last_name"})
    assert "La référence du mandat doit figurer" in refused.content.decode()
    garbled = client.post(url, {"form": "columns", "columns": "Ref reference"})
    assert "Ligne 1" in garbled.content.decode()
    saved = client.post(
        url, {"form": "columns", "columns": "Ref = reference\n\nPortable = signer_mobile\n"}
    )
    assert saved.status_code == 302
    with firm_scope(firm_a.firm):
        from mandates.models import MandateSettings

        stored = MandateSettings.objects.for_firm(firm_a.firm).get().export_columns
    assert stored == [
        {"header": "Ref", "value": "reference"},
        {"header": "Portable", "value": "signer_mobile"},
    ]
