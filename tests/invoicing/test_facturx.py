"""The Factur-X EN 16931 XML of issued documents, checked offline against the XSD, the EN 16931
schematron and the French CTC schematron; the PDF/A-3b with its embedded XML."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from facturx import get_xml_from_pdf
from lxml import etree

from invoicing import schematron
from invoicing.document import Address, OperationCategory, VatCategory
from invoicing.facturx import (
    ATTACHMENT_NAME,
    NAMESPACES,
    build_cii_xml,
    embed_facturx,
    facturx_pdf,
)
from invoicing.schematron import check_cii, check_schematron, check_xsd
from pdf import render_pdf
from tests.invoicing.facturx_samples import (
    CONSUMER,
    EU_COMPANY,
    FRENCH_COMPANY,
    PAYMENT,
    SELLER,
    credit_note,
    invoice,
    line,
)
from tests.pdf.poppler import attachment_names, info_of, save_as_png

REVERSE_CHARGE = "Autoliquidation, article 283-2 du CGI (art. 196 de la directive 2006/112/CE)"
EXEMPT = "Exonération de TVA, article 261-4-4° a du CGI"

DOCUMENTS = {
    "standard 20 %": invoice(),
    "mixed 20 %, 10 % and 5.5 %": invoice(
        line("Mission de révision", "2", "600.00"),
        line("Prestation au taux intermédiaire", "3", "33.33", rate="10"),
        line("Abonnement documentation", "1", "10.55", rate="5.5"),
        line("Frais de dossier", "1", "25.00"),
    ),
    "zero-rated": invoice(
        line("Publication au taux zéro", "1", "80.00", rate="0", category=VatCategory.ZERO)
    ),
    "exempt with its reason": invoice(
        line(
            "Formation professionnelle continue",
            "1",
            "900.00",
            rate="0",
            category=VatCategory.EXEMPT,
            reason=EXEMPT,
        )
    ),
    "reverse charge to an EU company": invoice(
        line(
            "Conseil fiscal",
            "4",
            "250.00",
            rate="0",
            category=VatCategory.REVERSE_CHARGE,
            reason=REVERSE_CHARGE,
        ),
        buyer=EU_COMPANY,
    ),
    "not subject to VAT alone": invoice(
        line(
            "Débours : droits d'enregistrement",
            "1",
            "125.00",
            rate="0",
            category=VatCategory.NOT_SUBJECT,
            reason="Débours",
        )
    ),
    "credit note for an invoice": credit_note(
        line("Avoir sur honoraires de novembre", "1", "120.00")
    ),
    "credit note with negative amounts": credit_note(line("Remise sur honoraires", "-1", "120.00")),
    "with a delivery address": invoice(
        delivery_address=Address(
            line1="Zone artisanale des Iles", postal_code="38100", city="Grenoble"
        ),
        category=OperationCategory.GOODS,
    ),
    "VAT on debits": invoice(vat_on_debits=True),
    "goods": invoice(line("Classeurs d'archivage", "12", "4.90"), category=OperationCategory.GOODS),
    "services": invoice(category=OperationCategory.SERVICES),
    "goods and services, on debits": invoice(
        line("Logiciel de caisse", "1", "390.00"),
        line("Paramétrage", "2.5", "80.00"),
        category=OperationCategory.BOTH,
        vat_on_debits=True,
    ),
    "decimal quantities": invoice(
        line("Heures de conseil", "1.5", "99.99"), line("Saisie", "0.25", "48.00")
    ),
    "to a consumer": invoice(buyer=CONSUMER),
    "without IBAN nor free notes": invoice(payment=replace(PAYMENT, iban="", bic="")),
}


def xpath(xml: bytes, path: str) -> list[str]:
    found = etree.fromstring(xml).xpath(path, namespaces=NAMESPACES)
    return [item if isinstance(item, str) else (item.text or "") for item in found]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_is_a_valid_french_en16931_invoice(name):
    xml = build_cii_xml(DOCUMENTS[name])
    assert check_cii(xml) == []
    assert xpath(
        xml, "//rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ) == ["urn:cen.eu:en16931:2017"]


@pytest.mark.parametrize(
    ("category", "is_credit_note", "expected"),
    [
        (OperationCategory.GOODS, False, "B1"),
        (OperationCategory.SERVICES, False, "S1"),
        (OperationCategory.BOTH, False, "M1"),
        (OperationCategory.GOODS, True, "B1"),
        (OperationCategory.SERVICES, True, "S1"),
        (OperationCategory.BOTH, True, "M1"),
    ],
)
def test_the_business_process_follows_the_category_of_operation(category, is_credit_note, expected):
    document = credit_note(category=category) if is_credit_note else invoice(category=category)
    xml = build_cii_xml(document)
    assert xpath(xml, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == [expected]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == [
        "381" if is_credit_note else "380"
    ]


@pytest.mark.parametrize(
    ("category", "on_debits", "codes", "mention"),
    [
        (OperationCategory.SERVICES, False, ["72"], False),
        (OperationCategory.SERVICES, True, ["5"], True),
        (OperationCategory.BOTH, False, ["72"], False),
        (OperationCategory.BOTH, True, ["5"], True),
        (OperationCategory.GOODS, False, [], False),
        (OperationCategory.GOODS, True, [], False),  # the option concerns services only
    ],
)
def test_the_vat_point_date_code_says_debits_or_receipt(category, on_debits, codes, mention):
    xml = build_cii_xml(invoice(category=category, vat_on_debits=on_debits))
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{header_tax}/ram:DueDateTypeCode") == codes
    assert xpath(xml, f"{header_tax}/ram:TaxPointDate") == []
    notes = xpath(xml, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
    assert ("Option pour le paiement de la taxe d'après les débits" in notes) is mention


def test_the_header_carries_number_date_notes_and_parties():
    xml = build_cii_xml(DOCUMENTS["standard 20 %"])
    assert xpath(xml, "//rsm:ExchangedDocument/ram:ID") == ["F2026-0001"]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == [
        "20261201"
    ]
    assert xpath(xml, "//ram:InvoiceCurrencyCode") == ["EUR"]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode") == [
        "PMD",
        "PMT",
        "AAB",
    ]
    seller = "//ram:SellerTradeParty"
    assert xpath(xml, f"{seller}/ram:Name") == [SELLER.name]
    assert xpath(xml, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
        "732829320"
    ]
    assert xpath(xml, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [
        "FR44732829320"
    ]
    assert xpath(xml, f"{seller}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == [
        "732829320"
    ]
    assert xpath(xml, f"{seller}/ram:Description") == [
        "SAS au capital de 50\u202f000 € · RCS Lyon 732 829 320"
    ]
    buyer = "//ram:BuyerTradeParty"
    assert xpath(xml, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
        "542107651"
    ]
    assert xpath(xml, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID") == ["FR40542107651"]
    assert xpath(xml, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == [
        "542107651"
    ]
    assert xpath(xml, "//ram:ShipToTradeParty") == []


def test_payment_means_terms_and_totals():
    xml = build_cii_xml(DOCUMENTS["standard 20 %"])
    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert xpath(xml, f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == [
        "58"
    ]
    assert xpath(xml, f"{settlement}//ram:IBANID") == ["FR7630006000011234567890189"]
    assert xpath(xml, f"{settlement}//ram:BICID") == ["AGRIFRPP"]
    assert xpath(xml, f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:Description") == [
        "Paiement à 30 jours"
    ]
    assert xpath(
        xml, f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    ) == ["20261231"]
    totals = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert xpath(xml, f"{totals}/ram:LineTotalAmount") == ["450.00"]
    assert xpath(xml, f"{totals}/ram:TaxBasisTotalAmount") == ["450.00"]
    assert xpath(xml, f"{totals}/ram:TaxTotalAmount[@currencyID='EUR']") == ["90.00"]
    assert xpath(xml, f"{totals}/ram:GrandTotalAmount") == ["540.00"]
    assert xpath(xml, f"{totals}/ram:DuePayableAmount") == ["540.00"]


def test_an_iban_outside_the_sepa_area_is_a_plain_credit_transfer():
    document = invoice(payment=replace(PAYMENT, iban="BR1800360305000010009795493C1", bic=""))
    xml = build_cii_xml(document)
    assert xpath(xml, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["30"]
    assert check_cii(xml) == []


def test_lines_carry_quantity_price_amount_and_vat():
    xml = build_cii_xml(DOCUMENTS["decimal quantities"])
    item = "//ram:IncludedSupplyChainTradeLineItem"
    assert xpath(xml, f"{item}/ram:AssociatedDocumentLineDocument/ram:LineID") == ["1", "2"]
    assert xpath(xml, f"{item}/ram:SpecifiedTradeProduct/ram:Name") == [
        "Heures de conseil",
        "Saisie",
    ]
    assert xpath(xml, f"{item}//ram:BilledQuantity") == ["1.5", "0.25"]
    assert xpath(xml, f"{item}//ram:BilledQuantity/@unitCode") == ["C62", "C62"]
    assert xpath(xml, f"{item}//ram:NetPriceProductTradePrice/ram:ChargeAmount") == [
        "99.99",
        "48.00",
    ]
    assert xpath(xml, f"{item}//ram:LineTotalAmount") == ["149.99", "12.00"]
    assert xpath(xml, f"{item}//ram:CategoryCode") == ["S", "S"]
    assert xpath(xml, f"{item}//ram:RateApplicablePercent") == ["20.00", "20.00"]


def test_the_vat_breakdown_has_one_group_per_rate():
    xml = build_cii_xml(DOCUMENTS["mixed 20 %, 10 % and 5.5 %"])
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{tax}/ram:RateApplicablePercent") == ["20.00", "10.00", "5.50"]
    assert xpath(xml, f"{tax}/ram:BasisAmount") == ["1225.00", "99.99", "10.55"]
    assert xpath(xml, f"{tax}/ram:CalculatedAmount") == ["245.00", "10.00", "0.58"]


@pytest.mark.parametrize(
    ("name", "category", "reason", "code", "vat_numbers", "rates"),
    [
        ("zero-rated", "Z", [], [], 2, ["0.00"]),
        ("exempt with its reason", "E", [EXEMPT], [], 2, ["0.00"]),
        ("reverse charge to an EU company", "AE", [REVERSE_CHARGE], ["VATEX-EU-AE"], 2, ["0.00"]),
        ("not subject to VAT alone", "O", ["Débours"], ["VATEX-EU-O"], 0, []),
    ],
)
def test_categories_without_vat_carry_their_reason(
    name, category, reason, code, vat_numbers, rates
):
    xml = build_cii_xml(DOCUMENTS[name])
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{tax}/ram:CategoryCode") == [category]
    assert xpath(xml, f"{tax}/ram:ExemptionReason") == reason
    assert xpath(xml, f"{tax}/ram:ExemptionReasonCode") == code
    assert xpath(xml, f"{tax}/ram:CalculatedAmount") == ["0.00"]
    assert xpath(xml, f"{tax}/ram:RateApplicablePercent") == rates
    assert len(xpath(xml, "//ram:SpecifiedTaxRegistration/ram:ID")) == vat_numbers


def test_a_foreign_company_and_a_consumer_are_reached_by_e_mail():
    xml = build_cii_xml(DOCUMENTS["reverse charge to an EU company"])
    buyer = "//ram:BuyerTradeParty"
    assert xpath(xml, f"{buyer}/ram:SpecifiedLegalOrganization") == []
    assert xpath(xml, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']") == [
        EU_COMPANY.email
    ]
    assert xpath(xml, f"{buyer}/ram:PostalTradeAddress/ram:CountryID") == ["DE"]
    assert xpath(xml, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID") == ["DE136695976"]
    xml = build_cii_xml(DOCUMENTS["to a consumer"])
    assert xpath(xml, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']") == [
        CONSUMER.email
    ]


def test_the_electronic_address_given_wins_over_the_siren():
    buyer = replace(FRENCH_COMPANY, electronic_address="542107651_54210765100018")
    xml = build_cii_xml(invoice(buyer=buyer))
    assert xpath(
        xml, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']"
    ) == ["542107651_54210765100018"]
    assert check_cii(xml) == []


def test_a_credit_note_references_its_invoice():
    xml = build_cii_xml(DOCUMENTS["credit note for an invoice"])
    reference = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert xpath(xml, f"{reference}/ram:IssuerAssignedID") == ["F2026-0001"]
    assert xpath(xml, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == ["20261101"]
    assert xpath(xml, "//ram:GrandTotalAmount") == ["144.00"]


def test_a_credit_note_of_negative_amounts_is_written_positive():
    document = DOCUMENTS["credit note with negative amounts"]
    assert document.total_incl_vat < 0
    xml = build_cii_xml(document)
    assert xpath(xml, "//ram:BilledQuantity") == ["1"]
    assert xpath(xml, "//ram:NetPriceProductTradePrice/ram:ChargeAmount") == ["120.00"]
    assert xpath(xml, "//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount") == ["120.00"]
    assert xpath(
        xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount"
    ) == ["24.00"]
    assert xpath(xml, "//ram:GrandTotalAmount") == ["144.00"]


def test_the_delivery_address_only_when_there_is_one():
    xml = build_cii_xml(DOCUMENTS["with a delivery address"])
    ship_to = "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty"
    assert xpath(xml, f"{ship_to}/ram:PostalTradeAddress/ram:LineOne") == [
        "Zone artisanale des Iles"
    ]
    assert xpath(xml, f"{ship_to}/ram:PostalTradeAddress/ram:PostcodeCode") == ["38100"]
    assert xpath(xml, f"{ship_to}/ram:PostalTradeAddress/ram:CountryID") == ["FR"]
    assert xpath(build_cii_xml(DOCUMENTS["goods"]), ship_to) == []


def test_xml_special_characters_are_escaped():
    buyer = replace(FRENCH_COMPANY, name="Dupont & Fils <SARL>")
    xml = build_cii_xml(invoice(line('Audit "flash" & rapport <final>', "1", "10.00"), buyer=buyer))
    assert b"Dupont &amp; Fils &lt;SARL&gt;" in xml
    assert xpath(xml, "//ram:BuyerTradeParty/ram:Name") == ["Dupont & Fils <SARL>"]
    assert check_cii(xml) == []


# The checker must catch what the French rules make fatal.


def rule_ids(xml: bytes) -> set[str]:
    return {failure.rule_id for failure in check_cii(xml)}


def test_the_checker_catches_a_missing_seller_siren():
    document = invoice(seller=replace(SELLER, siren=""))
    failures = check_cii(build_cii_xml(document))
    assert "BR-FR-10_BT-30" in {failure.rule_id for failure in failures}
    assert any("SIREN du vendeur" in failure.text for failure in failures)
    assert {failure.check for failure in failures} == {"fr-ctc"}


def test_the_checker_catches_a_missing_buyer_electronic_address():
    buyer = replace(CONSUMER, email="")
    assert "BR-FR-12_BT-49" in rule_ids(build_cii_xml(invoice(buyer=buyer)))


def test_the_checker_catches_a_missing_recovery_indemnity_note():
    document = invoice(payment=replace(PAYMENT, recovery_indemnity_text=""))
    assert rule_ids(build_cii_xml(document)) == {"BR-FR-05_BT-22_PMT"}


@pytest.mark.parametrize(
    ("field", "rule"),
    [("late_penalty_text", "BR-FR-05_BT-22_PMD"), ("discount_text", "BR-FR-05_BT-22_AAB")],
)
def test_the_checker_catches_the_other_missing_notes(field, rule):
    document = invoice(payment=replace(PAYMENT, **{field: ""}))
    assert rule_ids(build_cii_xml(document)) == {rule}


def test_the_checker_catches_wrong_totals_with_en16931():
    document = replace(invoice(), total_incl_vat=invoice().total_incl_vat + 1)
    failures = check_cii(build_cii_xml(document))
    assert "BR-CO-15" in {failure.rule_id for failure in failures}
    assert {failure.check for failure in failures} == {"en16931"}


def test_the_checker_catches_a_missing_exemption_reason():
    document = invoice(line("Formation", "1", "900.00", rate="0", category=VatCategory.EXEMPT))
    assert "BR-E-10" in rule_ids(build_cii_xml(document))


def test_the_checker_catches_a_schema_error():
    xml = build_cii_xml(invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    failures = check_xsd(xml)
    assert len(failures) == 1
    assert failures[0].check == "xsd"
    assert "TypeCode" in failures[0].text


def test_unreadable_xml_is_one_failure_not_an_exception():
    failures = check_cii(b"<rsm:CrossIndustryInvoice")
    assert [failure.check for failure in failures] == ["xsd"]
    assert failures[0].text.startswith("XML illisible")


def test_an_entity_is_never_expanded():
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
    failures = check_schematron(xml, "fr-ctc")
    assert [failure.rule_id for failure in failures] == [""]
    assert failures[0].text.startswith("Contrôle impossible")
    assert "root:" not in failures[0].text


def test_each_schematron_is_compiled_once():
    xml = build_cii_xml(invoice())
    check_schematron(xml, "en16931")
    compiled = dict(schematron._sheets.executables)
    check_schematron(xml, "en16931")
    assert schematron._sheets.executables["en16931"] is compiled["en16931"]


# The PDF: PDF/A-3b rendered by the project's pdf package, the XML embedded and read back.

INVOICE_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Facture F2026-0001</title>
<link rel="stylesheet" href="static:css/pdf.css"></head>
<body><h1>Facture F2026-0001</h1>
<p>Cabinet Lambert &amp; Associés, 12 rue de la République, 69002 Lyon</p>
<table><tr><th>Désignation</th><th>Montant HT</th></tr>
<tr><td>Tenue de la comptabilité, décembre 2026</td><td>450,00 €</td></tr></table>
<p>Total TTC : 540,00 €</p></body></html>"""


def test_the_pdf_carries_the_xml_and_stays_pdf_a_3(artifacts_dir):
    document = DOCUMENTS["standard 20 %"]
    rendered = render_pdf(INVOICE_HTML, pdf_variant="pdf/a-3b")
    pdf = facturx_pdf(document, rendered)

    filename, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == ATTACHMENT_NAME == "factur-x.xml"
    assert xml == build_cii_xml(document)
    assert check_cii(xml) == []
    assert attachment_names(pdf) == ["factur-x.xml"]

    metadata = info_of(pdf, "-meta")
    assert 'pdfaid:part="3"' in metadata or "<pdfaid:part>3</pdfaid:part>" in metadata
    assert "EN 16931" in metadata
    assert "factur-x.xml" in metadata
    info = info_of(pdf)
    assert "Title: Cabinet Lambert & Associés : Facture F2026-0001" in info
    pages = save_as_png(pdf, artifacts_dir / "facturx-invoice")
    assert len(pages) == 1


def test_embedding_refuses_an_xml_that_breaks_the_schema():
    rendered = render_pdf(INVOICE_HTML, pdf_variant="pdf/a-3b")
    broken = build_cii_xml(invoice()).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    with pytest.raises(Exception, match="XML Schema Definition"):
        embed_facturx(rendered, broken)


def test_a_credit_note_round_trips_too():
    document = DOCUMENTS["credit note for an invoice"]
    pdf = facturx_pdf(document, render_pdf(INVOICE_HTML, pdf_variant="pdf/a-3b"))
    filename, xml = get_xml_from_pdf(pdf)
    assert filename == "factur-x.xml"
    assert xpath(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert "Avoir A2026-0001" in info_of(pdf)


def test_dates_are_written_as_format_102():
    xml = build_cii_xml(invoice(issue_date=date(2027, 2, 28)))
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/@format") == [
        "102"
    ]
    assert xpath(xml, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == [
        "20270228"
    ]
