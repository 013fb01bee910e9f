"""The deliveries of an invoice on its page: route, state, history, the outbox's error, and
for an uncertain e-mail the supervisor's buttons."""

from __future__ import annotations

from django import template

from invoicing.models import InvoiceDelivery
from outbox.models import OutboxEvent

register = template.Library()


@register.inclusion_tag("invoicing/sending/deliveries.html", takes_context=True)
def invoice_deliveries(context, invoice):
    firm = context["firm"]
    deliveries = list(
        InvoiceDelivery.objects.for_firm(firm).filter(invoice=invoice).select_related("message")
    )
    events = {}
    message_ids = [d.message_id for d in deliveries if d.message_id]
    if message_ids:
        for event in (
            OutboxEvent.objects.for_firm(firm)
            .filter(message_id__in=message_ids)
            .select_related("by")
            .order_by("at", "pk")
        ):
            events.setdefault(event.message_id, []).append(event)
    for delivery in deliveries:
        delivery.history = events.get(delivery.message_id, [])
    return {
        "firm": firm,
        "membership": context.get("membership"),
        "invoice": invoice,
        "deliveries": deliveries,
        "csrf_token": context.get("csrf_token"),
    }
