"""The client list's questionnaire filter: incomplete, complete, never started, to review."""

from __future__ import annotations

import pytest

from firms.tenancy import firm_scope
from fiscal_questionnaire import services
from fiscal_questionnaire.models import Answer
from tests import factories

COMPLETE = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "vat_regime": "reel_normal_mensuel",
    "employees": 3,
    "turnover_eur": 200_000,
    "balance_sheet_eur": 80_000,
    "sells_b2b_domestic": True,
    "sells_b2c": False,
    "sells_international": False,
    "buys_international": False,
    "sells_public_sector": False,
    "activity_nature": "goods",
}


@pytest.fixture
def portfolio(firm_a):
    """Four clients of the collaborator, one per questionnaire state, and one of someone else."""
    firm = firm_a.firm
    mine = firm_a.collaborator.user
    clients = {
        name: factories.make_client(firm, company_name=name, assigned_to=mine)
        for name in ("Jamais", "Partiel", "Complet", "Ancien")
    }
    clients["Autre"] = factories.make_client(
        firm, company_name="Autre", assigned_to=firm_a.other_collaborator.user
    )
    with firm_scope(firm):
        for name, values in (
            ("Partiel", {"vat_liable": True}),
            ("Complet", COMPLETE),
            ("Ancien", {"vat_liable": False}),
            ("Autre", {"vat_liable": True}),
        ):
            services.save_answers(firm=firm, client=clients[name], values=values, by=None)
        Answer.objects.for_firm(firm).filter(client=clients["Ancien"]).update(
            questionnaire_version=0
        )
        services.recompute_obligations(firm=firm, client=clients["Ancien"])
    return clients


def _names(http, firm_a, state) -> list[str]:
    response = http.get(f"/f/{firm_a.firm.slug}/clients/", {"questionnaire": state})
    assert response.status_code == 200
    return [client.company_name for client in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("", ["Ancien", "Autre", "Complet", "Jamais", "Partiel"]),
        ("incomplete", ["Autre", "Jamais", "Partiel"]),
        ("complete", ["Ancien", "Complet"]),  # not liable: nothing left to decide
        ("none", ["Jamais"]),
        ("outdated", ["Ancien"]),
        ("nonsense", ["Ancien", "Autre", "Complet", "Jamais", "Partiel"]),
    ],
)
def test_a_supervisor_filters_the_list_on_the_questionnaire(
    client, firm_a, portfolio, state, expected
):
    client.force_login(firm_a.supervisor.user)
    assert _names(client, firm_a, state) == expected


def test_a_collaborator_filters_among_their_own_clients(client, firm_a, portfolio):
    client.force_login(firm_a.collaborator.user)
    assert _names(client, firm_a, "incomplete") == ["Jamais", "Partiel"]
    page = client.get(f"/f/{firm_a.firm.slug}/clients/").content.decode()
    assert 'name="questionnaire"' in page and "Questionnaire incomplet" in page


def test_the_chosen_state_stays_selected_and_an_empty_result_says_so(client, firm_a):
    factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.force_login(firm_a.supervisor.user)
    page = client.get(
        f"/f/{firm_a.firm.slug}/clients/", {"questionnaire": "complete"}
    ).content.decode()
    assert '<option value="complete" selected>' in page
    assert "Aucun résultat" in page
