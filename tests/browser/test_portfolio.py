"""In a real browser: the demo administrator opens Cartographie FE, filters, sorts, goes back."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from bench.portfolio import fill_portfolio
from firms.models import Firm
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_ADMIN = "admin@demo.pilote-fe.fr"
DEMO_PASSWORD = "pilote-demo-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--clients", "120", stdout=io.StringIO())
    firm = Firm.objects.get(slug="durand-associes")
    fill_portfolio(firm_id=firm.pk, weeks_of_history=12)
    return firm


def _log_in(page: Page, live_server) -> None:
    log_in_browser(page, live_server.url, DEMO_ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Vos cabinets")).to_be_visible()


def test_dashboard_filters_sorts_and_goes_back(page: Page, live_server, demo, artifacts_dir):
    page.set_viewport_size({"width": 1440, "height": 1000})
    _log_in(page, live_server)
    dashboard = f"{live_server.url}/f/{demo.slug}/cartographie/"
    page.goto(dashboard)
    expect(page.get_by_role("heading", name="Cartographie FE")).to_be_visible()
    expect(page.get_by_test_id("kpi-clients")).to_have_text("120")
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(50)
    expect(page.locator(".chart__svg")).to_have_count(2)
    page.screenshot(path=artifacts_dir / "dashboard-1440.png", full_page=True)

    # The two chart cards line up; the firm's name in the header is whole while there is room.
    urgency_card, progress_card = (page.locator(".chart").nth(n).bounding_box() for n in (0, 1))
    assert urgency_card["y"] == progress_card["y"]
    assert urgency_card["height"] == progress_card["height"]
    firm_name = page.locator(".firm-switch__name")
    expect(firm_name).to_have_text("Cabinet Durand & Associés")
    assert firm_name.evaluate("name => name.scrollWidth <= name.clientWidth")

    # The urgency badge shows its breakdown on hover.
    page.locator("table.table--dash > tbody > tr > td > .urgency").first.hover()
    expect(page.locator("tbody .urgency__tip").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard-badge-hover.png")

    # A filter refreshes the results in place and lands in the URL.
    page.locator("#dash-urgency").select_option("medium")
    expect(page).to_have_url(re.compile(r"urgency=medium"))
    expect(page.get_by_test_id("kpi-clients")).not_to_have_text("120")
    badges = page.locator("table.table--dash > tbody > tr > td > .urgency")
    expect(badges.first).to_have_class(re.compile("urgency--medium"))
    expect(page.locator("table.table--dash .urgency--low")).to_have_count(0)

    # Sorting by name keeps the filter.
    page.locator("thead").get_by_role("link", name="Client").click()
    expect(page).to_have_url(re.compile(r"urgency=medium.*sort=name"))

    # Back: the unfiltered dashboard again.
    page.go_back()
    page.go_back()
    expect(page).to_have_url(dashboard)
    expect(page.get_by_test_id("kpi-clients")).to_have_text("120")

    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(dashboard)
    expect(page.locator(".kpi").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "dashboard-1024.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=artifacts_dir / "dashboard-print.png", full_page=True)


@pytest.mark.parametrize("width", [1440, 1024])
def test_the_table_fits_and_its_header_and_bulk_bar_stay_in_sight(
    page: Page, live_server, demo, artifacts_dir, width
):
    page.set_viewport_size({"width": width, "height": 800})
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/f/{demo.slug}/cartographie/")
    table = page.locator("table.table--dash")
    expect(table).to_be_visible()
    # No horizontal scroll: the table is not wider than its card.
    fits = table.evaluate("t => t.scrollWidth <= t.closest('.card').clientWidth")
    assert fits, f"the table overflows at {width} px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    narrow_note = page.get_by_test_id("narrow-note")
    if width < 1280:
        expect(narrow_note).to_be_visible()
        expect(page.locator("thead").get_by_text("Catégorie")).to_be_hidden()
    else:
        expect(narrow_note).to_be_hidden()
        expect(page.locator("thead").get_by_text("Catégorie")).to_be_visible()

    # Half-way down the table the header is under the top bar and the bulk bar at the bottom.
    page.locator("table.table--dash > tbody > tr").nth(25).scroll_into_view_if_needed()
    topbar_bottom = page.evaluate(
        "document.querySelector('.topbar').getBoundingClientRect().bottom"
    )
    header_top = page.evaluate(
        "document.querySelector('.table--dash thead th').getBoundingClientRect().top"
    )
    assert abs(header_top - topbar_bottom) <= 2
    bar = page.evaluate(
        "(() => { const r = document.querySelector('.bulkbar')"
        ".getBoundingClientRect(); return [r.top, r.bottom]; })()"
    )
    assert bar[0] > 0 and bar[1] <= 800 + 1
    page.get_by_label(re.compile("^Sélectionner ")).nth(25).check()
    expect(page.locator("[data-bulk-count]")).to_have_text("1 client coché")
    page.screenshot(path=artifacts_dir / f"dashboard-scrolled-{width}.png")
