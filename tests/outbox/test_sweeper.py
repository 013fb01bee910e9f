"""Handing messages to the worker (a broker that is down included), the sweeper, the signal,
row-level security."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone

from config.celery import app
from firms.tenancy import firm_scope
from outbox import dispatch
from outbox.models import OutboxMessage
from outbox.services import (
    REDISPATCH_AFTER,
    STUCK_SENDING,
    deliver,
    enqueue_email,
    stuck_after,
    sweep_outbox,
)
from outbox.signals import message_state_changed
from tests.conftest import rls_raw_count
from tests.services import free_port

State = OutboxMessage.State


def _enqueue(firm, **overrides) -> OutboxMessage:
    values = {
        "firm": firm,
        "kind": "reminder",
        "to": ["client@exemple.test"],
        "subject": "Relance",
        "text_body": "Bonjour",
        "html_body": "",
    }
    with firm_scope(firm):
        return enqueue_email(**{**values, **overrides})


def _set(message: OutboxMessage, **fields) -> OutboxMessage:
    with firm_scope(message.firm_id):
        if fields:
            OutboxMessage.objects.for_firm(message.firm_id).filter(pk=message.pk).update(**fields)
        message.refresh_from_db()
    return message


def _deliveries(callbacks) -> list[dispatch.Delivery]:
    return [d for callback in callbacks for d in callback.deliveries]


def test_the_messages_of_one_transaction_are_published_together(
    firm_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        messages = [_enqueue(firm_a.firm) for _ in range(3)]
    assert len(callbacks) == 1
    assert _deliveries(callbacks) == [dispatch.Delivery(m.pk, firm_a.firm.pk) for m in messages]


def test_with_the_broker_down_writing_messages_answers_at_once(
    firm_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        messages = [_enqueue(firm_a.firm) for _ in range(20)]
    assert time.monotonic() - started < 2
    # A second request meanwhile does not even try the broker.
    started = time.monotonic()
    assert dispatch.publish([dispatch.Delivery(messages[0].pk, firm_a.firm.pk)]) == 0
    assert time.monotonic() - started < 0.1
    with firm_scope(firm_a.firm):
        states = set(OutboxMessage.objects.for_firm(firm_a.firm).values_list("state", flat=True))
    assert states == {State.QUEUED}

    # The sweeper hands them over once they are overdue.
    monkeypatch.undo()
    later = timezone.now() + REDISPATCH_AFTER + timedelta(seconds=1)
    with django_capture_on_commit_callbacks() as callbacks:
        assert sweep_outbox(now=later).redispatched == 20
    assert {d.message_id for d in _deliveries(callbacks)} == {m.pk for m in messages}
    # At most once per REDISPATCH_AFTER.
    assert sweep_outbox(now=later + timedelta(seconds=30)).redispatched == 0
    assert sweep_outbox(now=later + REDISPATCH_AFTER * 2).redispatched == 20


def test_a_broker_hanging_without_answer_is_given_up_on_in_time(firm_a, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (the kernel does) and never answers
    try:
        port = listener.getsockname()[1]
        monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
        monkeypatch.setitem(app.conf, "task_always_eager", False)
        started = time.monotonic()
        assert dispatch.publish([dispatch.Delivery(1, firm_a.firm.pk)]) == 0
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_the_sweeper_leaves_recent_messages_alone(firm_a, django_capture_on_commit_callbacks):
    message = _enqueue(firm_a.firm)
    now = timezone.now()
    _set(message, next_attempt_at=now - REDISPATCH_AFTER + timedelta(seconds=5))
    sending = _set(_enqueue(firm_a.firm), state=State.SENDING, attempts=1, claimed_at=now)
    with django_capture_on_commit_callbacks() as callbacks:
        sweep = sweep_outbox(now=now)
    assert (sweep.redispatched, sweep.unknown, callbacks) == (0, 0, [])
    assert _set(sending).state == State.SENDING


def test_a_message_stuck_sending_becomes_unknown_never_resent(firm_a):
    now = timezone.now()
    message = _enqueue(firm_a.firm)
    _set(message, state=State.SENDING, attempts=1, claimed_at=now - stuck_after())
    assert stuck_after() == timedelta(seconds=3 * 20 + 120)
    assert sweep_outbox(now=now + timedelta(seconds=1)).unknown == 1
    message = _set(message)
    assert (message.state, message.last_error) == (State.UNKNOWN, STUCK_SENDING)
    assert sweep_outbox(now=now + timedelta(days=1)).unknown == 0
    assert deliver(message.pk, now=now + timedelta(days=1)) == State.UNKNOWN


class _SweptWhileSending(locmem.EmailBackend):
    """A send so slow that the sweeper takes its sender for dead meanwhile."""

    def send_messages(self, messages):
        assert sweep_outbox(now=timezone.now() + timedelta(hours=1)).unknown == 1
        return super().send_messages(messages)


def test_a_sender_that_was_only_slow_still_records_the_servers_answer(settings, firm_a):
    settings.EMAIL_BACKEND = f"{__name__}._SweptWhileSending"
    message = _enqueue(firm_a.firm)
    changes = []

    def receiver(sender, message, previous_state, **kwargs):
        changes.append((previous_state, message.state))

    message_state_changed.connect(receiver)
    try:
        assert deliver(message.pk) == State.SENT
    finally:
        message_state_changed.disconnect(receiver)
    assert changes == [("queued", "sending"), ("sending", "unknown"), ("unknown", "sent")]


def test_every_change_of_state_is_signalled_and_a_failing_receiver_changes_nothing(
    settings, firm_a
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seen = []

    def recorder(sender, message, previous_state, **kwargs):
        assert sender is OutboxMessage
        seen.append((previous_state, message.state, message.kind))

    def broken(sender, message, previous_state, **kwargs):
        # Its write is undone with it; the change of state stays.
        OutboxMessage.objects.for_firm(message.firm_id).filter(pk=message.pk).update(kind="x")
        raise RuntimeError("receiver bug")

    message_state_changed.connect(recorder)
    message_state_changed.connect(broken)
    try:
        message = _enqueue(firm_a.firm)
        assert deliver(message.pk) == State.SENT
    finally:
        message_state_changed.disconnect(recorder)
        message_state_changed.disconnect(broken)
    assert seen == [
        (None, "queued", "reminder"),
        ("queued", "sending", "reminder"),
        ("sending", "sent", "reminder"),
    ]
    assert _set(message).kind == "reminder"


@pytest.mark.postgres
def test_row_level_security_hides_another_firms_messages(firm_a, firm_b):
    _enqueue(firm_a.firm, attachments=[("a.pdf", b"%PDF", "application/pdf")])
    tables = ["outbox_outboxmessage", "outbox_outboxattachment", "outbox_outboxevent"]
    with firm_scope(firm_b.firm):
        assert [rls_raw_count(table) for table in tables] == [0, 0, 0]
    with firm_scope(firm_a.firm):
        assert [rls_raw_count(table) for table in tables] == [1, 1, 1]
    assert [rls_raw_count(table) for table in tables] == [0, 0, 0]


class _BrokenBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise RuntimeError("a bug in some backend")


def test_an_unexpected_error_while_sending_is_unknown_never_resent(settings, firm_a):
    settings.EMAIL_BACKEND = f"{__name__}._BrokenBackend"
    message = _enqueue(firm_a.firm)
    assert deliver(message.pk) == State.UNKNOWN
    assert "RuntimeError" in _set(message).last_error
    assert deliver(message.pk, now=timezone.now() + timedelta(days=1)) == State.UNKNOWN


def test_a_message_waiting_behind_a_long_queue_is_handed_over_less_and_less_often(
    firm_a, django_capture_on_commit_callbacks
):
    message = _enqueue(firm_a.firm)
    created = _set(message).created_at
    minute = timedelta(minutes=1)
    with django_capture_on_commit_callbacks():
        assert sweep_outbox(now=created + 2 * minute).redispatched == 1
        # Handed over two minutes after it was written: next, two minutes later; then four.
        assert sweep_outbox(now=created + 3 * minute).redispatched == 0
        assert sweep_outbox(now=created + 4 * minute).redispatched == 1
        assert sweep_outbox(now=created + 7 * minute).redispatched == 0
        assert sweep_outbox(now=created + 8 * minute).redispatched == 1
        # Never more than REDISPATCH_LONGEST apart.
        _set(message, next_attempt_at=created + 60 * minute)
        assert sweep_outbox(now=created + 74 * minute).redispatched == 0
        assert sweep_outbox(now=created + 75 * minute).redispatched == 1
