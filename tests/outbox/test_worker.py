"""Exactly once with committed data: two deliveries racing on PostgreSQL, and the real Celery
worker of the suite (duplicate tasks, a broker that was down)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from config.celery import app
from firms.tenancy import firm_scope
from outbox import dispatch
from outbox.models import OutboxMessage
from outbox.services import REDISPATCH_AFTER, deliver, enqueue_email, sweep_outbox
from outbox.tasks import deliver_message
from tests.services import free_port

State = OutboxMessage.State


def _enqueue(firm) -> OutboxMessage:
    with transaction.atomic(), firm_scope(firm):
        return enqueue_email(
            firm=firm,
            kind="invoice",
            to=["compta@durand-fils.test"],
            subject="Facture F-1 – Durand & Fils",
            text_body="Bonjour",
            html_body="<p>Bonjour</p>",
            attachments=[("F-1.pdf", b"%PDF-1.7 facture", "application/pdf")],
        )


def _wait_until_final(message: OutboxMessage, timeout: float = 30) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with firm_scope(message.firm_id):
            message.refresh_from_db()
        if message.state in (State.SENT, State.FAILED, State.UNKNOWN):
            return message
        time.sleep(0.1)
    raise AssertionError(f"message still {message.state} after {timeout} s")


@pytest.mark.postgres
@pytest.mark.smtp
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_one_email(smtp_server, firm_a, monkeypatch):
    monkeypatch.setattr(dispatch, "publish", lambda deliveries: 0)  # no worker here
    handler = smtp_server(stall_in="data", stall_seconds=0.5)
    message = _enqueue(firm_a.firm)
    barrier = threading.Barrier(3)
    results = []

    def deliver_in_a_thread():
        try:
            barrier.wait()
            results.append(deliver(message.pk, firm_id=firm_a.firm.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver_in_a_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["sending", "sending", "sent"]
    assert len(handler.received) == 1
    with firm_scope(firm_a.firm):
        message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 1)


@pytest.mark.worker
@pytest.mark.smtp
def test_the_worker_sends_once_even_when_the_task_is_delivered_three_times(
    celery_worker, outbox_inbox, firm_a
):
    message = _enqueue(firm_a.firm)
    # Two duplicate deliveries of the task (a retry, a redelivery by the broker).
    deliver_message.delay(message.pk, firm_id=firm_a.firm.pk)
    deliver_message.delay(message.pk, firm_id=firm_a.firm.pk)
    message = _wait_until_final(message)
    assert (message.state, message.attempts) == (State.SENT, 1)
    time.sleep(1)  # let the duplicates run
    assert len(outbox_inbox.messages) == 1
    [received] = outbox_inbox.messages
    assert received["Message-ID"] == message.message_id
    assert received["X-Envelope-To"] == "compta@durand-fils.test"
    with firm_scope(firm_a.firm):
        message.refresh_from_db()
    assert message.attempts == 1


@pytest.mark.worker
@pytest.mark.smtp
def test_messages_written_while_the_broker_was_down_are_sent_after_the_sweep(
    celery_worker, outbox_inbox, firm_a, monkeypatch
):
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    message = _enqueue(firm_a.firm)
    assert time.monotonic() - started < 2
    time.sleep(0.5)
    with firm_scope(firm_a.firm):
        message.refresh_from_db()
    assert message.state == State.QUEUED
    assert outbox_inbox.messages == []

    monkeypatch.undo()  # the broker is back
    dispatch.reset_broker_state()
    with firm_scope(firm_a.firm):  # a few minutes later
        OutboxMessage.objects.for_firm(firm_a.firm).filter(pk=message.pk).update(
            next_attempt_at=timezone.now() - REDISPATCH_AFTER - timedelta(seconds=1)
        )
    assert sweep_outbox().redispatched == 1
    message = _wait_until_final(message)
    assert message.state == State.SENT
    assert len(outbox_inbox.messages) == 1
