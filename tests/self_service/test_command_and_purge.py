"""The client_link command and the nightly purge of the IP addresses."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from self_service import services
from self_service.models import ClientLink, LinkState
from self_service.tasks import purge_ips_task
from tests import factories


def test_the_command_prints_the_url_alone_on_its_last_line(client, firm_a, settings):
    settings.SITE_URL = "https://pilote.example.fr"
    company = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        first = services.issue_link(client=company)
    out = StringIO()
    call_command(
        "client_link",
        "--firm",
        firm_a.firm.slug,
        "--client",
        company.siren,
        "--days",
        "5",
        stdout=out,
    )
    url = out.getvalue().strip().splitlines()[-1]
    assert url.startswith("https://pilote.example.fr/q/") and url.endswith("/")
    with firm_scope(firm_a.firm):
        links = {link.pk: link for link in ClientLink.objects.for_firm(firm_a.firm)}
    assert links[first.link.pk].state() == LinkState.REVOKED
    (new,) = [link for pk, link in links.items() if pk != first.link.pk]
    assert new.expires_at - new.created_at < timedelta(days=5, minutes=1)
    path = url.removeprefix("https://pilote.example.fr")
    assert client.get(path).status_code == 200


def test_the_command_defaults_to_the_local_address(firm_a, settings):
    settings.SITE_URL = ""
    company = factories.make_client(firm_a.firm)
    out = StringIO()
    call_command("client_link", "--firm", firm_a.firm.slug, "--client", company.siren, stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("http://127.0.0.1:8000/q/")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--firm", "nope", "--client", "{siren}"], "Aucun cabinet actif"),
        (["--firm", "{slug}", "--client", "000000000"], "n'a le SIREN"),
        (["--firm", "{slug}", "--client", "{siren}", "--days", "0"], "--days"),
        (["--firm", "{slug}", "--client", "{siren}", "--days", "-3"], "--days"),
        (["--firm", "{slug}", "--client", "{siren}", "--days", "deux"], "--days"),
        (["--firm", "{slug}", "--client", "{siren}", "--days", "²"], "--days"),
        (["--firm", "{slug}", "--client", "{siren}", "--days", "1.5"], "--days"),
    ],
)
def test_bad_input_exits_with_status_2(firm_a, arguments, message):
    company = factories.make_client(firm_a.firm)
    values = {"slug": firm_a.firm.slug, "siren": company.siren}
    with pytest.raises(CommandError, match=message) as raised:
        call_command("client_link", *[argument.format(**values) for argument in arguments])
    assert raised.value.returncode == 2
    with firm_scope(firm_a.firm):
        assert not ClientLink.objects.for_firm(firm_a.firm).exists()


def test_ips_older_than_twelve_months_are_purged(client, firm_a, firm_b):
    company = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=company)
    token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    client.get(f"/q/{token}/", REMOTE_ADDR="198.51.100.4")
    client.get(f"/q/{token}/", REMOTE_ADDR="198.51.100.5")
    with firm_scope(firm_a.firm):
        visits = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=company, changes__has_key="ip")
            .order_by("pk")
        )
        assert len(visits) == 2
        HistoryEntry.objects.for_firm(firm_a.firm).filter(pk=visits[0].pk).update(
            created_at=timezone.now() - timedelta(days=366)
        )
    assert purge_ips_task() == 1
    with firm_scope(firm_a.firm):
        old, recent = (
            HistoryEntry.objects.for_firm(firm_a.firm).get(pk=visit.pk) for visit in visits
        )
    assert old.changes == {} and old.summary == "Lien client : questionnaire ouvert"
    assert recent.changes["ip"]["to"] == "198.51.100.5"
    assert purge_ips_task() == 0
