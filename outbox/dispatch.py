"""Handing messages to the worker once the transaction that wrote them has committed.

All the messages of one transaction are published together, on one broker connection, by one
``on_commit`` callback. The broker may be down: the request that wrote the messages must still
answer at once, so publishing waits ``BROKER_PUBLISH_TIMEOUT`` at most, does not retry, and
after a failure does not try again for :data:`BROKER_RETRY_AFTER` (in this process). A message
that was not published stays queued: the sweeper (every minute) hands it over later, and the
claim in :func:`outbox.services.deliver` makes a message published twice send once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed publication, seconds during which this process does not try the broker again.
BROKER_RETRY_AFTER = 30.0

_broker_down_until = 0.0


@dataclass(frozen=True)
class Delivery:
    message_id: int
    firm_id: int
    countdown: float = 0


@dataclass
class _DispatchOnCommit:
    deliveries: list[Delivery] = field(default_factory=list)
    done: bool = False

    def __call__(self) -> None:
        self.done = True
        publish(self.deliveries)


def dispatch_on_commit(delivery: Delivery) -> None:
    """Publish the delivery task when the current transaction commits (at once outside one)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Join this transaction's batch. Should the savepoint that registered the batch roll
        # back, Django drops the batch together with the rows it was about; a row rolled back
        # in a later savepoint leaves a delivery of a missing message, which does nothing.
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _DispatchOnCommit) and not callback.done:
                callback.deliveries.append(delivery)
                return
    transaction.on_commit(_DispatchOnCommit([delivery]))


def publish(deliveries: list[Delivery]) -> int:
    """Publish the delivery tasks now; returns how many were. Never raises: what was not
    published waits for the sweeper."""
    global _broker_down_until
    from outbox.tasks import deliver_message

    if not deliveries:
        return 0
    if time.monotonic() < _broker_down_until:
        logger.warning(
            "broker unreachable a moment ago: %d e-mail(s) stay queued for the sweeper",
            len(deliveries),
        )
        return 0
    app = deliver_message.app
    published = 0
    try:
        if app.conf.task_always_eager:
            for delivery in deliveries:
                _apply(deliver_message, delivery)
                published += 1
            return published
        timeout = settings.BROKER_PUBLISH_TIMEOUT
        options = {
            **(app.conf.broker_transport_options or {}),
            "max_retries": 0,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        with app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
            for delivery in deliveries:
                _apply(deliver_message, delivery, connection=conn, retry=False)
                published += 1
    except Exception as error:
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
        logger.warning(
            "broker unreachable (%s): %d e-mail(s) stay queued for the sweeper",
            error,
            len(deliveries) - published,
        )
    return published


def _apply(task, delivery: Delivery, **options) -> None:
    task.apply_async(
        args=(delivery.message_id,),
        kwargs={"firm_id": delivery.firm_id},
        countdown=delivery.countdown or None,
        **options,
    )


def reset_broker_state() -> None:
    """Forget a past failure of the broker (tests, and a worker that saw it come back)."""
    global _broker_down_until
    _broker_down_until = 0.0
