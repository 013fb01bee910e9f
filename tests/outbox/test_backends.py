"""The backend tells temporary, permanent and uncertain failures apart."""

from __future__ import annotations

import smtplib
import ssl
import time

import pytest
from django.core.mail import EmailMessage, get_connection

import config.settings
from outbox.backends import (
    PermanentFailure,
    SMTPBackend,
    TemporaryFailure,
    UnknownOutcome,
    classify,
    conversation_limit,
)
from tests.outbox.conftest import use_smtp
from tests.services import free_port

REFUSED_550 = smtplib.SMTPRecipientsRefused({"a@x.fr": (550, b"5.1.1 User unknown")})
REFUSED_451 = smtplib.SMTPRecipientsRefused({"a@x.fr": (451, b"4.3.0 Try later")})
REFUSED_MIXED = smtplib.SMTPRecipientsRefused(
    {"a@x.fr": (550, b"5.1.1 User unknown"), "b@x.fr": (452, b"4.2.2 Mailbox full")}
)


@pytest.mark.parametrize(
    ("error", "data_sent", "outcome", "in_reason"),
    [
        (REFUSED_550, False, PermanentFailure, "a@x.fr : 550 5.1.1 User unknown"),
        (REFUSED_451, False, TemporaryFailure, "451 4.3.0 Try later"),
        (REFUSED_MIXED, False, TemporaryFailure, "b@x.fr : 452"),  # retrying may work
        (
            smtplib.SMTPSenderRefused(553, b"Sender rejected", "n@x.fr"),
            False,
            PermanentFailure,
            "553",
        ),
        (smtplib.SMTPSenderRefused(421, b"Too busy", "n@x.fr"), False, TemporaryFailure, "421"),
        (smtplib.SMTPDataError(554, b"5.7.1 Spam"), True, PermanentFailure, "554 5.7.1 Spam"),
        # The server answered after the data: it said it did not take the message.
        (smtplib.SMTPDataError(451, b"4.3.0 Busy"), True, TemporaryFailure, "451 4.3.0 Busy"),
        (smtplib.SMTPDataError(-1, b"?"), True, UnknownOutcome, "peut-être"),
        (smtplib.SMTPConnectError(554, b"No service"), False, PermanentFailure, "554"),
        (smtplib.SMTPConnectError(421, b"Busy"), False, TemporaryFailure, "421"),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False, PermanentFailure, "535"),
        (smtplib.SMTPAuthenticationError(454, b"Temp auth"), False, TemporaryFailure, "454"),
        (smtplib.SMTPNotSupportedError("STARTTLS"), False, PermanentFailure, "STARTTLS"),
        (ConnectionRefusedError(111, "refused"), False, TemporaryFailure, "refuse"),
        (ConnectionRefusedError(111, "refused"), True, TemporaryFailure, "refuse"),
        (smtplib.SMTPServerDisconnected("gone"), False, TemporaryFailure, "gone"),
        (smtplib.SMTPServerDisconnected("gone"), True, UnknownOutcome, "gone"),
        (TimeoutError("timed out"), False, TemporaryFailure, "délai"),
        (TimeoutError("timed out"), True, UnknownOutcome, "délai"),
        (ConnectionResetError(104, "reset"), True, UnknownOutcome, "reset"),
        (ssl.SSLError("bad handshake"), False, TemporaryFailure, "handshake"),
        (smtplib.SMTPException("odd"), True, UnknownOutcome, "odd"),
    ],
)
def test_classify(error, data_sent, outcome, in_reason):
    failure = classify(error, data_sent=data_sent)
    assert type(failure) is outcome
    assert in_reason in failure.reason


def test_the_classes_are_smtp_exceptions_for_callers_that_catch_those():
    for failure in (TemporaryFailure("x"), PermanentFailure("x"), UnknownOutcome("x")):
        assert isinstance(failure, smtplib.SMTPException)


def test_the_project_uses_this_backend_when_an_smtp_server_is_set():
    # The suite sets EMAIL_HOST (tests/services.py); pytest-django swaps the backend for the
    # tests, not in the settings module.
    assert config.settings.EMAIL_HOST
    assert config.settings.EMAIL_BACKEND == "outbox.backends.SMTPBackend"
    assert 1 <= config.settings.EMAIL_TIMEOUT <= 120


def _message(to=("dest@example.test",)) -> EmailMessage:
    return EmailMessage("Objet", "Texte", "Cabinet <envoi@example.test>", list(to))


def test_a_refused_connection_is_temporary(settings):
    use_smtp(settings, free_port())
    with pytest.raises(TemporaryFailure):
        get_connection().send_messages([_message()])


def test_a_server_that_answers_451_is_temporary(smtp_server):
    handler = smtp_server(busy_for=1)
    with pytest.raises(TemporaryFailure, match=r"451 4\.3\.0 Mailbox busy"):
        get_connection().send_messages([_message()])
    assert get_connection().send_messages([_message()]) == 1
    assert len(handler.accepted) == 1


def test_a_refused_recipient_is_permanent_with_the_servers_reply(smtp_server):
    smtp_server(unknown_recipients={"inconnu@example.test"})
    with pytest.raises(PermanentFailure) as failure:
        get_connection().send_messages([_message(["inconnu@example.test"])])
    assert "inconnu@example.test : 550 5.1.1" in failure.value.reason
    assert "User unknown" in failure.value.reason


def test_a_message_refused_for_one_of_its_recipients_is_sent_to_the_others(smtp_server):
    handler = smtp_server(unknown_recipients={"inconnu@example.test"})
    connection = get_connection()
    assert connection.send_messages([_message(["ok@example.test", "inconnu@example.test"])]) == 1
    assert handler.accepted[0]["X-Envelope-To"] == "ok@example.test"
    assert "550 5.1.1" in connection.refused_recipients["inconnu@example.test"]


def test_a_connection_cut_after_the_data_is_unknown(smtp_server):
    handler = smtp_server(drop_after_data=True)
    with pytest.raises(UnknownOutcome, match="peut-être été remis"):
        get_connection().send_messages([_message()])
    assert len(handler.received) == 1  # the server did get the whole message


def test_a_timeout_before_the_data_is_temporary(smtp_server):
    smtp_server(timeout=1, stall_in="rcpt", stall_seconds=3)
    started = time.monotonic()
    with pytest.raises(TemporaryFailure):
        get_connection().send_messages([_message()])
    assert time.monotonic() - started < 2.5


def test_a_timeout_waiting_for_the_answer_to_the_data_is_unknown(smtp_server):
    handler = smtp_server(timeout=1, stall_in="data", stall_seconds=3)
    started = time.monotonic()
    with pytest.raises(UnknownOutcome):
        get_connection().send_messages([_message()])
    assert time.monotonic() - started < 2.5
    assert len(handler.received) == 1


def test_a_whole_conversation_is_bounded_even_when_each_answer_is_in_time(smtp_server):
    # Each RCPT answers within the 1 s timeout, but six take longer than the 3 s allowed to
    # a whole conversation.
    smtp_server(timeout=1, stall_in="rcpt", stall_seconds=0.6)
    recipients = [f"d{n}@example.test" for n in range(6)]
    started = time.monotonic()
    with pytest.raises(TemporaryFailure, match="délai"):
        get_connection().send_messages([_message(recipients)])
    assert conversation_limit(1) == 3
    assert time.monotonic() - started < 3.6


def test_a_backend_without_timeout_gets_the_bounded_default(settings):
    settings.EMAIL_TIMEOUT = 7
    assert SMTPBackend(timeout=None).timeout == 7


@pytest.mark.parametrize("value", ["0", "121", "-5"])
def test_an_unbounded_smtp_timeout_stops_the_start(value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "EMAIL_TIMEOUT": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=config.settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "EMAIL_TIMEOUT must be between 1 and 120 seconds" in result.stderr
