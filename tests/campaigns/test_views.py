"""The Campagnes pages: created from the bulk bars, edited, previewed, tested, sent; for
supervisors and administrators only; lists in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, CampaignRecipient
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from outbox.models import OutboxMessage
from tests import factories
from tests.campaigns.conftest import make_campaign


def _only_campaign(firm) -> Campaign:
    with firm_scope(firm):
        return Campaign.objects.for_firm(firm).get()


@pytest.mark.parametrize("source", ["portfolio_bulk_action", "client_bulk_action"])
def test_a_campaign_from_the_checked_rows(client, firm_a, portfolio, source):
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        reverse(source, args=[firm_a.firm.slug]),
        {
            "action": "campaign",
            "scope": "selected",
            "selected": [portfolio["martin"].pk, portfolio["silent"].pk],
            "querystring": "urgency=high",
        },
    )
    campaign = _only_campaign(firm_a.firm)
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[firm_a.firm.slug, campaign.pk])
    assert campaign.filter_snapshot == {
        "scope": "selected",
        "querystring": "urgency=high",
        "clients": 2,
    }
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="campaign-skipped"' in page
    assert "Atelier Sans Adresse" in page and "Pas d&#x27;adresse e-mail utilisable" in page
    assert 'data-testid="campaign-preview"' in page and "PA Lumière" in page


def test_a_campaign_from_the_whole_filtered_set(client, firm_a, portfolio):
    client.force_login(firm_a.admin.user)
    client.post(
        reverse("client_bulk_action", args=[firm_a.firm.slug]),
        {"action": "campaign", "scope": "all", "querystring": "q=Garage"},
    )
    campaign = _only_campaign(firm_a.firm)
    with firm_scope(firm_a.firm):
        chosen = list(
            CampaignRecipient.objects.for_firm(firm_a.firm).values_list("client_id", flat=True)
        )
    assert chosen == [portfolio["durand"].pk]
    assert campaign.filter_snapshot["scope"] == "all"


def test_collaborators_have_no_campaigns(client, firm_a, portfolio):
    client.force_login(firm_a.collaborator.user)
    listing = client.get(reverse("client_list", args=[firm_a.firm.slug])).content.decode()
    assert "Nouvelle campagne" not in listing and "Campagnes" not in listing
    response = client.post(
        reverse("client_bulk_action", args=[firm_a.firm.slug]),
        {"action": "campaign", "scope": "selected", "selected": [portfolio["martin"].pk]},
    )
    assert response.status_code == 403
    assert client.get(reverse("campaign_list", args=[firm_a.firm.slug])).status_code == 403
    client.force_login(firm_a.supervisor.user)
    listing = client.get(reverse("client_list", args=[firm_a.firm.slug])).content.decode()
    assert "Nouvelle campagne" in listing and "Campagnes" in listing


def test_edit_preview_test_and_send_from_the_page(
    client, firm_a, portfolio, django_capture_on_commit_callbacks
):
    campaign = make_campaign(firm_a, portfolio.values())
    client.force_login(firm_a.supervisor.user)
    url = reverse("campaign_detail", args=[firm_a.firm.slug, campaign.pk])

    refused = client.post(
        url, {"kind": "information", "subject": "Bonjour {personne}", "body": "x"}
    )
    assert refused.status_code == 200  # the form again, with what was typed
    assert "Mot-clé inconnu : {personne}" in refused.content.decode()
    assert 'value="Bonjour {personne}"' in refused.content.decode()

    saved = client.post(
        url,
        {
            "kind": "questionnaire",
            "subject": "Votre dossier {client}",
            "body": "Bonjour {contact},\n\n**Date** : {date_reception}.",
        },
    )
    assert saved.status_code == 302
    preview = client.get(
        reverse("campaign_preview", args=[firm_a.firm.slug, campaign.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Votre dossier Boulangerie Martin &amp; Fils" in preview
    assert "<strong>Date</strong> : 1er septembre 2026." in preview
    assert "<html" not in preview

    client.post(reverse("campaign_test", args=[firm_a.firm.slug, campaign.pk]))
    with firm_scope(firm_a.firm):
        [test] = OutboxMessage.objects.for_firm(firm_a.firm)
    assert test.kind == "campaign_test" and test.to == [firm_a.supervisor.user.email]

    with django_capture_on_commit_callbacks():
        client.post(reverse("campaign_send", args=[firm_a.firm.slug, campaign.pk]))
    campaign = _only_campaign(firm_a.firm)
    assert campaign.status == "sending" and campaign.kind == "questionnaire"
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get(pk=campaign.job_id)
    assert job.kind == "send_campaign" and job.params["base_url"] == "http://testserver"
    page = client.get(url).content.decode()
    assert 'data-testid="campaign-funnel"' in page and "Envoi d&#x27;une campagne" in page
    # Sent: the text no longer changes, a second send is refused.
    client.post(url, {"kind": "information", "subject": "Autre", "body": "Autre"})
    again = client.post(reverse("campaign_send", args=[firm_a.firm.slug, campaign.pk]), follow=True)
    assert "déjà envoyée" in again.content.decode()
    assert _only_campaign(firm_a.firm).subject == "Votre dossier {client}"
    with firm_scope(firm_a.firm):
        assert Job.objects.for_firm(firm_a.firm).filter(kind="send_campaign").count() == 1


def test_the_link_option_and_the_funnel_of_the_link(
    client, firm_a, portfolio, django_capture_on_commit_callbacks
):
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    client.force_login(firm_a.supervisor.user)
    url = reverse("campaign_detail", args=[firm_a.firm.slug, campaign.pk])
    page = client.get(url).content.decode()
    assert "disabled" not in page.split('name="include_link"')[1][:80]
    client.post(
        url,
        {
            "kind": "questionnaire",
            "subject": "Objet",
            "body": "{lien_questionnaire}",
            "include_link": "on",
        },
    )
    preview = client.get(reverse("campaign_preview", args=[firm_a.firm.slug, campaign.pk]))
    assert "[lien personnel du questionnaire]" in preview.content.decode()
    with django_capture_on_commit_callbacks():
        client.post(reverse("campaign_send", args=[firm_a.firm.slug, campaign.pk]))
    page = client.get(url).content.decode()
    assert (
        "Lien ouvert" in page and "Questionnaire soumis" in page and "Revu par le cabinet" in page
    )
    plain = make_campaign(firm_a, [portfolio["martin"]])
    with django_capture_on_commit_callbacks():
        client.post(reverse("campaign_send", args=[firm_a.firm.slug, plain.pk]))
    page = client.get(
        reverse("campaign_detail", args=[firm_a.firm.slug, plain.pk])
    ).content.decode()
    assert "funnel-opened" not in page and "Sans le lien du questionnaire" in page


def test_the_lists_read_a_fixed_number_of_queries(
    client, firm_a, portfolio, django_assert_max_num_queries
):
    for _ in range(3):
        make_campaign(firm_a, portfolio.values())
    many = [factories.make_client(firm_a.firm, contact_email=f"m{i}@x.test") for i in range(30)]
    big = make_campaign(firm_a, many)
    client.force_login(firm_a.supervisor.user)
    client.get(reverse("campaign_list", args=[firm_a.firm.slug]))
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("campaign_list", args=[firm_a.firm.slug]))
    assert listing.content.decode().count("Facturation électronique") == 4
    # A draft's page: the campaign, its preview on three clients, a page of recipients.
    with django_assert_max_num_queries(20):
        detail = client.get(reverse("campaign_detail", args=[firm_a.firm.slug, big.pk]))
    assert detail.content.decode().count('data-state="pending"') == 30


@pytest.mark.parametrize("page", ["²", "-1", "9" * 30, "abc"])
def test_junk_page_numbers_answer(client, firm_a, portfolio, page):
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    client.force_login(firm_a.supervisor.user)
    for name, args in (("campaign_list", []), ("campaign_detail", [campaign.pk])):
        response = client.get(reverse(name, args=[firm_a.firm.slug, *args]), {"page": page})
        assert response.status_code == 200


def test_the_demo_seeds_a_draft_campaign(firm_a, portfolio):
    from demo.campaigns import seed_campaigns

    with firm_scope(firm_a.firm):
        assert seed_campaigns(firm=firm_a.firm, clients=list(portfolio.values())) == 1
    campaign = _only_campaign(firm_a.firm)
    assert campaign.is_draft and campaign.created_by == firm_a.supervisor.user
    with firm_scope(firm_a.firm):
        assert CampaignRecipient.objects.for_firm(firm_a.firm).count() == 3


def test_the_clients_history_shows_its_campaigns(client, firm_a, portfolio):
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    services.start_sending(
        firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user, base_url=""
    )
    with firm_scope(firm_a.firm):
        campaign.refresh_from_db()
    execute_job(firm_id=firm_a.firm.pk, job_id=campaign.job_id)
    client.force_login(firm_a.collaborator.user)  # the client's own collaborator
    url = reverse("client_history", args=[firm_a.firm.slug, portfolio["martin"].pk])
    page = client.get(url, {"kind": "campaigns"}).content.decode()
    assert "envoyée à jeanne@martin.test" in page and "Campagnes" in page
