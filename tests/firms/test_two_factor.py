"""Two-factor authentication: mandatory for administrators and supervisors (and for everyone when
the firm says so), optional for collaborators, with recovery codes; API tokens unaffected. These
tests use Django's plain test client: the code pages are what they check."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from firms import services, two_factor
from firms.tenancy import firm_scope
from tests import factories
from tests.auth import authenticator_code

pytestmark = pytest.mark.django_db


def log_in(email: str) -> tuple[Client, object]:
    browser = Client()
    response = browser.post(
        "/compte/connexion/", {"username": email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return browser, response


def firm_page(cast) -> str:
    return f"/f/{cast.firm.slug}/clients/"


def test_an_administrator_without_a_device_is_led_to_enrolment_then_to_the_firm(firm_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code right after a wrong one
    user = firm_a.admin.user
    browser, response = log_in(user.email)
    assert response["Location"].startswith("/compte/double-authentification/activer/")
    # Nothing of the firm before the second factor.
    blocked = browser.get(firm_page(firm_a))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/compte/double-authentification/?next=")
    assert browser.get(blocked["Location"])["Location"].startswith(
        "/compte/double-authentification/activer/"
    )

    page = browser.get(response["Location"])
    content = page.content.decode()
    assert "<svg" in content and 'data-testid="totp-secret"' in content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert two_factor.secret_of(device) in content
    # A reload keeps the secret already scanned.
    assert two_factor.secret_of(device) in browser.get(response["Location"]).content.decode()

    wrong = browser.post(response["Location"], {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()

    done = browser.post(response["Location"], {"code": two_factor.current_code(device)})
    assert done.status_code == 302
    assert done["Location"].startswith("/compte/double-authentification/codes-de-secours/")
    codes_page = browser.get(done["Location"]).content.decode()
    codes = list(two_factor.StaticToken.objects.filter(device__user=user))
    assert len(codes) == two_factor.RECOVERY_CODES
    assert all(code.token in codes_page for code in codes)
    # Shown once.
    assert browser.get(done["Location"]).status_code == 302
    assert browser.get(firm_page(firm_a)).status_code == 200


def test_an_enrolled_supervisor_types_the_code_after_the_password(firm_a):
    user = firm_a.supervisor.user
    two_factor.enrol_with_secret(user)
    browser, response = log_in(user.email)
    assert response["Location"].startswith("/compte/double-authentification/?next=")
    assert browser.get(firm_page(firm_a)).status_code == 302

    refused = browser.post(response["Location"], {"code": "123456"})
    assert "Code incorrect ou déjà utilisé" in refused.content.decode()
    code = authenticator_code(user)
    verified = browser.post(response["Location"], {"code": code, "next": firm_page(firm_a)})
    assert verified["Location"] == firm_page(firm_a)
    assert browser.get(firm_page(firm_a)).status_code == 200

    # The same code cannot be used twice (another session trying it right after).
    other, other_response = log_in(user.email)
    replay = other.post(other_response["Location"], {"code": code})
    assert replay.status_code == 200
    assert "déjà utilisé" in replay.content.decode()


def test_a_next_address_elsewhere_is_ignored(firm_a):
    user = firm_a.supervisor.user
    two_factor.enrol_with_secret(user)
    browser, _ = log_in(user.email)
    response = browser.post(
        "/compte/double-authentification/",
        {"code": authenticator_code(user), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_recovery_code_works_once(firm_a):
    user = firm_a.admin.user
    two_factor.enrol_with_secret(user)
    first, *_ = two_factor.new_recovery_codes(user)
    browser, response = log_in(user.email)
    used = browser.post(response["Location"], {"code": first.upper(), "next": "/"}, follow=True)
    assert "il vous en reste 9" in used.content.decode()

    again, again_response = log_in(user.email)
    refused = again.post(again_response["Location"], {"code": first})
    assert "Code incorrect" in refused.content.decode()


def test_wrong_codes_slow_the_next_attempts_down(firm_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10  # a wrong code locks the device for 10 s
    user = firm_a.admin.user
    device = two_factor.enrol_with_secret(user)
    browser, response = log_in(user.email)
    wrong = browser.post(response["Location"], {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    throttled = browser.post(response["Location"], {"code": two_factor.current_code(device)})
    assert "Trop d&#x27;essais : réessayez dans" in throttled.content.decode()
    assert browser.get(firm_page(firm_a)).status_code == 302


def test_a_collaborator_may_go_without_a_second_factor(firm_a):
    browser, response = log_in(firm_a.collaborator.user.email)
    assert response["Location"] == "/"
    assert browser.get(firm_page(firm_a)).status_code == 200


def test_an_enrolled_collaborator_cannot_skip_the_code_by_typing_an_address(firm_a):
    user = firm_a.collaborator.user
    two_factor.enrol_with_secret(user)
    browser, response = log_in(user.email)
    assert response["Location"].startswith("/compte/double-authentification/")
    assert browser.get(firm_page(firm_a)).status_code == 302


def test_a_firm_can_make_it_mandatory_for_everyone(firm_a):
    firm_a.firm.two_factor_for_all = True
    firm_a.firm.save(update_fields=["two_factor_for_all"])
    _, response = log_in(firm_a.collaborator.user.email)
    assert response["Location"].startswith("/compte/double-authentification/activer/")


def test_an_unverified_htmx_request_sends_the_whole_page_to_the_code(firm_a):
    browser = Client()
    browser.force_login(firm_a.admin.user)
    response = browser.get(firm_page(firm_a), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/compte/double-authentification/?next=")


def test_api_tokens_need_no_second_factor(firm_a):
    with firm_scope(firm_a.firm):
        _, raw = services.create_api_token(membership=firm_a.admin, name="script")
    response = Client().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200


def test_only_an_optional_second_factor_can_be_turned_off(client, firm_a):
    client.force_login(firm_a.admin.user)
    client.post("/compte/double-authentification/desactiver/")
    assert two_factor.is_enrolled(firm_a.admin.user)

    collaborator = firm_a.collaborator.user
    two_factor.enrol_with_secret(collaborator)
    client.force_login(collaborator)  # completes the code page
    page = client.get("/compte/securite/").content.decode()
    assert "Désactiver" in page
    client.post("/compte/double-authentification/desactiver/")
    assert not two_factor.is_enrolled(collaborator)


def test_new_recovery_codes_replace_the_old_ones(client, firm_a):
    user = firm_a.admin.user
    client.force_login(user)
    old = set(two_factor.new_recovery_codes(user))
    response = client.post("/compte/double-authentification/codes-de-secours/", follow=True)
    shown = response.content.decode()
    new = set(
        two_factor.StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert new and not (new & old)
    assert all(code in shown for code in new)


def test_an_administrator_makes_it_mandatory_for_everyone_in_the_settings(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/",
        {"name": firm_a.firm.name, "stale_after_months": 6, "two_factor_for_all": "on"},
    )
    assert response.status_code == 302
    firm_a.firm.refresh_from_db()
    assert firm_a.firm.two_factor_for_all
    collaborator = Client()
    collaborator.force_login(firm_a.collaborator.user)
    assert collaborator.get(firm_page(firm_a)).status_code == 302
