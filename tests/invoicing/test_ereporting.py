"""The firm's e-reporting lines from the documents it issued (invoicing.ereporting)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from invoicing.document import Address, OperationCategory, VatCategory
from invoicing.ereporting import (
    PAYMENT_HEADERS,
    TRANSACTION_HEADERS,
    BuyerKind,
    Payment,
    PaymentLine,
    TransactionLine,
    buyer_kind,
    payment_lines,
    payments_csv,
    transaction_lines,
    transactions_csv,
)
from invoicing.routing import BuyerFacts
from tests.invoicing.facturx_samples import (
    CONSUMER,
    EU_COMPANY,
    FRENCH_COMPANY,
    credit_note,
    invoice,
    line,
)

D = Decimal
DAY = date(2026, 12, 1)
NEXT_DAY = date(2026, 12, 2)
ASSOCIATION = replace(
    FRENCH_COMPANY, name="Association Les Amis du Vélo", vat_number="", siren="775672272"
)
FOREIGN_CONSUMER = replace(
    CONSUMER,
    name="Hans Weber",
    address=Address(line1="Ringstraße 1", postal_code="1010", city="Wien", country_code="AT"),
)
REVERSE_CHARGE = "Autoliquidation"


@pytest.mark.parametrize(
    ("buyer", "facts", "expected"),
    [
        (FRENCH_COMPANY, None, BuyerKind.DOMESTIC_B2B),
        (FRENCH_COMPANY, BuyerFacts(vat_liable_in_france=True), BuyerKind.DOMESTIC_B2B),
        (FRENCH_COMPANY, BuyerFacts(vat_liable_in_france=None), BuyerKind.DOMESTIC_B2B),
        (ASSOCIATION, BuyerFacts(vat_liable_in_france=False), BuyerKind.CONSUMER),
        (CONSUMER, None, BuyerKind.CONSUMER),
        (EU_COMPANY, None, BuyerKind.INTERNATIONAL_B2B),
        (EU_COMPANY, BuyerFacts(vat_liable_in_france=True), BuyerKind.INTERNATIONAL_B2B),
        (FOREIGN_CONSUMER, None, BuyerKind.CONSUMER),
    ],
)
def test_buyer_kind(buyer, facts, expected):
    assert buyer_kind(invoice(buyer=buyer), facts) == expected


def test_domestic_b2b_invoices_are_not_e_reported():
    assert transaction_lines([invoice(), credit_note()]) == []


def test_consumer_sales_are_daily_totals_per_category_and_rate():
    documents = [
        invoice(line("Déclaration de revenus", "1", "150.00"), number="F1", buyer=CONSUMER),
        invoice(line("Conseil patrimonial", "2", "100.00"), number="F2", buyer=CONSUMER),
        invoice(
            line("Ouvrage fiscal", "1", "30.00", rate="5.5"),
            number="F3",
            buyer=CONSUMER,
            category=OperationCategory.GOODS,
        ),
        invoice(
            line("Déclaration IFI", "1", "80.00"), number="F4", buyer=CONSUMER, issue_date=NEXT_DAY
        ),
        invoice(number="F5"),  # a company: e-invoiced, not reported
    ]
    assert transaction_lines(documents) == [
        TransactionLine(
            kind=BuyerKind.CONSUMER,
            day=DAY,
            operation_category=OperationCategory.SERVICES,
            vat_category=VatCategory.STANDARD,
            vat_rate=D("20"),
            taxable_amount=D("350.00"),
            tax_amount=D("70.00"),
            document_count=2,
        ),
        TransactionLine(
            kind=BuyerKind.CONSUMER,
            day=DAY,
            operation_category=OperationCategory.GOODS,
            vat_category=VatCategory.STANDARD,
            vat_rate=D("5.5"),
            taxable_amount=D("30.00"),
            tax_amount=D("1.65"),
            document_count=1,
        ),
        TransactionLine(
            kind=BuyerKind.CONSUMER,
            day=NEXT_DAY,
            operation_category=OperationCategory.SERVICES,
            vat_category=VatCategory.STANDARD,
            vat_rate=D("20"),
            taxable_amount=D("80.00"),
            tax_amount=D("16.00"),
            document_count=1,
        ),
    ]


@pytest.mark.parametrize(
    "refund",
    [
        credit_note(line("Avoir", "1", "50.00"), buyer=CONSUMER, issue_date=DAY),
        credit_note(line("Avoir", "-1", "50.00"), buyer=CONSUMER, issue_date=DAY),
    ],
    ids=["positive amounts", "negative amounts"],
)
def test_a_consumer_credit_note_counts_negative(refund):
    documents = [invoice(line("Conseil", "1", "150.00"), buyer=CONSUMER), refund]
    [total] = transaction_lines(documents)
    assert (total.taxable_amount, total.tax_amount, total.document_count) == (
        D("100.00"),
        D("20.00"),
        2,
    )


def test_international_sales_are_reported_invoice_by_invoice():
    sale = invoice(
        line(
            "Conseil fiscal",
            "4",
            "250.00",
            rate="0",
            category=VatCategory.REVERSE_CHARGE,
            reason=REVERSE_CHARGE,
        ),
        number="F10",
        buyer=EU_COMPANY,
    )
    refund = credit_note(
        line(
            "Avoir conseil",
            "1",
            "250.00",
            rate="0",
            category=VatCategory.REVERSE_CHARGE,
            reason=REVERSE_CHARGE,
        ),
        number="A10",
        buyer=EU_COMPANY,
        issue_date=NEXT_DAY,
    )
    assert transaction_lines([refund, sale]) == [
        TransactionLine(
            kind=BuyerKind.INTERNATIONAL_B2B,
            day=DAY,
            operation_category=OperationCategory.SERVICES,
            vat_category=VatCategory.REVERSE_CHARGE,
            vat_rate=D("0"),
            taxable_amount=D("1000.00"),
            tax_amount=D("0.00"),
            invoice_number="F10",
            buyer_name=EU_COMPANY.name,
            buyer_vat_number="DE136695976",
            buyer_country="DE",
        ),
        TransactionLine(
            kind=BuyerKind.INTERNATIONAL_B2B,
            day=NEXT_DAY,
            operation_category=OperationCategory.SERVICES,
            vat_category=VatCategory.REVERSE_CHARGE,
            vat_rate=D("0"),
            taxable_amount=D("-250.00"),
            tax_amount=D("0.00"),
            invoice_number="A10",
            is_credit_note=True,
            buyer_name=EU_COMPANY.name,
            buyer_vat_number="DE136695976",
            buyer_country="DE",
        ),
    ]


def test_an_international_invoice_has_one_line_per_rate():
    sale = invoice(
        line("Conseil", "1", "100.00"),
        line("Documentation", "1", "10.00", rate="5.5"),
        buyer=EU_COMPANY,
    )
    lines = transaction_lines([sale])
    assert [(line.vat_rate, line.taxable_amount) for line in lines] == [
        (D("20"), D("100.00")),
        (D("5.5"), D("10.00")),
    ]


def test_the_client_obligations_decide_for_a_french_buyer():
    document = invoice(number="F20", buyer=ASSOCIATION)
    assert transaction_lines([document]) == []  # a SIREN: taken for a company
    facts = {"F20": BuyerFacts(vat_liable_in_france=False)}
    [total] = transaction_lines([document], buyer_facts=facts)
    assert total.kind == BuyerKind.CONSUMER


@pytest.mark.parametrize(
    ("start", "end", "numbers"),
    [
        (None, None, [1, 2, 3]),
        (date(2026, 12, 2), None, [2, 3]),
        (None, date(2026, 12, 2), [1, 2]),
        (date(2026, 12, 2), date(2026, 12, 2), [2]),
    ],
)
def test_transactions_within_a_period(start, end, numbers):
    documents = [
        invoice(number=f"F{day}", buyer=EU_COMPANY, issue_date=date(2026, 12, day))
        for day in (1, 2, 3)
    ]
    lines = transaction_lines(documents, start=start, end=end)
    assert [line.invoice_number for line in lines] == [f"F{number}" for number in numbers]


SERVICES_20 = invoice(number="F30")  # 450 + 90 = 540


@pytest.mark.parametrize(
    ("document", "amount", "expected"),
    [
        # Services, VAT due on receipt: the whole payment at its rate.
        (SERVICES_20, "540.00", [("20", "540.00", "90.00")]),
        (SERVICES_20, "100.00", [("20", "100.00", "16.67")]),
        (SERVICES_20, "-540.00", [("20", "-540.00", "-90.00")]),
        # Goods, or services on debits: VAT was due earlier, nothing to report.
        (invoice(category=OperationCategory.GOODS), "540.00", []),
        (invoice(vat_on_debits=True), "540.00", []),
        (invoice(category=OperationCategory.BOTH, vat_on_debits=True), "540.00", []),
        # Goods and services on receipt: reported whole.
        (invoice(category=OperationCategory.BOTH), "540.00", [("20", "540.00", "90.00")]),
        # Several rates: the payment split in proportion, the shares adding up to it.
        (
            invoice(line("Conseil", "1", "100.00"), line("Prestation", "1", "100.00", rate="10")),
            "230.00",
            [("20", "120.00", "20.00"), ("10", "110.00", "10.00")],
        ),
        (
            invoice(line("Conseil", "1", "100.00"), line("Prestation", "1", "100.00", rate="10")),
            "100.00",
            [("20", "52.17", "8.70"), ("10", "47.83", "4.35")],
        ),
        # Only the share that bears French VAT.
        (
            invoice(
                line("Conseil", "1", "100.00"),
                line(
                    "Formation",
                    "1",
                    "80.00",
                    rate="0",
                    category=VatCategory.EXEMPT,
                    reason="Exonération",
                ),
            ),
            "200.00",
            [("20", "120.00", "20.00")],
        ),
        (
            invoice(
                line(
                    "Formation",
                    "1",
                    "80.00",
                    rate="0",
                    category=VatCategory.EXEMPT,
                    reason="Exonération",
                )
            ),
            "80.00",
            [],
        ),
    ],
)
def test_payments_of_services_on_receipt(document, amount, expected):
    lines = payment_lines([Payment(document=document, received_on=NEXT_DAY, amount=D(amount))])
    assert [(line.vat_rate, line.amount_received, line.tax_amount) for line in lines] == [
        (D(rate), D(received), D(tax)) for rate, received, tax in expected
    ]
    assert all(line.received_on == NEXT_DAY for line in lines)
    assert all(line.invoice_number == document.number for line in lines)


def test_payment_lines_say_who_paid_and_when():
    payments = [
        Payment(
            document=invoice(number="F41", buyer=CONSUMER),
            received_on=date(2026, 12, 20),
            amount=D("540"),
        ),
        Payment(document=invoice(number="F40"), received_on=date(2026, 12, 10), amount=D("540")),
        Payment(
            document=invoice(number="F42", buyer=EU_COMPANY),
            received_on=date(2027, 1, 5),
            amount=D("540"),
        ),
    ]
    lines = payment_lines(payments, end=date(2026, 12, 31))
    assert [(line.invoice_number, line.kind, line.buyer_name) for line in lines] == [
        ("F40", BuyerKind.DOMESTIC_B2B, FRENCH_COMPANY.name),
        ("F41", BuyerKind.CONSUMER, CONSUMER.name),
    ]
    assert [line.invoice_number for line in payment_lines(payments, start=date(2027, 1, 1))] == [
        "F42"
    ]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for spreadsheets
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_transactions_csv():
    lines = [
        TransactionLine(
            kind=BuyerKind.CONSUMER,
            day=DAY,
            operation_category=OperationCategory.SERVICES,
            vat_category=VatCategory.STANDARD,
            vat_rate=D("5.50"),
            taxable_amount=D("1234.5"),
            tax_amount=D("67.90"),
            document_count=3,
        ),
        TransactionLine(
            kind=BuyerKind.INTERNATIONAL_B2B,
            day=NEXT_DAY,
            operation_category=OperationCategory.GOODS,
            vat_category=VatCategory.REVERSE_CHARGE,
            vat_rate=D("0"),
            taxable_amount=D("-250.00"),
            tax_amount=D("0.00"),
            invoice_number="A10",
            is_credit_note=True,
            buyer_name='=HYPERLINK("http://x")',
            buyer_vat_number="DE136695976",
            buyer_country="DE",
        ),
    ]
    rows = read_csv(transactions_csv(lines))
    assert rows[0] == list(TRANSACTION_HEADERS)
    assert rows[0][:3] == ["Type", "Date", "N° de facture"]
    assert rows[1] == [
        "B2C",
        "01/12/2026",
        "",
        "",
        "",
        "",
        "",
        "Services",
        "S",
        "5,5",
        "1234,50",
        "67,90",
        "3",
    ]
    assert rows[2] == [
        "B2B international",
        "02/12/2026",
        "A10",
        "Avoir",
        '\'=HYPERLINK("http://x")',
        "DE136695976",
        "DE",
        "Biens",
        "AE",
        "0",
        "-250,00",
        "0,00",
        "1",
    ]


def test_payments_csv():
    lines = [
        PaymentLine(
            received_on=date(2026, 12, 20),
            invoice_number="F40",
            kind=BuyerKind.DOMESTIC_B2B,
            buyer_name="Boulangerie Martin SARL",
            operation_category=OperationCategory.BOTH,
            vat_rate=D("20"),
            amount_received=D("540"),
            tax_amount=D("90"),
        )
    ]
    content = payments_csv(lines)
    assert b"\r\n" in content
    rows = read_csv(content)
    assert rows == [
        list(PAYMENT_HEADERS),
        [
            "20/12/2026",
            "F40",
            "B2B France",
            "Boulangerie Martin SARL",
            "Biens et services",
            "20",
            "540,00",
            "90,00",
        ],
    ]


def test_an_empty_report_has_its_headers():
    assert read_csv(transactions_csv([])) == [list(TRANSACTION_HEADERS)]
    assert read_csv(payments_csv([])) == [list(PAYMENT_HEADERS)]
