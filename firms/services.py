"""Changes to firms, members and invitations. Each service owns its transaction."""

from __future__ import annotations

import io
import struct
import zlib

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from firms import emails
from firms.api_tokens import hash_token, new_raw_token
from firms.models import ApiToken, Firm, Invitation, Membership, Role, User
from firms.signals import firm_created
from firms.tenancy import firm_scope

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = (800, 400)
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")  # what the form offers; Pillow opens no other format
# What Pillow raises on a broken file, besides OSError (UnidentifiedImageError): a bad PNG
# checksum is a SyntaxError, truncated or inconsistent data any of the others.
IMAGE_DECODING_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)
INVITATION_SALT = "firms.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def create_firm(*, name: str, slug: str = "") -> Firm:
    """Create a firm. The apps above give it what a new firm starts with (``firm_created``:
    the default software catalogue and the DGFiP list of platforms), in the same transaction.
    Without a slug, one is made from the name (``-2``, ``-3``… when taken)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Donnez le nom du cabinet.")})
    base = slug or slugify(name)[:50] or "cabinet"
    with transaction.atomic():
        slug, n = base, 1
        while Firm.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base[:45]}-{n}"
        firm = Firm.objects.create(name=name, slug=slug)
        firm_created.send(sender=Firm, firm=firm)
    return firm


def update_firm_profile(*, firm: Firm, data: dict, by: User) -> Firm:
    with transaction.atomic():
        for field, value in data.items():
            setattr(firm, field, value)
        firm.save(update_fields=list(data))
    return firm


def store_firm_logo(*, firm: Firm, upload, by: User) -> Firm:
    """Validate an uploaded image and keep a re-encoded PNG: the original bytes (and any
    payload hidden in them) are never stored or served."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo ne doit pas dépasser 2 Mo."), code="too_large")
    try:
        with Image.open(upload, formats=LOGO_FORMATS) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload, formats=LOGO_FORMATS) as image:
            if image.width * image.height > 25_000_000:
                raise ValidationError(_("Image trop grande."), code="too_many_pixels")
            image = image.convert("RGBA")
            image.thumbnail(LOGO_MAX_PIXELS)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
    except IMAGE_DECODING_ERRORS as error:
        raise ValidationError(
            _("Ce fichier n'est pas une image lisible (PNG, JPEG ou WebP)."), code="invalid_image"
        ) from error
    with transaction.atomic():
        old = firm.logo.name if firm.logo else ""
        firm.logo.save(f"{firm.slug}-logo.png", ContentFile(buffer.getvalue()), save=False)
        firm.save(update_fields=["logo"])
        if old:
            transaction.on_commit(lambda: firm.logo.storage.delete(old))
    return firm


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"firm": invitation.firm_id, "invitation": invitation.pk}, salt=INVITATION_SALT
    )


def read_invitation_token(token: str) -> tuple[int, int] | None:
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return payload["firm"], payload["invitation"]


def invite_member(*, firm: Firm, email: str, role: Role, by: User, base_url: str) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.for_firm(firm).filter(user__email=email, is_active=True).exists():
        raise ValidationError({"email": _("Cette personne est déjà membre du cabinet.")})
    with transaction.atomic():
        Invitation.objects.for_firm(firm).filter(email=email, accepted_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(firm=firm, email=email, role=role, invited_by=by)
        link = base_url + reverse("accept_invitation", args=[invitation_token(invitation)])
        transaction.on_commit(lambda: emails.send_invitation(invitation=invitation, link=link))
    return invitation


def revoke_invitation(*, firm: Firm, invitation: Invitation, by: User) -> None:
    Invitation.objects.for_firm(firm).filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def accept_invitation(
    *, firm_id: int, invitation_id: int, user: User | None, full_name: str = "", password: str = ""
) -> Membership:
    """Turn a pending invitation into a membership; create the account if there is none."""
    with firm_scope(firm_id), transaction.atomic():
        invitation = (
            Invitation.objects.for_firm(firm_id)
            .select_for_update()
            .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if invitation is None:
            raise ValidationError(_("Cette invitation n'est plus valable."))
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise ValidationError(
                    _("Un compte existe déjà pour cette adresse : connectez-vous.")
                )
            user = User.objects.create_user(invitation.email, password, full_name=full_name)
        elif user.email != invitation.email:
            raise ValidationError(_("Cette invitation a été envoyée à une autre adresse e-mail."))
        membership, _created = Membership.objects.for_firm(firm_id).update_or_create(
            firm_id=firm_id, user=user, defaults={"role": invitation.role, "is_active": True}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


def change_member_role(*, firm: Firm, membership: Membership, role: Role, by: User) -> Membership:
    with transaction.atomic():
        _ensure_an_admin_remains(firm=firm, membership=membership, new_role=role, active=True)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def set_member_active(*, firm: Firm, membership: Membership, active: bool, by: User) -> Membership:
    if membership.user_id == by.pk and not active:
        raise ValidationError(_("Vous ne pouvez pas retirer votre propre accès."))
    with transaction.atomic():
        _ensure_an_admin_remains(
            firm=firm, membership=membership, new_role=membership.role, active=active
        )
        membership.is_active = active
        membership.save(update_fields=["is_active"])
    return membership


def _ensure_an_admin_remains(
    *, firm: Firm, membership: Membership, new_role: str, active: bool
) -> None:
    if membership.role != Role.ADMIN or (new_role == Role.ADMIN and active):
        return
    others = (
        Membership.objects.for_firm(firm)
        .select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(_("Le cabinet doit garder au moins un administrateur."))


def create_api_token(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the secret, shown once."""
    raw = new_raw_token(membership.firm_id)
    token = ApiToken.objects.create(
        firm_id=membership.firm_id, membership=membership, name=name, key_hash=hash_token(raw)
    )
    return token, raw


def revoke_api_token(*, membership: Membership, token_id: int) -> None:
    ApiToken.objects.for_firm(membership.firm_id).filter(
        pk=token_id, membership=membership, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def site_url(request) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/").rstrip("/")
