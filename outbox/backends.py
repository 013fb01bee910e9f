"""Django's SMTP e-mail backend, telling apart what the outbox must treat differently.

A failure is raised as one of three exceptions, so that the outbox knows what to do:

- :class:`TemporaryFailure`: the server answered 4xx, refused the connection, or went silent or
  away before it had the whole message; sending again later is safe.
- :class:`PermanentFailure`: the server answered 5xx (unknown recipient, refused sender, bad
  credentials…); sending again would get the same answer. The server's reply is kept.
- :class:`UnknownOutcome`: the whole message was handed over and the connection was lost or
  timed out before the server's answer. The server may have delivered it: only a person can
  decide, never an automatic resend.

Each network operation is bounded by ``EMAIL_TIMEOUT`` and a whole conversation by
:data:`CONVERSATION_TIMEOUTS` times that, so a send never hangs a worker.
"""

from __future__ import annotations

import functools
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

logger = logging.getLogger(__name__)

# A whole SMTP conversation (connection, greeting, TLS, login, envelope, data and the final
# answer) lasts at most this many times EMAIL_TIMEOUT.
CONVERSATION_TIMEOUTS = 3


def conversation_limit(timeout: float | None = None) -> float:
    """Seconds one SMTP conversation may last at most."""
    return CONVERSATION_TIMEOUTS * (timeout or settings.EMAIL_TIMEOUT)


class TransmissionError(smtplib.SMTPException):
    """A classified sending failure. ``reason`` is meant for a person (in French, with the
    server's reply verbatim when there was one); ``code`` is the SMTP code, if any."""

    def __init__(self, reason: str, *, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TemporaryFailure(TransmissionError):
    """Nothing was delivered and sending again later may work."""


class PermanentFailure(TransmissionError):
    """Nothing was delivered and sending again would fail the same way."""


class UnknownOutcome(TransmissionError):
    """The message was handed over but its fate is unknown: never resend automatically."""


def server_reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def _by_code(code: int, reason: str, *, data_sent: bool) -> TransmissionError:
    if 400 <= code < 500:
        return TemporaryFailure(reason, code=code)
    if 500 <= code < 600:
        return PermanentFailure(reason, code=code)
    # Not an answer of the server (smtplib's -1: the connection closed).
    return _connection_lost(reason, data_sent=data_sent)


def _connection_lost(reason: str, *, data_sent: bool) -> TransmissionError:
    if data_sent:
        return UnknownOutcome(
            "Connexion au serveur de messagerie perdue après l'envoi du message, avant sa "
            f"réponse ({reason}) : le message a peut-être été remis, à vérifier."
        )
    return TemporaryFailure(f"Serveur de messagerie injoignable ou interrompu ({reason}).")


def classify(error: BaseException, *, data_sent: bool) -> TransmissionError:
    """The outcome that an SMTP or network error means. ``data_sent`` says whether the whole
    message had been handed to the server before the error (unknown: say True)."""
    if isinstance(error, TransmissionError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = {
            address: (code, server_reply(code, reply))
            for address, (code, reply) in error.recipients.items()
        }
        detail = " ; ".join(f"{address} : {reply}" for address, (_, reply) in refusals.items())
        reason = f"Destinataire refusé par le serveur de messagerie ({detail})."
        if any(400 <= code < 500 for code, _ in refusals.values()):
            return TemporaryFailure(reason, code=min(code for code, _ in refusals.values()))
        return PermanentFailure(reason, code=max(code for code, _ in refusals.values()))
    if isinstance(error, smtplib.SMTPConnectError):
        # The server's greeting was not 220: nothing was sent yet.
        reply = server_reply(error.smtp_code, error.smtp_error)
        reason = f"Le serveur de messagerie refuse la connexion ({reply})."
        return _by_code(error.smtp_code, reason, data_sent=False)
    if isinstance(error, smtplib.SMTPSenderRefused):
        reply = server_reply(error.smtp_code, error.smtp_error)
        reason = f"Expéditeur {error.sender} refusé par le serveur de messagerie ({reply})."
        return _by_code(error.smtp_code, reason, data_sent=False)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reply = server_reply(error.smtp_code, error.smtp_error)
        reason = f"Identifiants SMTP refusés par le serveur de messagerie ({reply})."
        return _by_code(error.smtp_code, reason, data_sent=False)
    if isinstance(error, smtplib.SMTPResponseException):
        # An explicit answer (DATA refused, message refused after its data, HELO refused…):
        # the server said what it did, so there is no doubt whatever the phase.
        reply = server_reply(error.smtp_code, error.smtp_error)
        reason = f"Message refusé par le serveur de messagerie ({reply})."
        return _by_code(error.smtp_code, reason, data_sent=data_sent)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return PermanentFailure(
            f"Le serveur de messagerie ne permet pas ce qui est configuré ({error})."
        )
    if isinstance(error, ConnectionRefusedError):
        return TemporaryFailure(f"Le serveur de messagerie refuse la connexion ({error}).")
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        # smtplib turns a read that timed out into SMTPServerDisconnected.
        return _connection_lost("délai dépassé", data_sent=data_sent)
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return _connection_lost(str(error) or type(error).__name__, data_sent=data_sent)
    # Any other SMTPException of smtplib: an unexpected state of the conversation.
    return _connection_lost(str(error) or type(error).__name__, data_sent=data_sent)


class _BoundedConversation:
    """Mixin of smtplib.SMTP: bounds the whole conversation and records whether the server has
    been handed the complete message (``data_sent``) when something goes wrong."""

    def __init__(self, *args, conversation_limit: float, **kwargs) -> None:
        self.deadline = time.monotonic() + conversation_limit
        self.data_sent = False
        self._in_data = False
        self._payload_next = False
        super().__init__(*args, **kwargs)

    def _bound_socket(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the SMTP conversation took too long")
        if getattr(self, "sock", None) is not None:
            timeout = self.timeout if isinstance(self.timeout, int | float) else remaining
            self.sock.settimeout(min(timeout, remaining))

    def send(self, s) -> None:
        self._bound_socket()
        super().send(s)
        if self._in_data and self._payload_next:
            # sendall() returned: the whole message, its final "." included, is with the
            # server. (Had it failed, the server could not have taken the message as complete.)
            self.data_sent = True

    def getreply(self):
        self._bound_socket()
        code, reply = super().getreply()
        if self._in_data and code == 354:
            self._payload_next = True
        return code, reply

    def data(self, msg):
        self._in_data, self._payload_next = True, False
        try:
            return super().data(msg)
        finally:
            self._in_data = False


class BoundedSMTP(_BoundedConversation, smtplib.SMTP):
    pass


class BoundedSMTPSSL(_BoundedConversation, smtplib.SMTP_SSL):
    pass


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend whose failures are :class:`TemporaryFailure`,
    :class:`PermanentFailure` or :class:`UnknownOutcome` (all ``smtplib.SMTPException``, so
    callers that catch those keep working).

    A message accepted for some recipients and refused for others is sent (sending it again
    would reach the others twice): the refusals are in ``refused_recipients``, address →
    server reply."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.timeout is None:
            self.timeout = settings.EMAIL_TIMEOUT
        self.refused_recipients: dict[str, str] = {}

    @property
    def connection_class(self):
        base = BoundedSMTPSSL if self.use_ssl else BoundedSMTP
        return functools.partial(base, conversation_limit=conversation_limit(self.timeout))

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.refused_recipients = {}
        with self._lock:
            try:
                new_connection = self.open()
            except (smtplib.SMTPException, OSError) as error:
                # Django's open() raises unless failing silently; nothing was sent.
                self._close_quietly()
                raise classify(error, data_sent=False) from error
            if not self.connection or new_connection is None:
                return 0
            sent = 0
            try:
                for message in email_messages:
                    if self._send(message):
                        sent += 1
            finally:
                if new_connection:
                    self._close_quietly()
        return sent

    def _send(self, email_message) -> bool:
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        content = email_message.message().as_bytes(linesep="\r\n")
        self.connection.data_sent = False
        try:
            refused = self.connection.sendmail(from_email, recipients, content)
        except (smtplib.SMTPException, OSError) as error:
            failure = classify(error, data_sent=self.connection.data_sent)
            self._close_quietly()
            if self.fail_silently:
                return False
            raise failure from error
        self.refused_recipients.update(
            {address: server_reply(code, reply) for address, (code, reply) in refused.items()}
        )
        return True

    def _close_quietly(self) -> None:
        """Close after a send or a failure: a server that misbehaves on QUIT changes nothing
        about what it already accepted."""
        connections = [c for c in (self.connection, self._partial_connection) if c is not None]
        try:
            self.close()
        except (smtplib.SMTPException, OSError) as error:
            logger.info("SMTP connection closed uncleanly: %s", error)
            for connection in connections:
                connection.close()
