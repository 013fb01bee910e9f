"""In a real browser: the demo administrator logs in and switches firm."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from firms.models import User
from tests.auth import authenticator_code, log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_ADMIN = "admin@demo.pilote-fe.fr"
DEMO_PASSWORD = "pilote-demo-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--clients", "40", stdout=io.StringIO())


def test_demo_admin_logs_in_and_switches_firm(page: Page, live_server, demo, artifacts_dir):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/compte/connexion/?next=/")
    page.screenshot(path=artifacts_dir / "login.png")

    page.get_by_label("Adresse e-mail").fill(DEMO_ADMIN)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # The demo's administrator is enrolled: the code of the authenticator app comes next.
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.screenshot(path=artifacts_dir / "two-factor-code.png")
    page.get_by_label("Code").fill(authenticator_code(User.objects.get(email=DEMO_ADMIN)))
    page.get_by_role("button", name="Vérifier").click()

    # Two firms: the chooser lists both.
    expect(page.get_by_role("heading", name="Vos cabinets")).to_be_visible()
    page.get_by_role("link", name="Cabinet Durand & Associés").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "clients-durand.png", full_page=True)

    # The user menu names each language in itself.
    page.get_by_test_id("user-menu").locator("summary").click()
    expect(page.locator(".language-switch")).to_have_text(
        re.compile(r"^\s*Français\s*·\s*English\s*$")
    )
    page.screenshot(path=artifacts_dir / "user-menu.png")
    page.get_by_test_id("user-menu").locator("summary").click()

    page.get_by_test_id("firm-switcher").locator("summary").click()
    page.screenshot(path=artifacts_dir / "firm-switcher.png")
    page.get_by_test_id("firm-switcher").get_by_role(
        "link", name="Fiduciaire Martin Expertise"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/f/martin-expertise/clients/")
    expect(page.locator(".firm-switch__name")).to_have_text("Fiduciaire Martin Expertise")
    page.screenshot(path=artifacts_dir / "clients-martin.png", full_page=True)


def test_a_wrong_password_keeps_the_user_out(page: Page, live_server):
    # A real account (the demo's administrator, without the demo around it), a wrong password.
    User.objects.create_user(DEMO_ADMIN, DEMO_PASSWORD, full_name="Admin Démo")
    log_in_browser(page, live_server.url, DEMO_ADMIN, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
