from celery import shared_task

from firms.models import Firm
from firms.tenancy import firm_scope
from mandates.services import expire_mandates


@shared_task(name="mandates.expire_mandates", acks_late=True)
def expire_mandates_task() -> int:
    """Daily (beat): the signature requests older than each firm's delay expire."""
    expired = 0
    for firm in Firm.objects.filter(is_active=True).order_by("pk"):
        with firm_scope(firm):
            expired += expire_mandates(firm=firm)
    return expired
