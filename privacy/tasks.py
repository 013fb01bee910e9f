from celery import shared_task

from privacy.purge import purge_retained_rows


@shared_task(name="privacy.purge_retained_rows", acks_late=True)
def purge_retained_rows_task() -> dict:
    """Nightly (beat): delete what an erasure kept for a legal duty once the duty has ended."""
    outcome = purge_retained_rows()
    return {"purged": outcome.purged, "waiting": outcome.waiting, "failed": outcome.failed}
