"""What issuing stores is a Factur-X EN 16931 invoice valid for France: the PDF/A-3b with the CII
XML of its own snapshot, checked offline against the XSD, the EN 16931 and the French CTC
schematrons."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf

from firms.tenancy import firm_scope
from invoicing import issuing, services
from invoicing.document import InvoiceDocument
from invoicing.schematron import check_cii
from tests.invoicing.conftest import line, make_issued

pytestmark = pytest.mark.django_db


def stored_xml(cast, invoice) -> tuple[str, bytes, bytes]:
    with firm_scope(cast.firm):
        invoice.refresh_from_db()
        with invoice.pdf.open("rb") as stored:
            pdf = stored.read()
    name, xml = get_xml_from_pdf(pdf, check_xsd=True)
    return name, xml, pdf


@pytest.mark.parametrize(
    "lines",
    [
        [line()],
        [
            line("Tenue comptable", "1.5", "99.99", "20"),
            line("Formation", "2", "150", "10"),
            line("Abonnement documentation", "1", "36.40", "5.5"),
        ],
    ],
    ids=["one-line", "three-rates"],
)
def test_an_issued_invoice_is_a_valid_facturx_for_france(seller, buyer, lines):
    invoice = make_issued(seller, buyer, *lines)
    name, xml, pdf = stored_xml(seller, invoice)
    assert name == "factur-x.xml"
    metadata = subprocess.run(
        ["pdfinfo", "-meta", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert 'pdfaid:part="3"' in metadata or "<pdfaid:part>3</pdfaid:part>" in metadata
    assert "EN 16931" in metadata
    assert check_cii(xml) == []
    document = InvoiceDocument.from_dict(invoice.document)
    assert document.number.encode() in xml
    assert f"{document.total_incl_vat}".encode() in xml


def test_a_credit_note_is_a_valid_facturx_too(seller, buyer):
    invoice = make_issued(seller, buyer, line(unit_price="240"))
    with firm_scope(seller.firm):
        draft = services.create_credit_note(
            firm=seller.firm, invoice=invoice, by=seller.supervisor.user
        )
    with firm_scope(seller.firm):
        credit = issuing.issue_invoice(firm=seller.firm, invoice=draft, by=seller.supervisor.user)
    _, xml, _ = stored_xml(seller, credit)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml
    assert invoice.number.encode() in xml
    assert check_cii(xml) == []
    assert credit.total_incl_vat == Decimal("288.00")
