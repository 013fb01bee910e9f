"""An issued invoice as Factur-X: the EN 16931 CII XML of its document, embedded in its PDF/A-3b.

``build_cii_xml(document)`` writes the Cross Industry Invoice XML of the Factur-X **EN 16931**
profile (guideline ``urn:cen.eu:en16931:2017``) with the French CTC data that the reform's
platforms check (business process BT-23, SIREN with scheme 0002, electronic addresses with
scheme 0225, the notes PMT, PMD and AAB). It reads the immutable ``InvoiceDocument`` only and
writes what it says, amounts as given: the checks of ``invoicing.schematron`` (XSD, EN 16931 and
French CTC schematrons) tell whether a document makes a valid invoice.

``embed_facturx(pdf_bytes, xml_bytes)`` attaches the XML as ``factur-x.xml`` to a PDF that is
already PDF/A-3b (``pdf.render_pdf(…, pdf_variant="pdf/a-3b")``), with the Factur-X XMP metadata;
``facturx_pdf(document, pdf_bytes)`` does both.

Choices where the norm leaves room:

- Business process (BT-23, the French *cadre de facturation*): ``B1`` goods, ``S1`` services,
  ``M1`` both ("dépôt d'une facture" of the category). A credit note keeps its invoice's
  framework: the French list has no code of its own for it (``2`` means already paid, ``4`` a
  final invoice after a deposit), the type code 381 says it is a credit note.
- VAT point date code (BT-8): for services, and for invoices of goods and services, ``5`` (the
  invoice date) when the seller opted for VAT on debits (*option pour le paiement de la taxe
  d'après les débits*, also written as a note), else ``72`` (the payment date: VAT on services is
  due on receipt). Goods bear VAT on delivery, whatever the option: no code. Never BT-7 as well
  (EN 16931 BR-CO-03).
- Credit notes: EN 16931 wants a credit note's amounts positive under the type code 381; a
  document whose total is negative is written with every amount and quantity negated, and a
  price is never negative (BR-27): a negative price moves its sign to the quantity.
- VAT categories: ``O`` (not subject) lines carry no rate, and an invoice with them carries no
  VAT identifier (BR-O-02, BR-O-05); ``AE`` and ``O`` get their exemption codes ``VATEX-EU-AE``
  and ``VATEX-EU-O``; ``E`` carries its reason text; ``S`` and ``Z`` carry none (BR-S-10,
  BR-Z-10).
- Payment means (BG-16) only with an IBAN: ``58`` (SEPA credit transfer) for an IBAN of the SEPA
  area, else ``30``; both require the account (BR-61).
- Electronic addresses (BT-34, BT-49, required by the French rules BR-FR-12/13): the party's
  address, else its SIREN, with scheme 0225; a buyer with neither (a consumer, a foreign
  client) gets its e-mail address with scheme ``EM``; with nothing at all BT-49 is left out and
  the checks say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from facturx import generate_from_binary
from lxml import etree

from french_formats.numbers import with_unit
from invoicing.document import (
    Address,
    InvoiceDocument,
    Line,
    OperationCategory,
    Party,
    VatCategory,
    VatSubtotal,
)

FACTURX_LEVEL = "en16931"
GUIDELINE_ID = "urn:cen.eu:en16931:2017"
ATTACHMENT_NAME = "factur-x.xml"

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

# ISO 6523 / EAS schemes: SIREN as legal registration, the French directory's electronic
# address (SIREN[_SIRET[_routing code]]), an e-mail address.
SIREN_SCHEME = "0002"
ELECTRONIC_ADDRESS_SCHEME = "0225"
EMAIL_SCHEME = "EM"
VAT_SCHEME = "VA"

# BT-23, the French "cadre de facturation" of a plain invoice (and of its credit notes).
BUSINESS_PROCESS = {
    OperationCategory.GOODS: "B1",
    OperationCategory.SERVICES: "S1",
    OperationCategory.BOTH: "M1",
}

# UNTDID 2005 in CII, BT-8.
VAT_DUE_ON_INVOICE_DATE = "5"
VAT_DUE_ON_PAYMENT_DATE = "72"

# UNTDID 4461, BT-81.
SEPA_CREDIT_TRANSFER = "58"
CREDIT_TRANSFER = "30"

# Countries whose IBANs belong to the Single Euro Payments Area.
SEPA_COUNTRIES = frozenset(
    {
        "AD",
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "SM",
        "VA",
    }
)

# VATEX codes (BT-121) and the texts written with them (BT-120).
EXEMPTION_CODES = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.NOT_SUBJECT: "VATEX-EU-O",
}
DEFAULT_EXEMPTION_TEXTS = {
    VatCategory.REVERSE_CHARGE: "Autoliquidation",
    VatCategory.NOT_SUBJECT: "Non soumis à la TVA",
}

VAT_ON_DEBITS_MENTION = "Option pour le paiement de la taxe d'après les débits"

CENT = Decimal("0.01")


def build_cii_xml(document: InvoiceDocument) -> bytes:
    """The Factur-X EN 16931 CII XML of ``document``, UTF-8 bytes with an XML declaration."""
    sign = -1 if document.is_credit_note and document.total_incl_vat < 0 else 1
    not_subject = any(line.vat_category == VatCategory.NOT_SUBJECT for line in document.lines)

    root = _element("rsm:CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(
        _sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"),
        "ram:ID",
        business_process(document),
    )
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_ID)

    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", document.number)
    _sub(header, "ram:TypeCode", document.type_code.value)
    _date_time(_sub(header, "ram:IssueDateTime"), "udt:DateTimeString", document.issue_date)
    for content, subject in notes(document):
        note = _sub(header, "ram:IncludedNote")
        _sub(note, "ram:Content", content)
        if subject:
            _sub(note, "ram:SubjectCode", subject)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for line in document.lines:
        _line(transaction, line, sign)

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(
        agreement,
        "ram:SellerTradeParty",
        document.seller,
        with_vat_number=not not_subject,
        legal_information=seller_legal_information(document.seller),
    )
    _party(
        agreement,
        "ram:BuyerTradeParty",
        document.buyer,
        with_vat_number=not not_subject,
        legal_information="",
    )

    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    if document.delivery_address is not None:
        ship_to = _sub(delivery, "ram:ShipToTradeParty")
        _sub(ship_to, "ram:Name", document.buyer.name)
        _address(ship_to, document.delivery_address)

    _settlement(transaction, document, sign)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def embed_facturx(
    pdf_bytes: bytes, xml_bytes: bytes, *, metadata: Mapping[str, str] | None = None
) -> bytes:
    """The PDF with ``xml_bytes`` embedded as ``factur-x.xml`` (relationship *Data*) and the
    Factur-X XMP metadata of the EN 16931 level. The XML is checked against the XSD first
    (an invalid one raises); the PDF must already be PDF/A-3b for the result to be one."""
    return generate_from_binary(
        pdf_bytes,
        xml_bytes,
        flavor="factur-x",
        level=FACTURX_LEVEL,
        check_xsd=True,
        check_schematron=False,
        pdf_metadata=dict(metadata) if metadata else None,
        lang="fr-FR",
        afrelationship="data",
    )


def facturx_pdf(document: InvoiceDocument, pdf_bytes: bytes) -> bytes:
    """The Factur-X PDF of ``document``: its CII XML embedded in its PDF/A-3b rendering."""
    return embed_facturx(pdf_bytes, build_cii_xml(document), metadata=pdf_metadata(document))


def pdf_metadata(document: InvoiceDocument) -> dict[str, str]:
    """French document information (the library would write English from the XML)."""
    kind = "Avoir" if document.is_credit_note else "Facture"
    return {
        "author": document.seller.name,
        "keywords": f"Factur-X, {kind}",
        "title": f"{document.seller.name} : {kind} {document.number}",
        "subject": f"{kind} {document.number} du {document.issue_date:%d/%m/%Y}",
    }


def business_process(document: InvoiceDocument) -> str:
    """BT-23 from the category of operation (see the module's notes for credit notes)."""
    return BUSINESS_PROCESS[document.operation_category]


def vat_due_date_code(document: InvoiceDocument) -> str:
    """BT-8: ``5`` on debits, ``72`` on receipt, empty for goods (VAT due on delivery)."""
    if document.operation_category == OperationCategory.GOODS:
        return ""
    return VAT_DUE_ON_INVOICE_DATE if document.vat_on_debits else VAT_DUE_ON_PAYMENT_DATE


def notes(document: InvoiceDocument) -> list[tuple[str, str]]:
    """The notes (BG-1) as (text BT-22, subject code BT-21): the free notes, the mention of VAT
    on debits, then the three the French rules require (PMD, PMT, AAB), each only when its text
    is there (a missing one is for the checks to report)."""
    found: list[tuple[str, str]] = [(text, "") for text in document.notes if text.strip()]
    if document.vat_on_debits and vat_due_date_code(document):
        found.append((VAT_ON_DEBITS_MENTION, ""))
    payment = document.payment
    for text, subject in (
        (payment.late_penalty_text, "PMD"),
        (payment.recovery_indemnity_text, "PMT"),
        (payment.discount_text, "AAB"),
    ):
        if text.strip():
            found.append((text, subject))
    return found


def seller_legal_information(seller: Party) -> str:
    """BT-33: "SAS au capital de 10 000 € · RCS Lyon 123 456 789"."""
    parts = []
    form = seller.legal_form.strip()
    if seller.share_capital.strip():
        capital = with_unit(Decimal(seller.share_capital), "€")
        form = f"{form} au capital de {capital}" if form else f"Capital de {capital}"
    if form:
        parts.append(form)
    if seller.rcs.strip():
        parts.append(seller.rcs.strip())
    return " · ".join(parts)


def payment_means_code(iban: str) -> str:
    compact = iban.replace(" ", "").upper()
    return SEPA_CREDIT_TRANSFER if compact[:2] in SEPA_COUNTRIES else CREDIT_TRANSFER


def electronic_address(party: Party, *, fallback_to_email: bool) -> tuple[str, str] | None:
    """(address, scheme) of BT-34 / BT-49, or ``None``."""
    if party.electronic_address.strip():
        return party.electronic_address.strip(), ELECTRONIC_ADDRESS_SCHEME
    if party.siren.strip():
        return party.siren.strip(), ELECTRONIC_ADDRESS_SCHEME
    if fallback_to_email and party.email.strip():
        return party.email.strip(), EMAIL_SCHEME
    return None


def _line(transaction: etree._Element, line: Line, sign: int) -> None:
    quantity, price, net = sign * line.quantity, line.unit_price, sign * line.net_amount
    if price < 0:
        quantity, price = -quantity, -price

    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line.position))
    _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _price(price))
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", _quantity(quantity), unitCode="C62")
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", line.vat_category.value)
    if line.vat_category != VatCategory.NOT_SUBJECT:
        _sub(tax, "ram:RateApplicablePercent", _rate(line.vat_rate))
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(net))


def _party(
    agreement: etree._Element,
    tag: str,
    party: Party,
    *,
    with_vat_number: bool,
    legal_information: str,
) -> None:
    is_seller = tag == "ram:SellerTradeParty"
    element = _sub(agreement, tag)
    _sub(element, "ram:Name", party.name)
    if legal_information:
        _sub(element, "ram:Description", legal_information)
    if party.siren.strip():
        legal = _sub(element, "ram:SpecifiedLegalOrganization")
        _sub(legal, "ram:ID", party.siren.strip(), schemeID=SIREN_SCHEME)
    if party.phone.strip() or party.email.strip():
        contact = _sub(element, "ram:DefinedTradeContact")
        if party.phone.strip():
            phone = _sub(contact, "ram:TelephoneUniversalCommunication")
            _sub(phone, "ram:CompleteNumber", party.phone.strip())
        if party.email.strip():
            email = _sub(contact, "ram:EmailURIUniversalCommunication")
            _sub(email, "ram:URIID", party.email.strip())
    _address(element, party.address)
    address = electronic_address(party, fallback_to_email=not is_seller)
    if address is not None:
        value, scheme = address
        _sub(_sub(element, "ram:URIUniversalCommunication"), "ram:URIID", value, schemeID=scheme)
    if with_vat_number and party.vat_number.strip():
        registration = _sub(element, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", party.vat_number.strip(), schemeID=VAT_SCHEME)


def _address(parent: etree._Element, address: Address) -> None:
    element = _sub(parent, "ram:PostalTradeAddress")
    if address.postal_code.strip():
        _sub(element, "ram:PostcodeCode", address.postal_code.strip())
    if address.line1.strip():
        _sub(element, "ram:LineOne", address.line1.strip())
    if address.line2.strip():
        _sub(element, "ram:LineTwo", address.line2.strip())
    if address.city.strip():
        _sub(element, "ram:CityName", address.city.strip())
    _sub(element, "ram:CountryID", address.country_code.strip().upper() or "FR")


def _settlement(transaction: etree._Element, document: InvoiceDocument, sign: int) -> None:
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:PaymentReference", document.number)
    _sub(settlement, "ram:InvoiceCurrencyCode", document.currency)

    payment = document.payment
    if payment.iban.strip():
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", payment_means_code(payment.iban))
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", payment.iban.replace(" ", "").upper())
        if payment.bic.strip():
            institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _sub(institution, "ram:BICID", payment.bic.strip().upper())

    due_date_code = vat_due_date_code(document)
    for subtotal in document.vat_breakdown:
        _vat_subtotal(settlement, subtotal, sign, due_date_code)

    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    if payment.terms_text.strip():
        _sub(terms, "ram:Description", payment.terms_text.strip())
    _date_time(_sub(terms, "ram:DueDateDateTime"), "udt:DateTimeString", payment.due_date)

    totals = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(totals, "ram:LineTotalAmount", _amount(sign * sum_of_lines(document)))
    _sub(totals, "ram:TaxBasisTotalAmount", _amount(sign * document.total_excl_vat))
    _sub(
        totals,
        "ram:TaxTotalAmount",
        _amount(sign * document.total_vat),
        currencyID=document.currency,
    )
    _sub(totals, "ram:GrandTotalAmount", _amount(sign * document.total_incl_vat))
    _sub(totals, "ram:DuePayableAmount", _amount(sign * document.total_incl_vat))

    if document.preceding_invoice_number:
        reference = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", document.preceding_invoice_number)
        if document.preceding_invoice_date is not None:
            _date_time(
                _sub(reference, "ram:FormattedIssueDateTime"),
                "qdt:DateTimeString",
                document.preceding_invoice_date,
            )


def _vat_subtotal(
    settlement: etree._Element, subtotal: VatSubtotal, sign: int, due_date_code: str
) -> None:
    category = subtotal.vat_category
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:CalculatedAmount", _amount(sign * subtotal.tax_amount))
    _sub(tax, "ram:TypeCode", "VAT")
    reason = exemption_reason(subtotal)
    if reason:
        _sub(tax, "ram:ExemptionReason", reason)
    _sub(tax, "ram:BasisAmount", _amount(sign * subtotal.taxable_amount))
    _sub(tax, "ram:CategoryCode", category.value)
    if category in EXEMPTION_CODES:
        _sub(tax, "ram:ExemptionReasonCode", EXEMPTION_CODES[category])
    if due_date_code:
        _sub(tax, "ram:DueDateTypeCode", due_date_code)
    if category != VatCategory.NOT_SUBJECT:
        _sub(tax, "ram:RateApplicablePercent", _rate(subtotal.vat_rate))


def exemption_reason(subtotal: VatSubtotal) -> str:
    """BT-120: the document's text for E, AE and O (a standard one for AE and O when it has
    none); nothing for S and Z, which must not have one."""
    category = subtotal.vat_category
    if category in (VatCategory.STANDARD, VatCategory.ZERO):
        return ""
    return subtotal.exemption_reason.strip() or DEFAULT_EXEMPTION_TEXTS.get(category, "")


def sum_of_lines(document: InvoiceDocument) -> Decimal:
    return sum((line.net_amount for line in document.lines), Decimal("0"))


def _element(tag: str, nsmap: Mapping[str, str] | None = None) -> etree._Element:
    return etree.Element(_qualified(tag), nsmap=dict(nsmap) if nsmap else None)


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, _qualified(tag), attributes)
    if text is not None:
        element.text = text
    return element


def _qualified(tag: str) -> str:
    prefix, _, name = tag.partition(":")
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _date_time(parent: etree._Element, tag: str, day: date) -> None:
    _sub(parent, tag, day.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def _rate(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def _price(value: Decimal) -> str:
    # Up to six decimals (BR-FR-DEC-03), no trailing zeros past the cents.
    text = f"{value.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"
    integer, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"{integer}.{fraction}"


def _quantity(value: Decimal) -> str:
    # Up to four decimals (BR-FR-DEC-02), written without trailing zeros.
    text = f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
