"""Reading invoices: what a member may see (collaborators, their clients' invoices), the list's
filters, one invoice or engagement, another's being a 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from firms.models import Membership
from firms.parameters import search_text
from invoicing import payments
from invoicing.models import Engagement, Invoice, InvoiceKind, InvoiceStatus


def invoices_visible_to(membership: Membership) -> QuerySet[Invoice]:
    invoices = Invoice.objects.for_firm(membership.firm_id)
    if not membership.sees_whole_firm:
        invoices = invoices.filter(client__in=Client.objects.visible_to(membership))
    return invoices


def get_invoice_for_membership(membership: Membership, invoice_id: int) -> Invoice:
    invoices = invoices_visible_to(membership).select_related(
        "client", "credited_invoice", "created_by", "issued_by"
    )
    return get_object_or_404(invoices, pk=invoice_id)


def get_engagement_for_client(firm_id: int, client: Client, engagement_id: int) -> Engagement:
    engagements = Engagement.objects.for_firm(firm_id).filter(client=client)
    return get_object_or_404(engagements, pk=engagement_id)


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""  # draft, issued, credit_note
    payment: str = ""  # issued, partly_paid, paid, overdue (invoicing.payments.PaymentStatus)
    client: str = ""  # a name or SIREN, or a client id from the client tab
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None

    @classmethod
    def from_form(cls, form) -> InvoiceFilters:
        if not form.is_valid():
            data = {name: form.cleaned_data.get(name) for name in ("status", "payment", "client")}
            return cls(
                status=data["status"] or "",
                payment=data["payment"] or "",
                client=data["client"] or "",
            )
        return cls(
            status=form.cleaned_data["status"],
            payment=form.cleaned_data["payment"],
            client=search_text(form.cleaned_data["client"], max_length=100),
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
        )


def filter_invoices(membership: Membership, filters: InvoiceFilters) -> QuerySet[Invoice]:
    invoices = invoices_visible_to(membership)
    if filters.status == "draft":
        invoices = invoices.filter(status=InvoiceStatus.DRAFT)
    elif filters.status == "issued":
        invoices = invoices.filter(status=InvoiceStatus.ISSUED, kind=InvoiceKind.INVOICE)
    elif filters.status == "credit_note":
        invoices = invoices.filter(kind=InvoiceKind.CREDIT_NOTE)
    if filters.payment:
        invoices = payments.filter_by_payment_status(invoices, filters.payment)
    if filters.client:
        invoices = invoices.filter(
            Q(client__company_name__icontains=filters.client) | Q(client__siren=filters.client)
        )
    # A period reads issue dates; drafts have none and are dated by their creation.
    if filters.period_start:
        invoices = invoices.filter(
            Q(issue_date__gte=filters.period_start)
            | Q(issue_date__isnull=True, created_at__date__gte=filters.period_start)
        )
    if filters.period_end:
        invoices = invoices.filter(
            Q(issue_date__lte=filters.period_end)
            | Q(issue_date__isnull=True, created_at__date__lte=filters.period_end)
        )
    return invoices.select_related("client").order_by(
        F("issue_date").desc(nulls_first=True), "-number", "-created_at", "-id"
    )


def client_invoices(firm_id: int, client: Client) -> QuerySet[Invoice]:
    return (
        Invoice.objects.for_firm(firm_id)
        .filter(client=client)
        .select_related("credited_invoice")
        .order_by("-created_at", "-id")
    )


def client_engagements(firm_id: int, client: Client) -> QuerySet[Engagement]:
    return Engagement.objects.for_firm(firm_id).filter(client=client)
