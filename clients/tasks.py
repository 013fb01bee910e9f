from celery import shared_task

from clients.importing.retention import purge_import_files


@shared_task(name="clients.purge_import_files", acks_late=True)
def purge_client_import_files() -> int:
    """Daily (beat): delete the uploaded client files kept past their retention."""
    return purge_import_files()
