"""Writing and sending messages through real SMTP servers (the suite's, and misbehaving ones)."""

from __future__ import annotations

import os
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from firms.tenancy import firm_scope
from outbox.models import OutboxEvent, OutboxMessage
from outbox.services import (
    MAX_ATTEMPTS,
    Attachment,
    deliver,
    deliver_pending,
    enqueue_email,
    resolve_unknown,
    retry_delay,
)
from tests.outbox.conftest import use_smtp
from tests.services import free_port

State = OutboxMessage.State
PDF = b"%PDF-1.7\n\x00\xff\xfe binary \x89PNG invoice\n%%EOF\n"


def _enqueue(firm, **overrides) -> OutboxMessage:
    values = {
        "firm": firm,
        "kind": "invoice",
        "to": ["compta@durand-fils.test"],
        "subject": "Facture F-2026-0012 – Durand & Fils",
        "text_body": "Bonjour,\n\nVeuillez trouver la facture de Durand & Fils <SARL>.\n",
        "html_body": "<p>Bonjour,</p><p>Veuillez trouver la facture de Durand &amp; Fils.</p>",
        "attachments": [Attachment("F-2026-0012.pdf", PDF, "application/pdf")],
    }
    values.update(overrides)
    with firm_scope(firm):
        return enqueue_email(**values)


def _refresh(message: OutboxMessage) -> OutboxMessage:
    with firm_scope(message.firm_id):
        message.refresh_from_db()
    return message


def _states(message: OutboxMessage) -> list[tuple[str, str]]:
    with firm_scope(message.firm_id):
        return list(
            OutboxEvent.objects.for_firm(message.firm_id)
            .filter(message=message)
            .values_list("previous_state", "state")
        )


def _parsed(received) -> object:
    return message_from_bytes(received.as_bytes(), policy=policy.default)


@pytest.mark.smtp
def test_an_invoice_arrives_whole_through_the_suites_smtp_server(outbox_inbox, firm_a):
    firm = firm_a.firm
    firm.email_sender_name = "Cabinet Alpha, Experts & Associés"
    firm.email_reply_to = "contact@alpha.test"
    firm.save()
    message = _enqueue(firm, created_by=firm_a.admin.user)
    assert message.state == State.QUEUED

    assert deliver(message.pk) == State.SENT

    message = _refresh(message)
    assert (message.state, message.attempts, message.last_error) == (State.SENT, 1, "")
    assert message.sent_at is not None
    [received] = outbox_inbox.messages
    email = _parsed(received)
    assert email["X-Envelope-To"] == "compta@durand-fils.test"
    assert email["To"] == "compta@durand-fils.test"
    assert email["Subject"] == "Facture F-2026-0012 – Durand & Fils"
    assert email["From"].addresses[0].display_name == "Cabinet Alpha, Experts & Associés"
    assert email["From"].addresses[0].addr_spec == "no-reply@pilote-fe.localhost"
    assert email["Reply-To"] == "contact@alpha.test"
    assert email["Message-ID"] == message.message_id
    assert message.message_id.endswith("@pilote-fe.localhost>")
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "Durand & Fils <SARL>" in text
    assert "&amp;" not in text and "&lt;" not in text
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "Durand &amp; Fils" in html
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == "F-2026-0012.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_the_attachment_is_stored_when_the_message_is_written(firm_a):
    message = _enqueue(firm_a.firm)
    with firm_scope(firm_a.firm):
        [attachment] = message.attachments.all()
        with attachment.file.open("rb") as file:
            assert file.read() == PDF
    assert (attachment.filename, attachment.mimetype, attachment.size) == (
        "F-2026-0012.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.file.name.startswith(f"outbox/{firm_a.firm.pk}/")


def test_a_second_delivery_sends_nothing(settings, firm_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _enqueue(firm_a.firm)
    assert deliver(message.pk) == State.SENT
    assert deliver(message.pk) == State.SENT
    assert deliver(message.pk, firm_id=firm_a.firm.pk) == State.SENT
    assert len(mail.outbox) == 1
    assert _refresh(message).attempts == 1
    assert _states(message) == [("", "queued"), ("queued", "sending"), ("sending", "sent")]


def test_a_message_that_is_not_due_is_not_sent(settings, firm_a):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _enqueue(firm_a.firm)
    assert deliver(message.pk, now=timezone.now() - timedelta(minutes=1)) == State.QUEUED
    assert mail.outbox == []


def test_an_unknown_id_delivers_nothing(firm_a):
    assert deliver(987654) is None
    assert deliver(987654, firm_id=firm_a.firm.pk) is None


@pytest.mark.smtp
def test_a_busy_server_gets_the_same_message_again_later(smtp_server, firm_a):
    handler = smtp_server(busy_for=2)
    message = _enqueue(firm_a.firm)
    start = timezone.now()

    assert deliver(message.pk, now=start) == State.QUEUED
    message = _refresh(message)
    assert message.attempts == 1
    assert "451 4.3.0 Mailbox busy" in message.last_error
    assert message.next_attempt_at == start + retry_delay(1) == start + timedelta(minutes=1)
    # Not due yet: nothing happens.
    assert deliver(message.pk, now=start + timedelta(seconds=30)) == State.QUEUED
    assert handler.data_commands == 1

    second = start + timedelta(minutes=1)
    assert deliver(message.pk, now=second) == State.QUEUED
    assert _refresh(message).next_attempt_at == second + timedelta(minutes=3)  # backoff grows
    assert deliver(message.pk, now=second + timedelta(minutes=3)) == State.SENT

    message = _refresh(message)
    assert (message.attempts, message.last_error) == (3, "")
    assert len(handler.received) == 3 and len(handler.accepted) == 1
    assert {email["Message-ID"] for email in handler.received} == {message.message_id}
    assert _states(message)[-2:] == [("queued", "sending"), ("sending", "sent")]


@pytest.mark.smtp
def test_a_server_busy_for_good_fails_the_message_after_the_last_attempt(smtp_server, firm_a):
    smtp_server(busy_for=100)
    message = _enqueue(firm_a.firm)
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        assert deliver(message.pk, now=now) == State.QUEUED
        now = _refresh(message).next_attempt_at
    assert deliver(message.pk, now=now) == State.FAILED
    message = _refresh(message)
    assert message.attempts == MAX_ATTEMPTS
    assert "451" in message.last_error
    assert f"Abandon après {MAX_ATTEMPTS} tentatives" in message.last_error


@pytest.mark.smtp
def test_an_unknown_recipient_fails_with_the_servers_reason(smtp_server, firm_a):
    handler = smtp_server(unknown_recipients={"inconnu@durand-fils.test"})
    message = _enqueue(firm_a.firm, to=["inconnu@durand-fils.test"])
    assert deliver(message.pk) == State.FAILED
    message = _refresh(message)
    assert "inconnu@durand-fils.test : 550 5.1.1" in message.last_error
    assert "User unknown" in message.last_error
    assert handler.received == []
    # Final: a later delivery sends nothing.
    assert deliver(message.pk, now=timezone.now() + timedelta(days=1)) == State.FAILED


@pytest.mark.smtp
def test_a_message_refused_for_one_recipient_reaches_the_others_once(smtp_server, firm_a):
    handler = smtp_server(unknown_recipients={"inconnu@durand-fils.test"})
    message = _enqueue(firm_a.firm, to=["compta@durand-fils.test", "inconnu@durand-fils.test"])
    assert deliver(message.pk) == State.SENT
    assert handler.accepted[0]["X-Envelope-To"] == "compta@durand-fils.test"
    message = _refresh(message)
    assert "inconnu@durand-fils.test (550 5.1.1" in message.last_error


@pytest.mark.smtp
def test_a_connection_cut_after_the_data_is_unknown_and_never_resent(smtp_server, firm_a):
    from outbox.services import sweep_outbox

    handler = smtp_server(drop_after_data=True)
    message = _enqueue(firm_a.firm)
    assert deliver(message.pk) == State.UNKNOWN
    message = _refresh(message)
    assert "peut-être été remis" in message.last_error
    later = timezone.now() + timedelta(days=2)
    assert deliver(message.pk, now=later) == State.UNKNOWN
    assert deliver_pending(firm=firm_a.firm, now=later) == {}
    assert sweep_outbox(now=later).unknown == 0
    assert _refresh(message).state == State.UNKNOWN
    assert handler.data_commands == 1


@pytest.mark.smtp
def test_a_refused_connection_retries_with_backoff(settings, firm_a):
    use_smtp(settings, free_port())
    message = _enqueue(firm_a.firm)
    start = timezone.now()
    assert deliver(message.pk, now=start) == State.QUEUED
    message = _refresh(message)
    assert "refuse la connexion" in message.last_error
    assert message.next_attempt_at == start + timedelta(minutes=1)


def test_retry_delays_grow_and_are_capped():
    delays = [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS + 2)]
    assert delays[:5] == [timedelta(minutes=m) for m in (1, 3, 9, 27, 81)]
    assert max(delays) == timedelta(hours=6)
    assert delays == sorted(delays)


@pytest.mark.smtp
def test_a_person_decides_an_uncertain_message(smtp_server, firm_a):
    handler = smtp_server(drop_after_data=True)
    resent = _enqueue(firm_a.firm)
    confirmed = _enqueue(firm_a.firm)
    assert deliver(resent.pk) == deliver(confirmed.pk) == State.UNKNOWN
    user = firm_a.supervisor.user

    assert resolve_unknown(confirmed, user, delivered=True)
    confirmed = _refresh(confirmed)
    assert confirmed.state == State.SENT
    assert confirmed.sent_at == confirmed.claimed_at
    assert not resolve_unknown(confirmed, user, delivered=False)  # already decided

    assert resolve_unknown(resent, user, False)
    assert _refresh(resent).state == State.QUEUED
    handler.drop_after_data = False
    assert deliver(resent.pk) == State.SENT
    assert handler.data_commands == 3
    with firm_scope(firm_a.firm):
        event = OutboxEvent.objects.for_firm(firm_a.firm).get(
            message=resent, state="queued", by=user
        )
    assert event.previous_state == "unknown"
    assert str(user) in event.detail


def test_the_file_backend_writes_one_file_per_message_to_the_mail_folder(settings, firm_a):
    # The embedded default: var/mail (PILOTE_VAR_DIR is the session's own folder).
    mail_dir = Path(os.environ["PILOTE_VAR_DIR"]) / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    before = set(mail_dir.iterdir())
    message = _enqueue(firm_a.firm)
    assert deliver(message.pk) == State.SENT
    assert deliver(message.pk) == State.SENT
    [written] = set(mail_dir.iterdir()) - before
    content = written.read_bytes()
    assert message.message_id.encode() in content
    email = message_from_bytes(content.split(b"\n" + b"-" * 79)[0], policy=policy.default)
    assert email["Subject"] == "Facture F-2026-0012 – Durand & Fils"
    [attachment] = list(email.iter_attachments())
    assert attachment.get_content() == PDF


def test_deliver_pending_sends_the_due_messages_of_a_firm(settings, firm_a, firm_b):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first, second = _enqueue(firm_a.firm), _enqueue(firm_a.firm)
    other = _enqueue(firm_b.firm)
    assert deliver_pending(firm=firm_a.firm, ids=[second.pk]) == {"sent": 1}
    assert deliver_pending(firm=firm_a.firm) == {"sent": 1}
    assert deliver_pending(firm=firm_a.firm) == {}
    assert [_refresh(m).state for m in (first, second, other)] == ["sent", "sent", "queued"]
    assert deliver_pending() == {"sent": 1}
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("to", "error"),
    [
        ([], "Aucun destinataire"),
        (["  "], "Aucun destinataire"),
        (["pas-une-adresse"], "Adresse e-mail invalide : pas-une-adresse."),
        (["a@b.test", "a@b.test\nBcc: x@y.test"], "Adresse e-mail invalide"),
    ],
)
def test_a_message_needs_valid_recipients(firm_a, to, error):
    with pytest.raises(ValidationError) as raised:
        _enqueue(firm_a.firm, to=to)
    assert error in raised.value.messages[0]


def test_the_subject_is_one_line_and_the_related_object_is_kept(firm_a):
    message = _enqueue(
        firm_a.firm,
        to="compta@durand-fils.test",
        subject="Facture\r\nBcc: x@y.test",
        related=firm_a.admin,
    )
    assert message.subject == "Facture Bcc: x@y.test"
    assert message.to == ["compta@durand-fils.test"]
    assert (message.related_type, message.related_id) == ("firms.membership", str(firm_a.admin.pk))
    from outbox.selectors import messages_about

    with firm_scope(firm_a.firm):
        assert list(messages_about(firm_a.firm, firm_a.admin)) == [message]
        assert list(messages_about(firm_a.firm, ("firms.membership", firm_a.admin.pk))) == [message]
