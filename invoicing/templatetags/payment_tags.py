"""The Paiements section of an invoice page, and the badge of a payment status."""

from __future__ import annotations

from django import template

from invoicing.payments import PaymentStatus

register = template.Library()

BADGES = {
    PaymentStatus.DRAFT: "badge--warn",
    PaymentStatus.ISSUED: "",
    PaymentStatus.PARTLY_PAID: "badge--warn",
    PaymentStatus.PAID: "badge--ok",
    PaymentStatus.OVERDUE: "badge--danger",
}


@register.inclusion_tag("invoicing/payments/section.html", takes_context=True)
def payment_section(context, invoice):
    from invoicing.payment_views import section_context

    return {**context.flatten(), **section_context(context["request"], invoice)}


@register.inclusion_tag("invoicing/payments/status_badge.html")
def payment_badge(status: str):
    if status not in PaymentStatus.values:
        return {"status": None}
    return {"status": status, "label": PaymentStatus(status).label, "css": BADGES[status]}
