"""SMTP servers of our own (aiosmtpd) that misbehave on purpose, and the settings that send
through them with the outbox's backend."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from outbox import dispatch
from tests.services import free_port

BACKEND = "outbox.backends.SMTPBackend"


@dataclass
class FaultyHandler:
    """Accepts like a real server, except where told otherwise:

    - ``busy_for``: the first N messages get "451" after their data;
    - ``unknown_recipients``: RCPT of those addresses gets "550";
    - ``drop_after_data``: the data is received (and kept), then the connection is cut
      before any answer;
    - ``stall_in``: "rcpt" or "data": that step waits ``stall_seconds`` before answering.
    """

    busy_for: int = 0
    unknown_recipients: set[str] = field(default_factory=set)
    drop_after_data: bool = False
    stall_in: str = ""
    stall_seconds: float = 0
    # Every message whose data the server read, accepted or not (parsed), and those accepted.
    received: list[EmailMessage] = field(default_factory=list)
    accepted: list[EmailMessage] = field(default_factory=list)
    data_commands: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall_in == "rcpt":
            await asyncio.sleep(self.stall_seconds)
        if address in self.unknown_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.received.append(message)
        if self.drop_after_data:
            server.transport.abort()
            return "250 never read"
        if self.stall_in == "data":
            await asyncio.sleep(self.stall_seconds)
        if self.data_commands <= self.busy_for:
            return "451 4.3.0 Mailbox busy, try again later"
        self.accepted.append(message)
        return "250 2.0.0 Ok: queued"


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server with a :class:`FaultyHandler` and send through it:
    ``smtp_server(busy_for=2)`` returns the handler."""
    controllers = []

    def start(timeout: int = 5, **behaviour) -> FaultyHandler:
        handler = FaultyHandler(**behaviour)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        use_smtp(settings, port, timeout=timeout)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def use_smtp(settings, port: int, *, timeout: int = 5) -> None:
    settings.EMAIL_BACKEND = BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = timeout
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


@pytest.fixture
def outbox_inbox(smtp_inbox, settings):
    """The suite's own SMTP server (tests/services.py), reached through the outbox's backend."""
    settings.EMAIL_BACKEND = BACKEND
    return smtp_inbox


@pytest.fixture(autouse=True)
def _broker_state():
    dispatch.reset_broker_state()
    yield
    dispatch.reset_broker_state()
