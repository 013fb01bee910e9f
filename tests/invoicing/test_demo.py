"""seed_demo: every demo firm, the one named by --firm included, can issue invoices, and the demo
has real ones (numbered, with their PDFs)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from firms.models import Firm
from firms.tenancy import firm_scope
from invoicing import issuing
from invoicing.models import Engagement, Invoice, InvoiceDelivery, InvoiceKind, InvoiceStatus


def test_demo_firms_have_a_complete_seller_profile_and_real_invoices(db):
    call_command("seed_demo", "--clients", "15", stdout=StringIO())
    call_command("seed_demo", "--clients", "3", "--firm", "Cabinet Nommé", stdout=StringIO())
    firms = list(Firm.objects.order_by("pk"))
    assert len(firms) == 3
    for firm in firms:
        assert issuing.seller_problems(firm) == [], firm.slug
    durand = Firm.objects.get(slug="durand-associes")
    with firm_scope(durand):
        invoices = list(Invoice.objects.for_firm(durand).order_by("number"))
        assert Engagement.objects.for_firm(durand).exists()
    issued = [invoice for invoice in invoices if invoice.status == InvoiceStatus.ISSUED]
    assert issued and any(invoice.status == InvoiceStatus.DRAFT for invoice in invoices)
    assert any(invoice.kind == InvoiceKind.CREDIT_NOTE for invoice in issued)
    assert all(invoice.pdf and invoice.pdf_sha256 and invoice.document for invoice in issued)
    numbers = sorted(
        int(invoice.number[-6:]) for invoice in issued if invoice.kind == InvoiceKind.INVOICE
    )
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_demo_sends_some_of_its_invoices(db):
    call_command("seed_demo", "--clients", "12", stdout=StringIO())
    durand = Firm.objects.get(slug="durand-associes")
    with firm_scope(durand):
        deliveries = list(InvoiceDelivery.objects.for_firm(durand))
        issued = Invoice.objects.for_firm(durand).filter(status=InvoiceStatus.ISSUED).count()
    assert deliveries
    assert len(deliveries) < issued  # some are left to send
    assert {d.state for d in deliveries} <= {"sent", "paper", "platform"}
