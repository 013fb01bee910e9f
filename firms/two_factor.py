"""Two-factor authentication (TOTP, with recovery codes), on django-otp's devices.

Who needs a second factor: administrators and supervisors always, every member of a firm that
makes it mandatory for all, and anyone who enrolled of their own accord. A session is verified once
the code (or a recovery code) was checked; the verified device is kept in the session under
django-otp's key, so that checking it costs no query. API tokens are not concerned.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from firms.models import Membership, Role, User
from firms.tenancy import user_scope

ISSUER = "Pilote FE"
RECOVERY_CODES = 10
# Set at login for a user who enrolled: the firm pages then want the second factor whatever the
# role, so that an enrolled collaborator cannot skip it by typing a firm's address.
PENDING_SESSION_KEY = "second_factor_pending"
ROLES_THAT_NEED_IT = {Role.ADMIN, Role.SUPERVISOR}


def required_by_membership(membership: Membership) -> bool:
    return membership.role in ROLES_THAT_NEED_IT or membership.firm.two_factor_for_all


def required_for_user(user: User) -> bool:
    """Whether one of the user's active memberships wants the second factor."""
    with user_scope(user.pk):
        memberships = list(Membership.objects.for_user(user).select_related("firm"))
    return any(required_by_membership(membership) for membership in memberships)


def needed_at_login(user: User) -> bool:
    return is_enrolled(user) or required_for_user(user)


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def wanted_here(request: HttpRequest, membership: Membership) -> bool:
    """Whether this firm page needs a verified session that the request does not have."""
    if is_verified(request):
        return False
    return required_by_membership(membership) or bool(request.session.get(PENDING_SESSION_KEY))


def pending_enrolment(user: User) -> TOTPDevice:
    """The device being set up: the same secret until it is confirmed, so that a reload of the
    page does not invalidate what the user already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The base32 secret that authenticator apps accept when typed, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, omitsize=True)


@transaction.atomic
def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a first code; returns the new recovery codes, or None when the
    code is wrong. The session is verified at once."""
    if not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(device.user)
    django_otp.login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    return codes


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Ten single-use codes, replacing any earlier ones."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name="recovery").count()


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


class Verification:
    """The outcome of a code typed at login."""

    def __init__(self, *, ok: bool, throttled_for: int = 0, recovery_used: bool = False) -> None:
        self.ok = ok
        self.throttled_for = throttled_for
        self.recovery_used = recovery_used


def verify(request: HttpRequest, code: str) -> Verification:
    """Check a six-digit code or a recovery code for the logged-in user; on success the session
    is verified. Wrong codes slow the next attempts down (django-otp's throttling)."""
    user = request.user
    code = normalise_code(code)
    device = totp_device(user)
    if code.isdigit() and device is not None:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait = (details or {}).get("locked_until")
            seconds = 30
            if wait is not None:
                seconds = max(1, int((wait - timezone.now()).total_seconds()))
            return Verification(ok=False, throttled_for=seconds)
        if device.verify_token(code):
            _verified(request, device)
            return Verification(ok=True)
        return Verification(ok=False)
    recovery = StaticDevice.objects.filter(user=user, name="recovery").first()
    if recovery is not None and recovery.verify_token(code):
        _verified(request, recovery)
        return Verification(ok=True, recovery_used=True)
    return Verification(ok=False)


def _verified(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)


@transaction.atomic
def disable(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def enrol_with_secret(user: User) -> TOTPDevice:
    """A confirmed device created directly (the demo data; the tests' login helper)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device (the demo prints its secret; the
    tests type this)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
