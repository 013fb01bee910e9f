from dataclasses import asdict

from celery import shared_task

from outbox.services import deliver, sweep_outbox


@shared_task(name="outbox.deliver_message", acks_late=True, reject_on_worker_lost=True)
def deliver_message(message_id: int, firm_id: int | None = None) -> str | None:
    """Send one message of the outbox. A duplicate delivery of the task, or one for a message
    already being sent, sends nothing (the claim in deliver); retries are scheduled by deliver
    itself, from the message's next_attempt_at."""
    return deliver(message_id, firm_id=firm_id)


@shared_task(name="outbox.sweep_outbox", acks_late=True)
def sweep_outbox_task() -> dict[str, int]:
    """Every minute (beat): overdue queued messages handed over again, stuck ones uncertain."""
    return asdict(sweep_outbox())
