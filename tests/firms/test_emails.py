"""E-mails as they arrive through the real SMTP server: the sender's name and address, and
text that is not HTML-escaped."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr

import pytest
from django.conf import settings

from firms.models import Firm, Role

pytestmark = [pytest.mark.smtp, pytest.mark.django_db(transaction=True)]


def decoded(header: str) -> str:
    return str(make_header(decode_header(header)))


def sender(message: Message) -> tuple[str, str]:
    """The From header's display name (decoded) and address."""
    name, address = parseaddr(message["From"])
    return decoded(name), address


def parts(message: Message) -> tuple[str, str]:
    """The plain-text and the HTML part."""
    text, html = message.get_payload()
    return (
        text.get_payload(decode=True).decode(text.get_content_charset()),
        html.get_payload(decode=True).decode(html.get_content_charset()),
    )


def invite(client, cast, email: str = "nouvelle@example.test"):
    client.force_login(cast.admin.user)
    return client.post(
        f"/f/{cast.firm.slug}/parametres/membres/", {"email": email, "role": Role.COLLABORATOR}
    )


@pytest.mark.parametrize(
    "sender_name",
    [
        "Fiduciaire Martin, Expertise & Associés",
        # Once formatted by hand, this name made the e-mail leave from dg@banque.fr.
        "Banque <dg@banque.fr> (",
        'Cabinet "Le Comptoir" \\ Conseil',
    ],
)
def test_the_firms_sender_name_is_only_a_display_name(client, firm_a, smtp_inbox, sender_name):
    Firm.objects.filter(pk=firm_a.firm.pk).update(
        email_sender_name=sender_name, email_reply_to="secretariat@martin.example.test"
    )
    response = invite(client, firm_a)
    assert response.status_code == 302
    [message] = smtp_inbox.messages
    assert sender(message) == (sender_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    assert parseaddr(message["Reply-To"])[1] == "secretariat@martin.example.test"
    assert message["X-Envelope-To"] == "nouvelle@example.test"


def test_without_a_sender_name_the_configured_sender_is_used(client, firm_a, smtp_inbox):
    invite(client, firm_a)
    [message] = smtp_inbox.messages
    assert sender(message) == parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert message["Reply-To"] is None


def test_the_subject_and_the_plain_text_are_not_html_escaped(client, firm_a, smtp_inbox):
    Firm.objects.filter(pk=firm_a.firm.pk).update(name="Cabinet Durand & Associés")
    invite(client, firm_a)
    [message] = smtp_inbox.messages
    assert decoded(message["Subject"]) == "Cabinet Durand & Associés vous invite sur Pilote FE"
    text, html = parts(message)
    assert "rejoindre Cabinet Durand & Associés sur Pilote FE" in text
    assert "&amp;" not in text and "&#" not in text
    # The HTML part is still escaped, as HTML must be.
    assert "<strong>Cabinet Durand &amp; Associés</strong>" in html


def test_the_password_reset_text_is_not_html_escaped(client, smtp_inbox):
    from tests import factories

    user = factories.make_user(email="jean.o'neil&co@example.test")
    client.post("/compte/mot-de-passe/oubli/", {"email": user.email})
    [message] = smtp_inbox.messages
    assert message["To"] == user.email
    text, html = parts(message)
    assert "(jean.o'neil&co@example.test)" in text
    assert "(jean.o&#x27;neil&amp;co@example.test)" in html
    assert sender(message) == parseaddr(settings.DEFAULT_FROM_EMAIL)
