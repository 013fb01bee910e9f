"""Handing messages to the worker once the transaction that wrote them has committed.

All the messages of one transaction are published together, on one broker connection, by one
``on_commit`` callback, through :func:`jobs.broker.publish`: the broker may be down, and the
request that wrote the messages must still answer at once, so publishing waits
``BROKER_PUBLISH_TIMEOUT`` at most, does not retry, and after a failure does not try again for a
while (in this process). A message that was not published stays queued: the sweeper (every
minute) hands it over later, and the claim in :func:`outbox.services.deliver` makes a message
published twice send once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from jobs import broker


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
    from outbox.tasks import deliver_message

    calls = [
        broker.TaskCall(
            deliver_message,
            args=(delivery.message_id,),
            kwargs={"firm_id": delivery.firm_id},
            countdown=delivery.countdown or None,
        )
        for delivery in deliveries
    ]
    return broker.publish(calls, what="e-mail(s)")


def reset_broker_state() -> None:
    """Forget a past failure of the broker (tests, and a worker that saw it come back)."""
    broker.reset_broker_state()
