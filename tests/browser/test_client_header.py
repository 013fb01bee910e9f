"""In a real browser: the urgency badge in the client sheet's header follows the edits of the
Fiscalité and Cartographie tabs without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from scoring.models import ClientScore
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stored_points(firm, client) -> int:
    with firm_scope(firm):
        return ClientScore.objects.for_firm(firm).get(client=client).total


def _header_badge(page: Page):
    return page.locator("#client-urgency .urgency")


def _settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_the_header_badge_follows_the_tabs(page: Page, live_server, firm_a, artifacts_dir):
    firm = firm_a.firm
    client = factories.make_client(firm, assigned_to=firm_a.collaborator.user)
    with firm_scope(firm):
        score_clients(firm=firm, client_ids=[client.pk])
    page.set_viewport_size({"width": 1440, "height": 1000})
    log_in_browser(page, live_server.url, firm_a.collaborator.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))

    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/cartographie/")
    shown = f"{_stored_points(firm, client)} pts"
    expect(_header_badge(page)).to_contain_text(shown)
    page.get_by_label("Comment les factures sont-elles produites aujourd'hui ?").select_option(
        label="Logiciel de facturation"
    )
    expect(page.get_by_test_id("profile-invoice_tool")).to_contain_text("Enregistré")
    _settle(page)
    after_profile = f"{_stored_points(firm, client)} pts"
    assert after_profile != shown  # the answer changed the score...
    expect(_header_badge(page)).to_contain_text(after_profile)  # ...and the header shows it

    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/fiscalite/")
    page.locator("#answer-vat_liable-no").click()
    _settle(page)
    after_answer = f"{_stored_points(firm, client)} pts"
    assert after_answer != after_profile
    expect(_header_badge(page)).to_contain_text(after_answer)
    expect(page.locator("#client-urgency")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "client-header-badge.png")
