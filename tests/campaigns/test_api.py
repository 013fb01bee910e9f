"""``/api/v1/campaigns/``: list, create, preview, send and recipients, with the web's checks
and French messages; supervisors and administrators only."""

from __future__ import annotations

import pytest

from firms.services import create_api_token
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from tests.campaigns.conftest import make_campaign


def _auth(membership) -> dict:
    with firm_scope(membership.firm):
        _token, raw = create_api_token(membership=membership, name="outil")
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def test_create_preview_send_and_follow(
    client, firm_a, portfolio, django_capture_on_commit_callbacks
):
    auth = _auth(firm_a.supervisor)
    created = client.post(
        "/api/v1/campaigns/",
        {"clients": [c.pk for c in portfolio.values()], "subject": "Votre dossier {client}"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["kind"] == "information"
    assert campaign["counts"] == {
        "recipients": 3,
        "sent": 0,
        "waiting": 2,
        "failed": 0,
        "unknown": 0,
        "skipped": 1,
    }
    assert campaign["funnel"] == {"sent": 0, "opened": None, "submitted": None, "reviewed": None}
    assert "{obligations}" in campaign["body"]  # the French model

    preview = client.get(f"{campaign['url']}preview/", **auth).json()
    assert preview["count"] == 3
    assert preview["results"][0]["subject"].startswith("Votre dossier ")
    assert "<p>" in preview["results"][0]["html"]

    listed = client.get("/api/v1/campaigns/", **auth).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == campaign["id"]

    with django_capture_on_commit_callbacks():
        sent = client.post(f"{campaign['url']}send/", **auth)
    assert sent.status_code == 202 and sent.json()["status"] == "sending"
    execute_job(firm_id=firm_a.firm.pk, job_id=sent.json()["job"])
    again = client.post(f"{campaign['url']}send/", **auth)
    assert again.status_code == 409 and "déjà envoyée" in again.json()["detail"]
    followed = client.get(campaign["url"], **auth).json()
    assert followed["status"] == "sent" and followed["counts"]["waiting"] == 2
    recipients = client.get(f"{campaign['url']}recipients/", **auth).json()
    assert recipients["count"] == 3
    states = {
        row["company_name"]: (row["state"], row["skipped_reason"]) for row in recipients["results"]
    }
    assert states == {
        "Atelier Sans Adresse": ("skipped", "no_email"),
        "Boulangerie Martin & Fils": ("queued", ""),
        "Garage Durand": ("queued", ""),
    }
    with firm_scope(firm_a.firm):
        assert Job.objects.for_firm(firm_a.firm).filter(kind="send_campaign").count() == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "clients", "obligatoire"),
        ({"clients": []}, "clients", ""),
        ({"clients": "1"}, "clients", ""),
        ({"clients": [1], "kind": "promo"}, "kind", ""),
        ({"clients": [1], "subject": "Bonjour {qui}"}, "subject", "Mot-clé inconnu : {qui}"),
        ({"clients": [1], "body": "Lien {lien_questionnaire}"}, "body", "demande l'option"),
    ],
)
def test_bad_payloads_are_refused_in_french(client, firm_a, portfolio, payload, field, message):
    if payload.get("clients") == [1]:
        payload = {**payload, "clients": [portfolio["martin"].pk]}
    response = client.post(
        "/api/v1/campaigns/", payload, content_type="application/json", **_auth(firm_a.admin)
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert message in " ".join(map(str, response.json()[field]))


def test_another_firms_or_an_unknown_client_is_a_404(client, firm_a, firm_b, portfolio):
    response = client.post(
        "/api/v1/campaigns/",
        {"clients": [portfolio["martin"].pk]},
        content_type="application/json",
        **_auth(firm_b.admin),
    )
    assert response.status_code == 404 and "Client introuvable" in response.json()["detail"]
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/", **_auth(firm_b.admin)).status_code == 404


def test_collaborators_get_403(client, firm_a, portfolio):
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    auth = _auth(firm_a.collaborator)
    assert client.get("/api/v1/campaigns/", **auth).status_code == 403
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/preview/", **auth).status_code == 403
    assert client.post(f"/api/v1/campaigns/{campaign.pk}/send/", **auth).status_code == 403
    response = client.post(
        "/api/v1/campaigns/",
        {"clients": [portfolio["martin"].pk]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
