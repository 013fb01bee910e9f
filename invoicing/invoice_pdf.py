"""The invoice's PDF/A-3b, rendered from its document only (the snapshot taken at issuing) and the
firm's letterhead: logo, header and footer texts."""

from __future__ import annotations

from firms.models import Firm
from invoicing.document import InvoiceDocument, OperationCategory, VatCategory
from invoicing.models import InvoicingSettings
from pdf import render_pdf_template

OPERATION_LABELS = {
    OperationCategory.GOODS: "Livraison de biens",
    OperationCategory.SERVICES: "Prestation de services",
    OperationCategory.BOTH: "Livraison de biens et prestation de services",
}
VAT_CATEGORY_NOTES = {
    VatCategory.ZERO: "Taux zéro",
    VatCategory.EXEMPT: "Exonération",
    VatCategory.REVERSE_CHARGE: "Autoliquidation",
    VatCategory.NOT_SUBJECT: "Hors champ de la TVA",
}
PDF_VARIANT = "pdf/a-3b"


def render_invoice_pdf(document: InvoiceDocument, firm: Firm) -> bytes:
    """The invoice or credit note as a PDF/A-3b, from its document; the firm gives only its
    logo and its letterhead texts (the seller's identity is the document's)."""
    settings_row = InvoicingSettings.objects.for_firm(firm).first()
    logo = b""
    if firm.logo:
        with firm.logo.open("rb") as stored:
            logo = stored.read()
    return render_pdf_template(
        "invoicing/invoice_pdf.html",
        {
            "document": document,
            "seller": document.seller,
            "buyer": document.buyer,
            "title": "Avoir" if document.is_credit_note else "Facture",
            "operation": OPERATION_LABELS[document.operation_category],
            "category_notes": VAT_CATEGORY_NOTES,
            "header_text": settings_row.header_text if settings_row else "",
            "footer_text": settings_row.footer_text if settings_row else "",
        },
        images={"logo": logo} if logo else None,
        pdf_variant=PDF_VARIANT,
    )
