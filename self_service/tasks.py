from celery import shared_task

from firms.models import Firm
from firms.tenancy import firm_scope
from self_service.services import purge_ips


@shared_task(name="self_service.purge_ips", acks_late=True)
def purge_ips_task() -> int:
    """Daily (beat): blank the IP addresses logged through clients' links past their retention."""
    purged = 0
    for firm in Firm.objects.order_by("pk"):
        with firm_scope(firm):
            purged += purge_ips(firm=firm)
    return purged
