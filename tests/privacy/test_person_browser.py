"""In a real browser: an administrator finds a person, sees what will go and what a legal duty
keeps, types the name again and erases them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.auth import log_in_browser
from tests.privacy.test_person_data import NAME, person  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_finds_and_erases_a_person(
    page: Page,
    live_server,
    firm_a,
    person,  # noqa: F811
    artifacts_dir,
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_browser(page, live_server.url, firm_a.admin.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/parametres/donnees/")
    page.get_by_role("link", name="Données d'une personne").click()
    expect(page.get_by_test_id("person-start")).to_be_visible()

    page.get_by_label("Nom", exact=True).fill("jeanne dupuis-ferrand")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_test_id("person-retained")).to_be_visible()
    expect(page).to_have_url(re.compile(r"nom=jeanne"))  # the search is in the URL
    expect(page.get_by_test_id("person-retained").locator("tbody tr")).to_have_count(3)
    page.screenshot(path=artifacts_dir / "privacy-person-found.png", full_page=True)

    page.get_by_label(re.compile("Pour effacer, recopiez")).fill("Jeanne")
    page.get_by_role("button", name="Effacer ou anonymiser").click()
    expect(page.get_by_text("Recopiez exactement")).to_be_visible()

    page.get_by_label(re.compile("Pour effacer, recopiez")).fill(NAME)
    page.get_by_role("button", name="Effacer ou anonymiser").click()
    expect(page.locator(".flash--success")).to_contain_text("3 ligne(s) conservée(s)")
    expect(page.get_by_test_id("retained-rows").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("person-actions")).to_contain_text("Effacement")
    page.screenshot(path=artifacts_dir / "privacy-person-erased.png", full_page=True)
