"""E-mails about firms and members, each built from a subject/text/html template triple."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from firms.models import Firm, Invitation


def send_templated(*, name: str, to: list[str], context: dict, firm: Firm | None = None) -> None:
    subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    from_email = settings.DEFAULT_FROM_EMAIL
    reply_to = []
    if firm is not None:
        if firm.email_sender_name:
            address = from_email.rsplit("<", 1)[-1].rstrip(">")
            from_email = f"{firm.email_sender_name} <{address}>"
        if firm.email_reply_to:
            reply_to = [firm.email_reply_to]
    message = EmailMultiAlternatives(subject, text, from_email, to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(*, invitation: Invitation, link: str) -> None:
    send_templated(
        name="invitation",
        to=[invitation.email],
        context={"invitation": invitation, "firm": invitation.firm, "link": link},
        firm=invitation.firm,
    )
