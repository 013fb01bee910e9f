"""Logging in as the product wants it: the password, then the second factor for whoever needs it.

Every test, the isolation sweep and the benches log in through :class:`VerifiedClient` (the
``client`` fixture) or :func:`log_in_browser`, so that no check passes on a redirect to the code
page: the code is typed on the real page, as a user would.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from firms import two_factor
from firms.models import User


def authenticator_code(user: User) -> str:
    """What the user's authenticator app shows now, enrolling the user first if needed. The
    device's memory of the last code used is reset, so that logging in twice within the same
    30 seconds (as tests do) is not refused as a replay."""
    device = two_factor.totp_device(user) or two_factor.enrol_with_secret(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return two_factor.current_code(device)


def complete_second_factor(client: Client, user: User) -> None:
    response = client.post(
        reverse("two_factor_verify"), {"code": authenticator_code(user), "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/", (
        f"second factor refused for {user.email}: {response.status_code}"
    )


class VerifiedClient(Client):
    """The test client; ``force_login`` also completes the second factor, on the code page,
    for users who need one."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        if two_factor.needed_at_login(user):
            complete_second_factor(self, user)


def log_in_browser(page, base_url: str, email: str, password: str, next_url: str = "") -> None:
    """The login form, then the code page when it comes, in the browser."""
    query = f"?next={next_url}" if next_url else ""
    page.goto(f"{base_url}{reverse('login')}{query}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/double-authentification/activer/" in page.url:
        # Enrolment, as the page asks: the code of the secret it shows, then the recovery codes.
        device = TOTPDevice.objects.get(user__email=email, confirmed=False)
        page.get_by_label("Code à 6 chiffres").fill(two_factor.current_code(device))
        page.get_by_role("button", name="Activer").click()
        page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
        page.wait_for_load_state()
    elif "/double-authentification/" in page.url:
        page.get_by_label("Code").fill(authenticator_code(User.objects.get(email=email)))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state()
