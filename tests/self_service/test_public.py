"""The client's page through its link: answers saved as it goes, sent, nothing of anything else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer
from self_service import services
from self_service.models import ClientLink, Proposal, ProposedField
from self_service.public_views import UNKNOWN_TOKENS_PER_IP


def _url(token: str, suffix: str = "") -> str:
    return f"/q/{token}/{suffix}"


def _fields(firm, client) -> dict:
    with firm_scope(firm):
        return dict(
            ProposedField.objects.for_firm(firm)
            .filter(proposal__client=client)
            .values_list("code", "value")
        )


def test_the_page_shows_the_client_and_the_firm_and_logs_the_visit_with_its_ip(
    client, firm_a, linked_client
):
    company, token, _issued = linked_client
    response = client.get(_url(token), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Boulangerie Martin" in page
    assert firm_a.firm.name in page
    assert "L&#x27;entreprise est-elle assujettie à la TVA ?" in page
    assert "Envoyer au cabinet" in page
    assert response["Cache-Control"] == "no-store"
    with firm_scope(firm_a.firm):
        link = ClientLink.objects.for_firm(firm_a.firm).get(client=company)
        entry = (
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=company, subject="self_service")
            .first()
        )
    assert link.first_opened_at is not None and link.last_opened_at is not None
    assert entry.summary == "Lien client : questionnaire ouvert"
    assert entry.changes["ip"]["to"] == "203.0.113.7"
    assert entry.actor is None


def test_answers_are_saved_as_a_draft_not_on_the_client(client, firm_a, linked_client, catalogue):
    company, token, _issued = linked_client
    product, platform = catalogue
    client.get(_url(token))
    saves = [
        ("q:vat_liable", {"value": "oui"}),
        ("q:turnover_eur", {"value": "1,5 M€"}),
        ("software", {"product": str(product.pk), "name": ""}),
        ("platform", {"platform": str(platform.pk)}),
        ("billing_emails", {"value": "Factures@Martin.test; compta@martin.test"}),
        (
            "signer",
            {
                "civility": "Mme",
                "first_name": "Claire",
                "last_name": "Martin",
                "email": "claire@martin.test",
                "mobile": "06 39 98 12 34",
            },
        ),
    ]
    for code, data in saves:
        response = client.post(_url(token, f"reponse/{code}/"), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, code
        assert "Enregistré" in response.content.decode()
    values = _fields(firm_a.firm, company)
    assert values == {
        "q:vat_liable": True,
        "q:turnover_eur": 1_500_000,
        "software": {"product": product.pk, "name": ""},
        "platform": {"platform": platform.pk},
        "billing_emails": ["factures@martin.test", "compta@martin.test"],
        "signer": {
            "civility": "Mme",
            "first_name": "Claire",
            "last_name": "Martin",
            "email": "claire@martin.test",
            "mobile": "+33639981234",
        },
    }
    with firm_scope(firm_a.firm):
        assert not Answer.objects.for_firm(firm_a.firm).filter(client=company).exists()
        company.refresh_from_db()
    assert company.billing_emails == ["compta@boulangerie-martin.test"]
    # A question shown once an earlier answer makes it relevant.
    assert "Où l&#x27;entreprise est-elle établie ?" in client.get(_url(token)).content.decode()


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("q:turnover_eur", {"value": "beaucoup"}, "Nombre attendu"),
        ("billing_emails", {"value": "pas-une-adresse"}, "n&#x27;est pas une adresse e-mail"),
        ("signer", {"mobile": "12"}, "mobile"),
        ("platform", {"platform": "999999"}, "pas dans la liste"),
        ("software", {"product": "²"}, "pas dans la liste"),
        ("q:establishment", {"value": ["x" * 5000]}, "non prévue"),
    ],
)
def test_a_wrong_answer_says_why_and_saves_nothing(
    client, firm_a, linked_client, code, data, message
):
    company, token, _issued = linked_client
    # The questions on size show once the company is liable to VAT.
    client.post(_url(token, "reponse/q:vat_liable/"), {"value": "oui"}, HTTP_HX_REQUEST="true")
    response = client.post(_url(token, f"reponse/{code}/"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _fields(firm_a.firm, company) == {"q:vat_liable": True}


def test_an_empty_answer_removes_the_draft_one(client, firm_a, linked_client):
    company, token, _issued = linked_client
    client.post(_url(token, "reponse/q:vat_liable/"), {"value": "non"}, HTTP_HX_REQUEST="true")
    assert _fields(firm_a.firm, company) == {"q:vat_liable": False}
    client.post(_url(token, "reponse/q:vat_liable/"), {"value": ""}, HTTP_HX_REQUEST="true")
    assert _fields(firm_a.firm, company) == {}


def test_without_htmx_a_save_comes_back_to_the_page(client, firm_a, linked_client):
    company, token, _issued = linked_client
    response = client.post(_url(token, "reponse/q:vat_liable/"), {"value": "oui"})
    assert response.status_code == 302 and response["Location"] == _url(token)
    assert _fields(firm_a.firm, company) == {"q:vat_liable": True}


def test_unknown_field_codes_are_404(client, linked_client):
    _company, token, _issued = linked_client
    for code in ("nope", "q:size_category_override", "q:", "²"):
        response = client.post(_url(token, f"reponse/{code}/"), {"value": "oui"})
        assert response.status_code == 404, code


def test_submitting_sends_what_differs_and_closes_the_draft(client, firm_a, linked_client):
    company, token, _issued = linked_client
    client.post(_url(token, "reponse/q:vat_liable/"), {"value": "oui"}, HTTP_HX_REQUEST="true")
    # The same e-mail as the firm knows: nothing to review for it.
    client.post(
        _url(token, "reponse/billing_emails/"),
        {"value": "compta@boulangerie-martin.test"},
        HTTP_HX_REQUEST="true",
    )
    response = client.post(_url(token, "envoyer/"))
    assert response.status_code == 302
    page = client.get(_url(token)).content.decode()
    assert "Merci, vos réponses ont été envoyées" in page
    assert "Envoyer au cabinet" not in page
    with firm_scope(firm_a.firm):
        proposal = Proposal.objects.for_firm(firm_a.firm).get(client=company)
        link = ClientLink.objects.for_firm(firm_a.firm).get(client=company)
        summaries = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=company, subject="self_service")
            .values_list("summary", flat=True)
        )
    assert proposal.submitted_at is not None and link.submitted_at is not None
    assert _fields(firm_a.firm, company) == {"q:vat_liable": True}
    assert "Le client a envoyé ses réponses (1 à valider)" in summaries
    # Once sent, an answer no longer changes.
    client.post(_url(token, "reponse/q:vat_liable/"), {"value": "non"}, HTTP_HX_REQUEST="true")
    assert _fields(firm_a.firm, company) == {"q:vat_liable": True}


def test_submitting_nothing_new_sends_nothing(client, firm_a, linked_client):
    company, token, _issued = linked_client
    response = client.post(_url(token, "envoyer/"))
    assert response.status_code == 200
    assert "il n'y a rien à envoyer" in response.content.decode()
    with firm_scope(firm_a.firm):
        assert Proposal.objects.for_firm(firm_a.firm).get(client=company).submitted_at is None


@pytest.mark.parametrize(
    "token",
    ["inconnu", "A" * 43, "A" * 200, "%C2%B2", "..", "a b", "x" * 43 + "%00"],
)
def test_unknown_or_malformed_tokens_are_404_with_a_page(client, linked_client, token):
    response = client.get(f"/q/{token}/")
    assert response.status_code == 404
    assert "Lien introuvable" in response.content.decode()


def test_a_tampered_token_is_404(client, linked_client):
    _company, token, _issued = linked_client
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(_url(tampered)).status_code == 404
    flipped = token.swapcase()
    assert client.get(_url(flipped)).status_code == 404


def test_an_expired_link_is_410(client, firm_a, linked_client):
    company, token, issued = linked_client
    with firm_scope(firm_a.firm):
        ClientLink.objects.for_firm(firm_a.firm).filter(pk=issued.link.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    response = client.get(_url(token))
    assert response.status_code == 410
    assert "Ce lien ne fonctionne plus" in response.content.decode()
    assert client.post(_url(token, "reponse/q:vat_liable/"), {"value": "oui"}).status_code == 410
    assert _fields(firm_a.firm, company) == {}


def test_a_revoked_or_replaced_link_is_410(client, firm_a, linked_client):
    company, token, _issued = linked_client
    with firm_scope(firm_a.firm):
        replacement = services.issue_link(client=company)
    assert client.get(_url(token)).status_code == 410
    new_token = replacement.url.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(_url(new_token)).status_code == 200
    with firm_scope(firm_a.firm):
        services.revoke_links(client=company, user=None)
    assert client.get(_url(new_token)).status_code == 410


def test_guessing_is_rate_limited(client, linked_client):
    _company, token, _issued = linked_client
    for attempt in range(UNKNOWN_TOKENS_PER_IP + 1):
        assert client.get(_url(f"devine{attempt}")).status_code == 404
    # Past the limit, even the real link waits.
    response = client.get(_url(token))
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    cache.delete("self-service:unknown:127.0.0.1")
    assert client.get(_url(token)).status_code == 200


def test_the_firm_logo_is_served_only_through_a_valid_link(client, firm_a, linked_client):
    _company, token, _issued = linked_client
    # The fixture's firm has no logo.
    assert client.get(_url(token, "logo/")).status_code == 404
    assert client.get(_url("inconnu", "logo/")).status_code == 404


def test_the_firm_chooses_the_questions(client, firm_a, linked_client):
    _company, token, _issued = linked_client
    with firm_scope(firm_a.firm):
        services.save_choice(
            firm=firm_a.firm,
            data={"questionnaire": False, "billing_emails": True, "link_days": 10},
            by=firm_a.admin.user,
        )
    page = client.get(_url(token)).content.decode()
    assert "assujettie à la TVA" not in page
    assert "Quelle plateforme agréée" not in page
    assert "À quelles adresses e-mail envoyer vos factures ?" in page
    response = client.post(_url(token, "reponse/platform/"), {"platform": "1"})
    assert response.status_code == 302
