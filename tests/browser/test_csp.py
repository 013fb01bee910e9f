"""In a real browser, under the app's own strict Content-Security-Policy (no 'unsafe-inline', no
'unsafe-eval'): the pages raise no violation, the behaviours of static/js/app.js (confirmations,
select all, print) and htmx still work, and so does the API documentation, offline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, Response, Route, expect

from firms.tenancy import firm_scope
from portfolio.snapshots import take_portfolio_snapshot
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture
def strict_page(page: Page, live_server):
    """The page, with nothing reachable but the live server (as offline); the violations
    Chromium reports on the console are collected in ``page.violations``, the policies of the
    documents the app sent in ``page.policies``. The policy is the app's own header."""

    def only_the_app(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            page.elsewhere.append(route.request.url)
            route.abort()

    page.elsewhere = []
    page.route("**/*", only_the_app)
    policies: set[str | None] = set()

    def record_policy(response: Response) -> None:
        if response.request.resource_type == "document":
            policies.add(response.headers.get("content-security-policy"))

    page.on("response", record_policy)
    page.policies = policies
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.violations = violations
    return page


def test_the_pages_run_under_a_strict_policy(
    strict_page: Page, live_server, firm_a, default_catalogues, artifacts_dir
):
    page = strict_page
    firm = firm_a.firm
    clients = [
        factories.make_client(firm, company_name=name, assigned_to=firm_a.collaborator.user)
        for name in ("Boulangerie Martin", "Garage Moreau")
    ]
    with firm_scope(firm):
        for client in clients:
            score_clients(firm=firm, client_ids=[client.pk])
    take_portfolio_snapshot(firm=firm, today=date.today() - timedelta(weeks=1))
    take_portfolio_snapshot(firm=firm)
    page.set_viewport_size({"width": 1440, "height": 1000})
    log_in_browser(page, live_server.url, firm_a.admin.user.email, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    # Select all, then a refused confirmation: nothing is posted.
    page.get_by_label("Tout sélectionner sur la page").check()
    expect(page.locator("input[name=selected]:checked")).to_have_count(2)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Réattribuer").click()
    assert asked == ["Réattribuer ces clients ?"]
    expect(page).to_have_url(f"{live_server.url}/f/{firm.slug}/clients/")
    page.get_by_label("Tout sélectionner sur la page").uncheck()
    expect(page.locator("input[name=selected]:checked")).to_have_count(0)

    # htmx still swaps the table in place.
    page.get_by_label("Rechercher").fill("garage")
    expect(page.locator("#client-table")).not_to_contain_text("Boulangerie Martin")
    expect(page.locator("#client-table")).to_contain_text("Garage Moreau")

    # The dashboard: its meters, charts and print button.
    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/")
    expect(page.locator(".chart__svg")).to_have_count(2)
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Imprimer").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.screenshot(path=artifacts_dir / "csp-dashboard.png", full_page=True)

    # The cartography tab: a platform chosen on a date typed the French way.
    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{clients[0].pk}/cartographie/")
    reception = page.get_by_test_id("platform-reception")
    reception.get_by_label("Plateforme agréée").select_option(index=1)
    reception.get_by_label("Statut").select_option(label="Choisie")
    expect(reception.get_by_label("Depuis le")).to_have_attribute("placeholder", "jj/mm/aaaa")
    reception.get_by_label("Depuis le").fill("02/03/2026")
    reception.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("platform-reception")).to_contain_text("Choisie : 02/03/2026")
    page.screenshot(path=artifacts_dir / "csp-cartography.png", full_page=True)

    for path in (
        "travaux/",
        "parametres/",
        "parametres/membres/",
        "parametres/jetons/",
        "parametres/score/",
        "parametres/catalogues/logiciels/",
    ):
        page.goto(f"{live_server.url}/f/{firm.slug}/{path}")
        expect(page.locator("main")).to_be_visible()
    page.goto(f"{live_server.url}/f/{firm.slug}/travaux/")
    page.screenshot(path=artifacts_dir / "csp-jobs-empty.png")

    assert page.violations == []
    assert page.policies == {STRICT_POLICY}
    assert page.elsewhere == []


def test_the_api_documentation_works_offline_under_the_policy(strict_page: Page, live_server):
    page = strict_page
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Pilote FE API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/clients/").first).to_be_visible()
    assert page.violations == []
    assert page.policies == {STRICT_POLICY}
    assert page.elsewhere == []
