"""The demo portfolio's links: two clients' answers wait for review."""

from __future__ import annotations

from clients.models import Client
from demo.self_service import seed_self_service
from firms.tenancy import firm_scope
from self_service.models import ClientLink
from self_service.selectors import with_waiting_answers
from tests import factories


def test_demo_links_and_answers_waiting(firm_a):
    clients = [
        factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user) for _ in range(5)
    ]
    with firm_scope(firm_a.firm):
        assert seed_self_service(firm=firm_a.firm, clients=clients) == 2
        assert ClientLink.objects.for_firm(firm_a.firm).count() == 4
        waiting = with_waiting_answers(Client.objects.for_firm(firm_a.firm), "waiting")
        assert sorted(waiting.values_list("pk", flat=True)) == [clients[0].pk, clients[1].pk]
