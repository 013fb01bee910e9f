from __future__ import annotations

from django.db import models

from firms.models import Firm
from outbox.models import OutboxMessage


def messages_about(firm: Firm, related: models.Model | tuple[str, object]):
    """The messages written about an object (``enqueue_email(related=…)``), newest first, with
    their history."""
    if isinstance(related, models.Model):
        related_type, related_id = related._meta.label_lower, related.pk
    else:
        related_type, related_id = related
    return (
        OutboxMessage.objects.for_firm(firm)
        .filter(related_type=str(related_type), related_id=str(related_id))
        .prefetch_related("events", "attachments")
    )
