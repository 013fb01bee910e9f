"""Every e-mail of the project, each built from a subject/text/html template triple by name.

The subject and the plain text are rendered without HTML escaping (the "text" template engine):
"Durand & Associés" must not arrive as "Durand &amp; Associés". Every address header (From,
Reply-To, To) is built by :func:`address_header`, never by string formatting, so that a firm's
sender name holding a comma, angle brackets or quotes stays a display name.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from firms.models import Firm, Invitation

# The engine of settings.TEMPLATES that renders subjects and plain-text parts.
TEXT_ENGINE = "text"


def address_header(address: str, name: str = "") -> str:
    """One address as a header holds it: the display name quoted or encoded as RFC 5322 and
    RFC 2047 want, whatever characters it has. Line breaks in the name become spaces."""
    name, address = " ".join(name.split()), address.strip()
    if not name:
        # Django's own sanitising encodes an internationalised domain.
        return address
    return formataddr((name, address), charset="utf-8")


def sender(firm: Firm | None = None) -> str:
    """The From header: always the configured address (DEFAULT_FROM_EMAIL), under the firm's
    sender name when it has one, else under the configured name."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if firm is not None and firm.email_sender_name:
        name = firm.email_sender_name
    return address_header(address, name)


def send_templated(*, name: str, to: list[str], context: dict, firm: Firm | None = None) -> None:
    subject = render_to_string(f"emails/{name}_subject.txt", context, using=TEXT_ENGINE)
    text = render_to_string(f"emails/{name}.txt", context, using=TEXT_ENGINE)
    html = render_to_string(f"emails/{name}.html", context)
    reply_to = [address_header(firm.email_reply_to)] if firm and firm.email_reply_to else []
    message = EmailMultiAlternatives(
        # A header is one line.
        subject=" ".join(subject.split()),
        body=text,
        from_email=sender(firm),
        to=[address_header(recipient) for recipient in to],
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(*, invitation: Invitation, link: str) -> None:
    send_templated(
        name="invitation",
        to=[invitation.email],
        context={"invitation": invitation, "firm": invitation.firm, "link": link},
        firm=invitation.firm,
    )


def send_password_reset(*, to: str, context: dict) -> None:
    """The password reset link, with the context Django's password reset form gives."""
    send_templated(name="password_reset", to=[to], context=context)
