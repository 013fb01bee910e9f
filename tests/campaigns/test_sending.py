"""Campaigns sent on the real SMTP server of the tests: each client once, a second run sends
nothing, clients without an address listed, unsubscribed ones skipped, the history written."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from campaigns import content, selectors, services
from campaigns.models import CampaignRecipient, CampaignStatus, Unsubscription, recipient_state
from clients.history import client_entries
from clients.models import Client
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from outbox.models import OutboxMessage
from outbox.services import deliver_pending
from self_service.models import ClientLink, Proposal
from self_service.services import issue_link
from tests import factories
from tests.campaigns.conftest import BASE_URL, make_campaign
from tests.outbox.conftest import smtp_server  # noqa: F401 - the fixture

QUESTIONNAIRE = re.compile(r"https?://[^\s<>\"]+/q/[^\s<>\"/]+/")
UNSUBSCRIBE = re.compile(r"http://testserver(/desabonnement/[0-9]+\.[A-Za-z0-9_-]{43}/)")


def _parsed(received):
    return message_from_bytes(received.as_bytes(), policy=policy.default)


def _send(cast, campaign):
    """The web page's send, then the job run here (as the worker would), then the outbox."""
    services.start_sending(
        firm=cast.firm, campaign=campaign, by=cast.supervisor.user, base_url=BASE_URL
    )
    _reload(campaign)
    execute_job(firm_id=cast.firm.pk, job_id=campaign.job_id)
    return deliver_pending(firm=cast.firm)


def _reload(campaign) -> None:
    with firm_scope(campaign.firm_id):
        campaign.refresh_from_db()


def _recipients(cast, campaign) -> dict[str, CampaignRecipient]:
    with firm_scope(cast.firm):
        return {
            r.client.company_name: r
            for r in CampaignRecipient.objects.for_firm(cast.firm)
            .filter(campaign=campaign)
            .select_related("client", "message")
        }


@pytest.mark.smtp
def test_each_client_with_an_address_gets_its_email_once(outbox_smtp, firm_a, portfolio):
    campaign = make_campaign(firm_a, portfolio.values())
    recipients = _recipients(firm_a, campaign)
    assert recipients["Atelier Sans Adresse"].skipped_reason == "no_email"
    assert recipients["Garage Durand"].email == "compta@durand.test"

    assert _send(firm_a, campaign) == {"sent": 2}
    received = {_parsed(m)["To"]: _parsed(m) for m in outbox_smtp.messages}
    assert sorted(received) == ["compta@durand.test", "jeanne@martin.test"]
    martin = received["jeanne@martin.test"]
    # Python's compat32 folding starts a long encoded subject on its own line: " Facturation…".
    assert (
        martin["Subject"].strip()
        == "Facturation électronique : ce qui change pour Boulangerie Martin & Fils"
    )
    text = martin.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour Jeanne Martin," in text
    assert "recevoir les factures électroniques à partir du 1er septembre 2026" in text
    assert "émettre vos factures électroniques à partir du 1er septembre 2027" in text
    assert "Plateforme agréée pour la réception : PA Lumière" in text
    assert "Plateforme agréée pour l'émission : à choisir" in text
    assert "&amp;" not in text and "**" not in text
    html = martin.get_body(preferencelist=("html",)).get_content()
    assert "Martin &amp; Fils" in html and "<strong>" in html and "<li>" in html
    assert UNSUBSCRIBE.search(text) and UNSUBSCRIBE.search(html)
    durand = received["compta@durand.test"]
    assert "Bonjour Madame, Monsieur," in durand.get_body(preferencelist=("plain",)).get_content()

    recipients = _recipients(firm_a, campaign)
    assert recipients["Boulangerie Martin & Fils"].message.state == "sent"
    assert recipients["Boulangerie Martin & Fils"].message.message_id == martin["Message-ID"]
    _reload(campaign)
    assert campaign.status == CampaignStatus.SENT and campaign.sent_at
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get(pk=campaign.job_id)
        assert (job.status, job.summary["written"], job.summary["skipped"]) == ("succeeded", 2, 0)
        summaries = {
            name: [e.summary for e in client_entries(firm_a.firm.pk, client.pk, "campaigns")]
            for name, client in (("martin", portfolio["martin"]), ("silent", portfolio["silent"]))
        }
    assert summaries["martin"] == [f"Campagne « {campaign.subject} » envoyée à jeanne@martin.test"]


@pytest.mark.smtp
def test_a_second_run_of_the_job_sends_nothing(outbox_smtp, firm_a, portfolio):
    campaign = make_campaign(firm_a, portfolio.values())
    assert _send(firm_a, campaign) == {"sent": 2}
    with firm_scope(firm_a.firm):
        # The job run again from the start, as the sweeper or Relancer would.
        Job.objects.for_firm(firm_a.firm).filter(pk=campaign.job_id).update(status="pending")
    execute_job(firm_id=firm_a.firm.pk, job_id=campaign.job_id)
    assert deliver_pending(firm=firm_a.firm) == {}
    assert len(outbox_smtp.messages) == 2
    with firm_scope(firm_a.firm):
        assert OutboxMessage.objects.for_firm(firm_a.firm).filter(kind="campaign").count() == 2
        job = Job.objects.for_firm(firm_a.firm).get(pk=campaign.job_id)
    assert job.summary["written"] == 0 and job.total == 0
    with pytest.raises(services.CampaignRefused):
        services.start_sending(
            firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user, base_url=BASE_URL
        )


@pytest.mark.smtp
def test_an_unsubscribed_client_is_skipped_by_later_campaigns_of_that_kind(
    outbox_smtp, firm_a, portfolio
):
    martin = portfolio["martin"]
    campaign = make_campaign(firm_a, [martin])
    _send(firm_a, campaign)
    text = _parsed(outbox_smtp.messages[0]).get_body(preferencelist=("plain",)).get_content()
    path = UNSUBSCRIBE.search(text).group(1)
    outbox_smtp.clear()

    visitor = HttpClient()  # nobody logged in
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Information sur la réforme" in page.content.decode()
    with firm_scope(firm_a.firm):
        assert not Unsubscription.objects.for_firm(firm_a.firm).exists()
    done = visitor.post(path)
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.content.decode()
    assert visitor.post(path).status_code == 200  # twice: still one row
    with firm_scope(firm_a.firm):
        [row] = Unsubscription.objects.for_firm(firm_a.firm)
        assert (row.client_id, row.kind) == (martin.pk, "information")
        assert row.token_hash == services.token_hash(path.split("/")[2])
        history = [e.summary for e in client_entries(firm_a.firm.pk, martin.pk, "campaigns")]
    assert history[0].startswith("Désabonnement des campagnes « Information sur la réforme »")

    again = make_campaign(firm_a, [martin])
    assert _recipients(firm_a, again)["Boulangerie Martin & Fils"].skipped_reason == "unsubscribed"
    assert _send(firm_a, again) == {}
    # Another kind of campaign still reaches the client.
    other = make_campaign(firm_a, [martin], kind="questionnaire")
    assert _send(firm_a, other) == {"sent": 1}
    assert [_parsed(m)["To"] for m in outbox_smtp.messages] == ["jeanne@martin.test"]


def test_an_unsubscription_between_the_draft_and_the_send_is_honoured(firm_a, portfolio):
    martin = portfolio["martin"]
    campaign = make_campaign(firm_a, [martin])
    with firm_scope(firm_a.firm):
        Unsubscription.objects.create(
            firm=firm_a.firm, client=martin, kind="information", token_hash="0" * 64
        )
    _send(firm_a, campaign)
    assert (
        _recipients(firm_a, campaign)["Boulangerie Martin & Fils"].skipped_reason == "unsubscribed"
    )
    with firm_scope(firm_a.firm):
        assert not OutboxMessage.objects.for_firm(firm_a.firm).exists()


@pytest.mark.parametrize(
    "token",
    [
        "junk",
        "1.short",
        "99999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "²." + "A" * 43,
        "1." + "A" * 43,
        "9" * 25 + "." + "A" * 43,
    ],
)
def test_a_link_that_is_not_ours_is_a_404(client, firm_a, token):
    assert client.get(f"/desabonnement/{token}/").status_code == 404
    assert client.post(f"/desabonnement/{token}/").status_code == 404


def test_another_firms_id_in_a_real_token_is_a_404(client, firm_a, firm_b, portfolio):
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    services.start_sending(
        firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user, base_url=""
    )
    _reload(campaign)
    execute_job(firm_id=firm_a.firm.pk, job_id=campaign.job_id)
    with firm_scope(firm_a.firm):
        body = OutboxMessage.objects.for_firm(firm_a.firm).get().text_body
    token = re.search(r"/desabonnement/([^/]+)/", body).group(1)
    assert client.get(f"/desabonnement/{token}/").status_code == 200
    forged = token.replace(f"{firm_a.firm.pk}.", f"{firm_b.firm.pk}.", 1)
    assert client.get(f"/desabonnement/{forged}/").status_code == 404


@pytest.mark.smtp
def test_a_test_send_goes_to_the_member_only(outbox_smtp, firm_a, portfolio):
    campaign = make_campaign(firm_a, portfolio.values())
    address = services.send_test(firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user)
    assert deliver_pending(firm=firm_a.firm) == {"sent": 1}
    [received] = [_parsed(m) for m in outbox_smtp.messages]
    assert received["To"] == address == firm_a.supervisor.user.email
    assert received["Subject"].strip().startswith("[Test] Facturation électronique")
    assert "[lien de désabonnement du client]" in received.get_body(("plain",)).get_content()
    assert _recipients(firm_a, campaign)["Garage Durand"].message is None
    _reload(campaign)
    assert campaign.status == CampaignStatus.DRAFT


def test_the_preview_shows_three_real_clients_those_with_an_address_first(firm_a, portfolio):
    others = [factories.make_client(firm_a.firm, contact_email=f"c{i}@x.test") for i in range(3)]
    campaign = make_campaign(firm_a, [portfolio["silent"], *others])
    shown = services.preview(firm=firm_a.firm, campaign=campaign)
    assert len(shown) == 3
    assert portfolio["silent"].pk not in {p.client.pk for p in shown}
    assert all(p.email.endswith("@x.test") for p in shown)
    lonely = make_campaign(firm_a, [portfolio["silent"]])
    [only] = services.preview(firm=firm_a.firm, campaign=lonely)
    assert only.email == "" and "Atelier Sans Adresse" in only.content.subject


def test_an_archived_client_is_listed_not_sent(firm_a, portfolio):
    with firm_scope(firm_a.firm):
        Client.objects.for_firm(firm_a.firm).filter(pk=portfolio["durand"].pk).update(
            status="archived"
        )
    campaign = make_campaign(firm_a, [portfolio["durand"]])
    assert _recipients(firm_a, campaign)["Garage Durand"].skipped_reason == "archived"


@pytest.mark.parametrize(
    ("subject", "body", "include_link", "field", "message"),
    [
        ("Bonjour {inconnu}", "Texte", False, "subject", "Mot-clé inconnu : {inconnu}"),
        ("Objet", "Texte { seul", False, "body", "Accolade seule"),
        ("Objet {lien_questionnaire}", "Texte", False, "subject", "pas dans l'objet"),
        ("Objet", "Votre lien : {lien_questionnaire}", False, "body", "demande l'option"),
    ],
)
def test_texts_are_checked_in_french(subject, body, include_link, field, message):
    with pytest.raises(ValidationError) as caught:
        content.check_texts(subject=subject, body=body, include_link=include_link)
    assert any(message in text for text in caught.value.message_dict[field])


@pytest.mark.smtp
def test_the_questionnaire_link_is_sent_and_its_funnel_followed(outbox_smtp, firm_a, portfolio):
    martin, durand = portfolio["martin"], portfolio["durand"]
    with firm_scope(firm_a.firm):
        earlier = issue_link(client=martin).url
    campaign = make_campaign(
        firm_a,
        [martin, durand],
        kind="questionnaire",
        body="Bonjour {contact},\n\nVotre questionnaire : {lien_questionnaire}\n\n{cabinet}",
        include_link=True,
    )
    assert _send(firm_a, campaign) == {"sent": 2}
    received = {_parsed(m)["To"]: _parsed(m) for m in outbox_smtp.messages}
    urls = {}
    for address, email in received.items():
        text = email.get_body(preferencelist=("plain",)).get_content()
        html = email.get_body(preferencelist=("html",)).get_content()
        [url] = QUESTIONNAIRE.findall(text)
        assert f'href="{url}"' in html and text.count(url) == 1  # placed once, not added again
        urls[address] = url
    assert len(set(urls.values())) == 2
    recipients = _recipients(firm_a, campaign)
    link_ids = {r.questionnaire_link_id for r in recipients.values()}
    assert None not in link_ids and len(link_ids) == 2

    visitor = HttpClient()
    assert visitor.get(urlsplit(earlier).path).status_code == 410  # revoked by the campaign's
    assert visitor.get(urlsplit(urls["jeanne@martin.test"]).path).status_code == 200
    with firm_scope(firm_a.firm):
        durand_link = ClientLink.objects.for_firm(firm_a.firm).get(
            pk=recipients["Garage Durand"].questionnaire_link_id
        )
        durand_link.first_opened_at = durand_link.submitted_at = timezone.now()
        durand_link.save()
        Proposal.objects.create(
            firm=firm_a.firm,
            client=durand,
            link=durand_link,
            submitted_at=timezone.now(),
            reviewed_at=timezone.now(),
        )
        funnel = selectors.funnel_of(firm_a.firm, selectors.get_campaign(firm_a.firm, campaign.pk))
    assert (funnel.recipients, funnel.sent) == (2, 2)
    assert (funnel.opened, funnel.submitted, funnel.reviewed) == (2, 1, 1)


def test_without_the_keyword_the_link_is_added_at_the_end(firm_a, portfolio):
    campaign = make_campaign(firm_a, [portfolio["martin"]], body="Bonjour", include_link=True)
    services.start_sending(
        firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user, base_url=BASE_URL
    )
    _reload(campaign)
    execute_job(firm_id=firm_a.firm.pk, job_id=campaign.job_id)
    with firm_scope(firm_a.firm):
        text = OutboxMessage.objects.for_firm(firm_a.firm).get().text_body
    assert re.search(r"Votre questionnaire en ligne : http://\S+/q/\S+", text)


def test_the_link_lasts_as_long_as_the_firms_self_service_settings_say(firm_a, portfolio):
    from self_service.services import choice_of

    with firm_scope(firm_a.firm):
        settings_row = choice_of(firm_a.firm)
        settings_row.link_days = 7
        settings_row.save()
    campaign = make_campaign(firm_a, [portfolio["martin"]], body="Bonjour", include_link=True)
    services.start_sending(
        firm=firm_a.firm, campaign=campaign, by=firm_a.supervisor.user, base_url=BASE_URL
    )
    _reload(campaign)
    execute_job(firm_id=firm_a.firm.pk, job_id=campaign.job_id)
    with firm_scope(firm_a.firm):
        link = ClientLink.objects.for_firm(firm_a.firm).get(client=portfolio["martin"])
    assert abs(link.expires_at - link.created_at - timedelta(days=7)) < timedelta(seconds=5)


def test_a_campaign_needs_clients(firm_a):
    with pytest.raises(services.CampaignRefused, match="au moins un client"):
        make_campaign(firm_a, [])


@pytest.mark.parametrize(
    ("contact", "billing", "expected"),
    [
        ("a@x.test", ["b@x.test"], "a@x.test"),
        ("", ["b@x.test"], "b@x.test"),
        ("", ["pas une adresse", "c@x.test"], "c@x.test"),
        ("", [], ""),
        ("", ["", None], ""),
    ],
)
def test_the_usable_address(contact, billing, expected):
    assert content.usable_email(Client(contact_email=contact, billing_emails=billing)) == expected


@pytest.mark.smtp
def test_a_temporary_failure_is_retried_by_the_outbox_and_the_recipient_follows(
    smtp_server,  # noqa: F811 - the fixture
    firm_a,
    portfolio,
):
    handler = smtp_server(busy_for=1)
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    assert _send(firm_a, campaign) == {"queued": 1}  # 451: queued again, a minute later
    recipient = _recipients(firm_a, campaign)["Boulangerie Martin & Fils"]
    assert recipient_state(recipient) == "queued" and "451" in recipient.message.last_error
    later = timezone.now() + timedelta(minutes=2)
    assert deliver_pending(firm=firm_a.firm, now=later) == {"sent": 1}
    assert recipient_state(_recipients(firm_a, campaign)["Boulangerie Martin & Fils"]) == "sent"
    assert len(handler.accepted) == 1 and handler.data_commands == 2
    assert deliver_pending(firm=firm_a.firm, now=later + timedelta(hours=1)) == {}


@pytest.mark.smtp
def test_an_uncertain_email_is_resolved_from_the_campaign(
    smtp_server,  # noqa: F811 - the fixture
    client,
    firm_a,
    portfolio,
):
    smtp_server(drop_after_data=True)
    campaign = make_campaign(firm_a, [portfolio["martin"]])
    assert _send(firm_a, campaign) == {"unknown": 1}
    recipient = _recipients(firm_a, campaign)["Boulangerie Martin & Fils"]
    client.force_login(firm_a.supervisor.user)
    page = client.get(f"/f/{firm_a.firm.slug}/campagnes/{campaign.pk}/").content.decode()
    assert "Envoi incertain, à vérifier" in page and "Marquer comme envoyé" in page
    url = f"/f/{firm_a.firm.slug}/campagnes/{campaign.pk}/destinataires/{recipient.pk}/resolution/"
    assert client.post(url, {"delivered": "1"}).status_code == 302
    assert recipient_state(_recipients(firm_a, campaign)["Boulangerie Martin & Fils"]) == "sent"
    again = client.post(url, {"delivered": "0"}, follow=True).content.decode()
    assert "plus incertain" in again
    client.force_login(firm_a.collaborator.user)
    assert client.post(url, {"delivered": "1"}).status_code == 403
