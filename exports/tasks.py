from celery import shared_task

from exports.services import purge_expired_exports


@shared_task(name="exports.purge_expired_exports", acks_late=True)
def purge_expired_exports_task() -> int:
    """Hourly (beat): delete the export files kept past their firm's delay."""
    return purge_expired_exports()
