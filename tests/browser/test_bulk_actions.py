"""In a real browser: a supervisor reassigns clients from the bulk bar of the client list and of
Cartographie FE, the way a person does it: choose the collaborator, tick the rows, click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clients(firm_a):
    owner = firm_a.collaborator.user
    return [
        factories.make_client(firm_a.firm, company_name=name, assigned_to=owner)
        for name in ("Boulangerie Arnaud", "Boulangerie Bastide", "Garage Chevalier")
    ]


def _log_in(page: Page, live_server, membership) -> None:
    log_in_browser(page, live_server.url, membership.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))


def _assignees(firm) -> dict[str, str]:
    with firm_scope(firm):
        rows = Client.objects.for_firm(firm).select_related("assigned_to")
        return {row.company_name: str(row.assigned_to or "") for row in rows}


@pytest.mark.parametrize("width", [1440, 1024])
def test_choose_tick_click_on_the_client_list(
    page: Page, live_server, firm_a, clients, artifacts_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, firm_a.supervisor)
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/clients/")
    page.once("dialog", lambda dialog: dialog.accept())
    target = firm_a.other_collaborator.user

    # Choosing in the bar's selects must not refresh the list (nor untick anything).
    page.locator("#bulk-assignee").select_option(str(target.pk))
    page.get_by_label("Sélectionner Boulangerie Arnaud").check()
    page.get_by_label("Sélectionner Garage Chevalier").check()
    expect(page.get_by_text("2 clients cochés")).to_be_visible()
    page.locator("#bulk-scope").select_option("selected")
    expect(page.get_by_label("Sélectionner Boulangerie Arnaud")).to_be_checked()
    expect(page.locator("#bulk-assignee")).to_have_value(str(target.pk))
    page.screenshot(path=artifacts_dir / f"bulk-client-list-{width}.png", full_page=True)
    page.get_by_role("button", name="Réattribuer").click()

    expect(page.get_by_text(f"2 clients attribués à {target}.")).to_be_visible()
    assignees = _assignees(firm_a.firm)
    assert assignees == {
        "Boulangerie Arnaud": str(target),
        "Boulangerie Bastide": str(firm_a.collaborator.user),
        "Garage Chevalier": str(target),
    }
    with firm_scope(firm_a.firm):
        entries = HistoryEntry.objects.for_firm(firm_a.firm).filter(
            action=HistoryEntry.Action.REASSIGNED
        )
        assert {entry.changes["assigned_to"]["to"] for entry in entries} == {str(target)}


def test_the_whole_filtered_set_from_the_portfolio(page: Page, live_server, firm_a, clients):
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(page, live_server, firm_a.supervisor)
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/cartographie/")
    page.locator("#dash-q").fill("boulangerie")
    expect(page).to_have_url(re.compile(r"q=boulangerie"))
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(2)
    target = firm_a.admin.user

    page.locator("#bulk-scope").select_option("all")
    page.locator("#bulk-assignee").select_option(str(target.pk))
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Réattribuer").click()

    expect(page.get_by_text(f"2 clients attribués à {target}.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=boulangerie"))
    assert _assignees(firm_a.firm)["Garage Chevalier"] == str(firm_a.collaborator.user)
    assert _assignees(firm_a.firm)["Boulangerie Bastide"] == str(target)


def test_a_click_without_a_chosen_collaborator_changes_nothing(
    page: Page, live_server, firm_a, clients
):
    _log_in(page, live_server, firm_a.supervisor)
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/clients/")
    page.get_by_label("Sélectionner Boulangerie Arnaud").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Réattribuer").click()
    expect(page.get_by_text("Choisissez à qui attribuer ces clients.")).to_be_visible()
    assert set(_assignees(firm_a.firm).values()) == {str(firm_a.collaborator.user)}
