"""In a real browser: the urgency badge follows the cartography, and an administrator reweights
the grid, previews the spread and the clients that change level, saves, and watches the
portfolio being rescored; a grid the editor refuses comes back as typed, its faulty cells
marked."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, live_server, user, next_url: str) -> None:
    log_in_browser(page, live_server.url, user.email, factories.PASSWORD, f"{next_url}")


def _points(page: Page) -> int:
    text = page.locator(".page-head .urgency").first.inner_text()
    return int(re.search(r"(\d+) pts", text).group(1))


def test_the_badge_and_its_breakdown_follow_the_cartography(
    page: Page, live_server, firm_a, artifacts_dir
):
    client = factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, company_name="Garage Moreau"
    )
    with firm_scope(firm_a.firm):
        score_clients(firm=firm_a.firm, client_ids=[client.pk])[0]
    page.set_viewport_size({"width": 1440, "height": 1000})
    tab = f"/f/{firm_a.firm.slug}/clients/{client.pk}/cartographie/"
    _login(page, live_server, firm_a.collaborator.user, tab)
    before = _points(page)

    page.get_by_label("Comment les factures sont-elles produites aujourd'hui ?").select_option(
        label="Word / Excel"
    )
    expect(page.get_by_test_id("profile-invoice_tool")).to_contain_text("Enregistré")
    page.reload()
    # Unanswered counted as the worst answer (paper, +8); Word or Excel is +6 in the default grid.
    assert _points(page) == before - 2

    badge = page.locator(".page-head .urgency").first
    badge.focus()  # keyboard users get the breakdown too
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Production des factures")
    expect(tooltip).to_contain_text("Factures sous Word ou Excel")
    page.screenshot(path=artifacts_dir / "scoring-badge-breakdown.png")


@pytest.mark.worker
def test_an_administrator_reweights_previews_saves_and_the_portfolio_is_rescored(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir
):
    client = factories.make_client(firm_a.firm, company_name="Café de la Poste")
    with firm_scope(firm_a.firm):
        score_clients(firm=firm_a.firm, client_ids=[client.pk])[0]
    page.set_viewport_size({"width": 1440, "height": 1000})
    editor = f"/f/{firm_a.firm.slug}/parametres/score/"
    _login(page, live_server, firm_a.admin.user, editor)

    # A blank client scores 52, high; raising the high threshold to 60 makes it medium.
    cell = page.locator('[name="thresholds.high_from"]')
    cell.fill("60")
    cell.press("Tab")  # a change previews at once
    preview = page.locator("#grid-preview")
    expect(preview).to_contain_text("Avec cette grille")
    expect(preview.locator(".urgency--medium .spread__n")).to_have_text("1")
    changes = page.get_by_test_id("level-changes")
    expect(changes).to_contain_text("Café de la Poste")
    expect(changes).to_contain_text("Élevée → Moyenne")
    page.screenshot(path=artifacts_dir / "scoring-grid-preview.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Recalcul des scores du portefeuille")).to_be_visible()
    expect(page.locator(".job .badge--ok")).to_have_text("Terminé", timeout=30_000)
    page.screenshot(path=artifacts_dir / "scoring-rescored.png")

    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/clients/{client.pk}/")
    expect(page.locator(".page-head .urgency").first).to_contain_text("Moyenne")


def test_a_refused_grid_keeps_what_was_typed_and_marks_the_faulty_cells(
    page: Page, live_server, firm_a, artifacts_dir
):
    page.set_viewport_size({"width": 1440, "height": 1000})
    editor = f"/f/{firm_a.firm.slug}/parametres/score/"
    _login(page, live_server, firm_a.admin.user, editor)
    expect(page.get_by_text("Ce qui n'est pas encore connu compte comme la pire")).to_be_visible()

    # The live preview: "Non renseignée" below "Maturité faible" is refused and both are marked.
    maturity = page.locator('[name="criteria.digital_maturity.points.unanswered"]')
    maturity.fill("1")
    maturity.press("Tab")
    alert = page.locator("#grid-preview").get_by_role("alert")
    expect(alert).to_contain_text(
        "Critère « Maturité numérique » : « Non renseignée » vaut 1 point"
    )
    expect(maturity).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[name="criteria.digital_maturity.points.low"]')).to_have_attribute(
        "aria-invalid", "true"
    )
    maturity.fill("5")
    maturity.press("Tab")
    expect(page.locator("#grid-preview")).to_contain_text("Avec cette grille")
    expect(maturity).not_to_have_attribute("aria-invalid", "true")

    # Saving: the page comes back with what was typed, the faulty row marked and focused.
    paper = page.locator('[name="criteria.invoice_tool.points.paper"]')
    paper.fill("9")
    page.locator('[name="criteria.mandate_not_signed.points"]').fill("5")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Critère « Production des factures » : « Non renseigné » vaut 8 points, moins que "
        "« Factures papier » (9 points)."
    )
    expect(page.get_by_role("alert")).not_to_contain_text("(paper)")
    expect(paper).to_have_value("9")
    expect(paper).to_have_attribute("aria-invalid", "true")
    expect(paper).to_be_focused()
    expect(page.locator('[name="criteria.mandate_not_signed.points"]')).to_have_value("5")
    expect(page.locator("tr.row--error")).to_have_count(2)
    page.screenshot(path=artifacts_dir / "scoring-grid-refused.png", full_page=True)
