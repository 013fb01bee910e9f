"""The firm settings page: profile, logo, members, invitations, API tokens."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from firms.models import Firm, Invitation, Membership, Role, User
from firms.tenancy import firm_scope


def _png(size=(1600, 900), color=(30, 80, 200)) -> bytes:
    return _image("PNG", size, color)


def _image(image_format: str, size=(64, 32), color=(30, 80, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def _png_with_a_bad_checksum() -> bytes:
    """A PNG whose image data (IDAT) fails its CRC: Pillow opens it, then raises SyntaxError."""
    content = bytearray(_png(size=(32, 32)))
    start = content.index(b"IDAT")
    length = int.from_bytes(content[start - 4 : start], "big")
    content[start + 4 + length] ^= 0xFF  # the first byte of the chunk's CRC
    return bytes(content)


def test_profile_is_saved_with_checked_identifiers(client, firm_a):
    client.force_login(firm_a.admin.user)
    url = f"/f/{firm_a.firm.slug}/parametres/"
    response = client.post(
        url, {"name": "Cabinet Alpha", "siren": "732 829 320", "stale_after_months": 6}
    )
    assert response.status_code == 302
    assert Firm.objects.get(pk=firm_a.firm.pk).siren == "732829320"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "732829321", "clé de contrôle"),
        ("siren", "1234", "9 chiffres"),
        ("vat_number", "FR00123456789", "TVA intracommunautaire invalide"),
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "IBAN invalide"),
        ("stale_after_months", "0", "Entre 1 et 36"),
    ],
)
def test_profile_errors_are_shown_next_to_the_field(client, firm_a, field, value, message):
    client.force_login(firm_a.admin.user)
    data = {"name": "Cabinet Alpha", "stale_after_months": 6, field: value}
    response = client.post(f"/f/{firm_a.firm.slug}/parametres/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Firm.objects.get(pk=firm_a.firm.pk).siren == ""


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_the_formats_the_form_offers_are_accepted(client, firm_a, image_format):
    client.force_login(firm_a.admin.user)
    upload = SimpleUploadedFile("logo", _image(image_format))
    response = client.post(f"/f/{firm_a.firm.slug}/parametres/logo/", {"logo": upload})
    assert response.status_code == 302
    assert Firm.objects.get(pk=firm_a.firm.pk).logo


def test_a_logo_is_re_encoded_and_reduced(client, firm_a):
    client.force_login(firm_a.admin.user)
    upload = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = client.post(f"/f/{firm_a.firm.slug}/parametres/logo/", {"logo": upload})
    assert response.status_code == 302
    image = client.get(f"/f/{firm_a.firm.slug}/parametres/logo/image/")
    stored = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert stored.format == "PNG" and stored.size == (711, 400)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?php system($_GET['c']); ?>", "pas une image lisible"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "pas une image lisible"),
        (b"\x00" * (2 * 1024 * 1024 + 1), "2 Mo"),
        (_png_with_a_bad_checksum(), "pas une image lisible (PNG, JPEG ou WebP)"),
        # Images Pillow reads, but not of the formats the form offers.
        (_image("GIF"), "pas une image lisible (PNG, JPEG ou WebP)"),
        (_image("BMP"), "pas une image lisible (PNG, JPEG ou WebP)"),
        (_image("TIFF"), "pas une image lisible (PNG, JPEG ou WebP)"),
        (_image("ICO"), "pas une image lisible (PNG, JPEG ou WebP)"),
    ],
    ids=["php", "empty-png", "too-large", "bad-checksum", "gif", "bmp", "tiff", "ico"],
)
def test_a_bad_logo_is_refused_with_a_message(client, firm_a, content, message):
    client.force_login(firm_a.admin.user)
    upload = SimpleUploadedFile("logo.png", content, content_type="image/png")
    response = client.post(f"/f/{firm_a.firm.slug}/parametres/logo/", {"logo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Firm.objects.get(pk=firm_a.firm.pk).logo


@pytest.mark.smtp
@pytest.mark.django_db(transaction=True)  # the e-mail leaves once the invitation is committed
def test_an_invitation_is_mailed_and_accepted_by_a_newcomer(client, firm_a, smtp_inbox):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/membres/",
        {"email": "Nouvelle@Example.test", "role": Role.SUPERVISOR},
    )
    assert response.status_code == 302
    assert [m["To"] for m in smtp_inbox.messages] == ["nouvelle@example.test"]
    body = smtp_inbox.messages[0].get_payload()[0].get_payload(decode=True).decode()
    link = re.search(r"https?://[^/]+(/invitations/\S+/)", body).group(1)
    client.logout()
    response = client.post(
        link,
        {
            "full_name": "Nina Nouvelle",
            "password": "un-mot-de-passe-sur",
            "password_confirm": "un-mot-de-passe-sur",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@example.test")
    with firm_scope(firm_a.firm):
        membership = Membership.objects.for_firm(firm_a.firm).get(user=user)
        invitation = Invitation.objects.for_firm(firm_a.firm).get(email=user.email)
    assert membership.role == Role.SUPERVISOR and invitation.accepted_at is not None
    again = client.post(link, {})
    assert "Cette invitation n&#x27;est plus valable." in again.content.decode()


def test_a_forged_invitation_link_is_a_404(client):
    assert client.get("/invitations/not-a-signed-token/").status_code == 404


def test_the_last_administrator_cannot_be_demoted(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/membres/{firm_a.admin.pk}/",
        {"role": Role.COLLABORATOR, "is_active": "on"},
        follow=True,
    )
    assert "au moins un administrateur" in response.content.decode()
    with firm_scope(firm_a.firm):
        assert Membership.objects.for_firm(firm_a.firm).get(pk=firm_a.admin.pk).role == Role.ADMIN


def test_an_administrator_changes_a_role(client, firm_a):
    client.force_login(firm_a.admin.user)
    client.post(
        f"/f/{firm_a.firm.slug}/parametres/membres/{firm_a.collaborator.pk}/",
        {"role": Role.SUPERVISOR, "is_active": "on"},
    )
    with firm_scope(firm_a.firm):
        assert (
            Membership.objects.for_firm(firm_a.firm).get(pk=firm_a.collaborator.pk).role
            == Role.SUPERVISOR
        )


def test_an_api_token_is_shown_once_then_works_then_can_be_revoked(client, firm_a):
    client.force_login(firm_a.collaborator.user)
    page = client.post(
        f"/f/{firm_a.firm.slug}/parametres/jetons/", {"name": "Power BI"}
    ).content.decode()
    raw = re.search(r'data-testid="new-token">(pfe_[^<]+)<', page).group(1)
    api = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.json()["role"] == Role.COLLABORATOR
    with firm_scope(firm_a.firm):
        token_id = firm_a.collaborator.api_tokens.get().pk
    client.post(f"/f/{firm_a.firm.slug}/parametres/jetons/{token_id}/revoquer/")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


def test_the_openapi_schema_is_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
