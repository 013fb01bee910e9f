"""Issuing and revoking links: the contract the campaigns rely on."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from self_service import services
from self_service.models import ClientLink, LinkState
from tests import factories


def test_issue_link_gives_an_absolute_url_and_stores_only_the_hash(firm_a, settings):
    settings.SITE_URL = "https://pilote.example.fr"
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=client, user=firm_a.collaborator.user)
    assert issued.url.startswith("https://pilote.example.fr/q/")
    token = issued.url.removeprefix("https://pilote.example.fr/q/").rstrip("/")
    # secrets.token_urlsafe(32): 256 bits, 43 characters.
    assert len(token) == 43
    link = issued.link
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert link.created_by == firm_a.collaborator.user
    assert abs(link.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert link.state() == LinkState.ACTIVE
    with pytest.raises(dataclasses.FrozenInstanceError):
        issued.url = "x"  # type: ignore[misc]


def test_site_url_defaults_to_the_local_address(firm_a, settings):
    settings.SITE_URL = ""
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=client, days=3)
    assert issued.url.startswith("http://127.0.0.1:8000/q/")
    assert issued.link.created_by is None
    assert issued.link.expires_at - issued.link.created_at < timedelta(days=3, minutes=1)


def test_a_new_link_voids_the_previous_one(firm_a):
    client = factories.make_client(firm_a.firm)
    other = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        first = services.issue_link(client=client)
        kept = services.issue_link(client=other)
        second = services.issue_link(client=client)
        links = {link.pk: link for link in ClientLink.objects.for_firm(firm_a.firm)}
        summaries = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=client, subject="self_service")
            .values_list("summary", flat=True)
        )
    assert links[first.link.pk].state() == LinkState.REVOKED
    assert links[second.link.pk].state() == LinkState.ACTIVE
    assert links[kept.link.pk].state() == LinkState.ACTIVE
    assert any("le lien précédent ne fonctionne plus" in summary for summary in summaries)


def test_issuing_inside_a_transaction_that_rolls_back_leaves_the_old_link(firm_a):
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        first = services.issue_link(client=client)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.issue_link(client=client)
            raise RuntimeError("campaign failed")
        links = list(ClientLink.objects.for_firm(firm_a.firm).filter(client=client))
    assert [link.pk for link in links] == [first.link.pk]
    assert links[0].state() == LinkState.ACTIVE


@pytest.mark.parametrize("days", [0, -1, 367, "30", 1.5, True])
def test_days_must_be_a_positive_integer(firm_a, days):
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm), pytest.raises(ValueError):
        services.issue_link(client=client, days=days)


def test_revoking_and_expiry(firm_a):
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=client)
        assert services.revoke_links(client=client, user=firm_a.collaborator.user) == 1
        assert services.revoke_links(client=client, user=firm_a.collaborator.user) == 0
        link = ClientLink.objects.for_firm(firm_a.firm).get(pk=issued.link.pk)
    assert link.state() == LinkState.REVOKED
    assert link.state(now=link.expires_at + timedelta(days=1)) == LinkState.REVOKED
    fresh = ClientLink(expires_at=timezone.now() - timedelta(seconds=1))
    assert fresh.state() == LinkState.EXPIRED
