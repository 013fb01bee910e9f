"""In a real browser: the platform catalogue fits 1024 px and its search narrows it as one types."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 1024])
def test_the_platform_catalogue_fits_and_searches(
    page: Page, live_server, firm_a, default_catalogues, artifacts_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in_browser(page, live_server.url, firm_a.admin.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/parametres/catalogues/plateformes/")
    rows = page.locator("#catalogue-entries tbody tr")
    expect(rows).to_have_count(50)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts_dir / f"catalogue-platforms-{width}.png", full_page=True)

    page.get_by_label("Rechercher dans le catalogue").fill("aruba")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=aruba"))
