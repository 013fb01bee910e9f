"""The client list: visibility, search, filters, sort, pagination, bulk reassignment."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories


def _names(response) -> list[str]:
    return [client.company_name for client in response.context["page"].object_list]


def test_a_collaborator_sees_only_assigned_clients(client, firm_a):
    factories.make_client(firm_a.firm, company_name="À moi", assigned_to=firm_a.collaborator.user)
    factories.make_client(
        firm_a.firm, company_name="À un collègue", assigned_to=firm_a.other_collaborator.user
    )
    client.force_login(firm_a.collaborator.user)
    assert _names(client.get(f"/f/{firm_a.firm.slug}/clients/")) == ["À moi"]
    client.force_login(firm_a.supervisor.user)
    assert len(_names(client.get(f"/f/{firm_a.firm.slug}/clients/"))) == 2


def test_search_by_name_siren_or_contact_and_filters(client, firm_a):
    factories.make_client(
        firm_a.firm, company_name="Boulangerie Martin", siren="732829320", tags=["BIC"]
    )
    factories.make_client(
        firm_a.firm,
        company_name="Garage Moreau",
        contact_name="Lucie Petit",
        assigned_to=firm_a.collaborator.user,
    )
    client.force_login(firm_a.supervisor.user)
    url = f"/f/{firm_a.firm.slug}/clients/"
    assert _names(client.get(url, {"q": "boulang"})) == ["Boulangerie Martin"]
    assert _names(client.get(url, {"q": "732 829"})) == ["Boulangerie Martin"]
    assert _names(client.get(url, {"q": "petit"})) == ["Garage Moreau"]
    assert _names(client.get(url, {"collaborator": "none"})) == ["Boulangerie Martin"]
    assert _names(client.get(url, {"collaborator": firm_a.collaborator.user.pk})) == [
        "Garage Moreau"
    ]
    assert _names(client.get(url, {"tag": "BIC"})) == ["Boulangerie Martin"]
    assert _names(client.get(url, {"sort": "-name"})) == ["Garage Moreau", "Boulangerie Martin"]


@pytest.mark.parametrize("collaborator", ["²", "99999999999999999999999", "-1", "1e23"])
def test_a_collaborator_filter_that_is_no_id_matches_nobody(client, firm_a, collaborator):
    """A "²" is a digit for str.isdigit(), not for int(); 23 digits pass int(), not a column."""
    factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    response = client.get(f"/f/{firm_a.firm.slug}/clients/", {"collaborator": collaborator})
    assert response.status_code == 200
    assert _names(response) == []


@pytest.mark.parametrize("name", ["q", "tag"])
def test_search_text_with_a_nul_character_is_read_without_it(client, firm_a, name):
    factories.make_client(firm_a.firm, company_name="Boulangerie", tags=["BIC"])
    client.force_login(firm_a.supervisor.user)
    value = {"q": "boul\x00angerie", "tag": "B\x00IC"}[name]
    response = client.get(f"/f/{firm_a.firm.slug}/clients/", {name: value})
    assert response.status_code == 200
    assert _names(response) == ["Boulangerie"]


def test_a_parameter_named_like_a_method_of_the_query_is_only_a_parameter(client, firm_a):
    """The list once rendered ``request.GET.items`` in its template: ``?items=`` broke it."""
    factories.make_client(firm_a.firm, company_name="Boulangerie")
    client.force_login(firm_a.supervisor.user)
    response = client.get(f"/f/{firm_a.firm.slug}/clients/", {"items": "x", "q": "boul"})
    assert response.status_code == 200
    assert 'name="querystring" value="items=x&amp;q=boul"' in response.content.decode()


def test_htmx_requests_get_only_the_table(client, firm_a):
    factories.make_client(firm_a.firm, company_name="Boulangerie Martin")
    client.force_login(firm_a.supervisor.user)
    partial = client.get(f"/f/{firm_a.firm.slug}/clients/", {"q": "boul"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Boulangerie Martin" in partial.content


def _page_queries(client, firm_a) -> int:
    client.force_login(firm_a.supervisor.user)
    client.get(f"/f/{firm_a.firm.slug}/clients/")  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/f/{firm_a.firm.slug}/clients/", {"page": 2})
    assert response.status_code == 200
    # Count the work, not the transaction bookkeeping (savepoints, the scope's set_config).
    bookkeeping = ("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT set_config")
    return len([q for q in captured.captured_queries if not q["sql"].startswith(bookkeeping)])


def _bulk_clients(firm, count: int, users) -> None:
    with firm_scope(firm):
        Client.objects.bulk_create(
            Client(
                firm=firm,
                company_name=f"Société {n:05d}",
                siren=factories.valid_siren(500_000 + n),
                assigned_to=users[n % len(users)],
            )
            for n in range(count)
        )


def test_the_list_costs_the_same_queries_at_any_portfolio_size(client, firm_a):
    users = [firm_a.collaborator.user, firm_a.other_collaborator.user]
    _bulk_clients(firm_a.firm, 120, users)
    small = _page_queries(client, firm_a)
    _bulk_clients_offset = 120
    with firm_scope(firm_a.firm):
        Client.objects.bulk_create(
            Client(
                firm=firm_a.firm,
                company_name=f"Entreprise {n:05d}",
                siren=factories.valid_siren(700_000 + n),
                assigned_to=users[n % 2],
            )
            for n in range(_bulk_clients_offset, 3000)
        )
    large = _page_queries(client, firm_a)
    assert small == large
    assert large <= 10


def test_bulk_reassignment_of_checked_rows_writes_one_history_entry_each(client, firm_a):
    first = factories.make_client(firm_a.firm, company_name="A")
    second = factories.make_client(firm_a.firm, company_name="B")
    factories.make_client(firm_a.firm, company_name="C")
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {
            "action": "reassign",
            "selected": [first.pk, second.pk],
            "assignee": firm_a.collaborator.user.pk,
            "scope": "selected",
        },
    )
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        assigned = set(
            Client.objects.for_firm(firm_a.firm)
            .filter(assigned_to=firm_a.collaborator.user)
            .values_list("company_name", flat=True)
        )
        entries = HistoryEntry.objects.for_firm(firm_a.firm).filter(
            action=HistoryEntry.Action.REASSIGNED
        )
        assert entries.count() == 2
        assert entries.first().changes["assigned_to"]["to"] == str(firm_a.collaborator.user)
    assert assigned == {"A", "B"}


def test_bulk_reassignment_of_the_whole_filtered_list(client, firm_a):
    for name in ("Boulangerie A", "Boulangerie B", "Garage C"):
        factories.make_client(firm_a.firm, company_name=name)
    client.force_login(firm_a.admin.user)
    client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {
            "action": "reassign",
            "scope": "all",
            "querystring": "q=boulangerie",
            "assignee": firm_a.other_collaborator.user.pk,
        },
    )
    with firm_scope(firm_a.firm):
        moved = Client.objects.for_firm(firm_a.firm).filter(
            assigned_to=firm_a.other_collaborator.user
        )
        assert sorted(moved.values_list("company_name", flat=True)) == [
            "Boulangerie A",
            "Boulangerie B",
        ]


@pytest.mark.parametrize("role", ["collaborator"])
def test_collaborators_cannot_reassign(client, firm_a, role):
    target = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(getattr(firm_a, role).user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {
            "action": "reassign",
            "selected": [target.pk],
            "assignee": firm_a.other_collaborator.user.pk,
        },
    )
    assert response.status_code == 403


def test_a_reassignment_without_a_chosen_collaborator_changes_nothing(client, firm_a):
    """Unassigning is its own explicit choice ("none"): an empty choice is refused."""
    target = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {"action": "reassign", "scope": "selected", "selected": [target.pk], "assignee": ""},
        follow=True,
    )
    assert "Choisissez à qui attribuer ces clients." in response.content.decode()
    with firm_scope(firm_a.firm):
        target.refresh_from_db()
    assert target.assigned_to == firm_a.collaborator.user


def test_unassigning_is_an_explicit_choice(client, firm_a):
    target = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {"action": "reassign", "scope": "selected", "selected": [target.pk], "assignee": "none"},
        follow=True,
    )
    assert "1 client n&#x27;est plus attribué à personne." in response.content.decode()
    with firm_scope(firm_a.firm):
        target.refresh_from_db()
    assert target.assigned_to is None


def test_selected_values_that_are_no_ids_are_left_out(client, firm_a):
    target = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    url = f"/f/{firm_a.firm.slug}/clients/actions/"
    data = {"action": "reassign", "scope": "selected", "assignee": "none"}
    response = client.post(url, {**data, "selected": ["²", "9" * 23, "-1"]}, follow=True)
    assert response.status_code == 200
    assert "Aucun client sélectionné." in response.content.decode()
    response = client.post(url, {**data, "selected": ["²", str(target.pk)]}, follow=True)
    assert "1 client n&#x27;est plus attribué à personne." in response.content.decode()


def test_an_unknown_bulk_action_is_refused_with_a_message(client, firm_a):
    target = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/actions/",
        {"action": "explode", "selected": [target.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choisissez une action." in response.content.decode()


def test_the_bulk_bar_counts_the_filtered_clients_in_french(client, firm_a):
    factories.make_client(firm_a.firm, company_name="Boulangerie A")
    factories.make_client(firm_a.firm, company_name="Garage B")
    client.force_login(firm_a.supervisor.user)
    url = f"/f/{firm_a.firm.slug}/clients/"
    one = client.get(url, {"q": "boulangerie"}).content.decode()
    assert "le seul client du filtre" in one and "les 1 clients" not in one
    assert "les 2 clients du filtre" in client.get(url).content.decode()


def test_every_collaborator_select_says_nobody_the_same_way(client, firm_a):
    factories.make_client(firm_a.firm)
    client.force_login(firm_a.supervisor.user)
    pages = [
        client.get(f"/f/{firm_a.firm.slug}/clients/"),  # the bulk reassignment bar
        client.get(f"/f/{firm_a.firm.slug}/clients/nouveau/"),  # the client form
    ]
    for page in pages:
        html = page.content.decode()
        # The bulk bar's is an explicit choice ("none"); the empty one asks for a choice.
        assert re.search(
            r'<option value="(none)?"( selected)?>— Personne \(à attribuer\) —</option>', html
        )
        assert "---------" not in html
