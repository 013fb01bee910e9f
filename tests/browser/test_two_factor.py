"""Enrolment in the browser: a supervisor without a device scans the QR code, types the first
code, notes the recovery codes and lands in the firm."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from firms import two_factor
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_enrols_at_first_login(page: Page, live_server, firm_a, artifacts_dir):
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(firm_a.supervisor.user.email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    page.screenshot(path=artifacts_dir / "two-factor-enrolment.png", full_page=True)
    device = TOTPDevice.objects.get(user=firm_a.supervisor.user, confirmed=False)
    expect(page.get_by_test_id("totp-secret")).to_have_text(two_factor.secret_of(device))

    page.get_by_label("Code à 6 chiffres").fill(two_factor.current_code(device))
    page.get_by_role("button", name="Activer").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(two_factor.RECOVERY_CODES)
    page.screenshot(path=artifacts_dir / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page).to_have_url(f"{live_server.url}/f/{firm_a.firm.slug}/clients/")
