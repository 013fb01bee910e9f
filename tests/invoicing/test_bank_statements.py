"""Reading a bank statement and matching its credits to open invoices: plain functions."""

from datetime import date
from decimal import Decimal

import pytest

from invoicing.bank_statements import (
    OpenInvoice,
    StatementError,
    StatementRow,
    match_payments,
    read_statement,
)

SIGNED = (
    "Date;Libellé;Montant\n"
    "02/12/2026;VIR SEPA DURAND SARL FA-2026-000012;1 200,00\n"
    "03/12/2026;PRLV EDF;-84,32\n"
    "04/12/2026;VIR MARTIN;360,00\n"
)
SPLIT = (
    "Date opération,Libellé de l'opération,Débit,Crédit\n"
    '2026-12-02,"VIR FA2026000012, merci",,"1.200,00"\n'
    '2026-12-03,PRLV EDF,"84,32",\n'
)


def test_a_signed_amount_column_keeps_the_credits_only():
    rows = read_statement(SIGNED.encode())
    assert rows == [
        StatementRow(
            2, date(2026, 12, 2), "VIR SEPA DURAND SARL FA-2026-000012", Decimal("1200.00")
        ),
        StatementRow(4, date(2026, 12, 4), "VIR MARTIN", Decimal("360.00")),
    ]


def test_debit_and_credit_columns_with_commas_and_iso_dates():
    rows = read_statement(SPLIT.encode())
    assert [(row.line, row.day, row.amount) for row in rows] == [
        (2, date(2026, 12, 2), Decimal("1200.00"))
    ]


def test_a_windows_1252_export_is_read():
    rows = read_statement(
        "Date;Libellé;Montant\n01/12/26;Reçu Société Générale;15,5\n".encode("cp1252")
    )
    assert rows[0].label == "Reçu Société Générale"
    assert rows[0].amount == Decimal("15.50")
    assert rows[0].day == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "vide"),
        ("Jour;Libellé;Montant\n", "date"),
        ("Date;Texte;Montant\n", "libellé"),
        ("Date;Libellé;Solde\n", "montant"),
        ("Date;Libellé;Montant\n31/02/2026;x;10\n", "Ligne 2 : date illisible"),
        ("Date;Libellé;Montant\n01/02/2026;x;dix euros\n", "Ligne 2 : montant illisible"),
        ("Date;Libellé;Montant\n01/02/2026;x;1,005\n", "Ligne 2 : montant illisible"),
        ("Date;Libellé;Montant\n01/02/2026;x;2 M€\n", "Ligne 2 : montant illisible"),
    ],
)
def test_an_unreadable_statement_says_where(content, message):
    with pytest.raises(StatementError, match=message):
        read_statement(content.encode())


def test_a_huge_statement_is_refused_before_reading():
    with pytest.raises(StatementError, match="5 Mo"):
        read_statement(b"Date;Libell\xc3\xa9;Montant\n" + b"x" * (5 * 1024 * 1024))


def row(label, amount, line=2):
    return StatementRow(line, date(2026, 12, 2), label, Decimal(amount))


OPEN = [
    OpenInvoice(1, "FA-2026-000012", Decimal("1200.00")),
    OpenInvoice(2, "FA-2026-000120", Decimal("360.00")),
    OpenInvoice(3, "FA-2026-000121", Decimal("99.00")),
    OpenInvoice(4, "FA-2026-000122", Decimal("99.00")),
]


@pytest.mark.parametrize(
    ("label", "amount", "invoice_id", "reason"),
    [
        ("VIR FA-2026-000012", "1200.00", 1, "numéro et montant"),
        ("vir fa 2026 000012 acompte", "500.00", 1, "numéro ; paiement partiel"),
        ("VIR FA2026000012", "1300.00", 1, "numéro ; montant supérieur au reste dû"),
        # The number of invoice 1 is the start of invoice 2's: only invoice 2 is cited.
        ("VIR FA-2026-000120", "360.00", 2, "numéro et montant"),
        ("VIR MARTIN", "360.00", 2, "montant"),
        ("VIR DUPONT", "99.00", None, "plusieurs factures ouvertes de ce montant"),
        ("VIR FA-2026-000121 FA-2026-000122", "198.00", None, "plusieurs numéros de facture cités"),
        ("VIR INCONNU", "42.00", None, "aucune facture ouverte correspondante"),
    ],
)
def test_each_credit_is_matched_by_number_then_by_amount(label, amount, invoice_id, reason):
    [match] = match_payments([row(label, amount)], OPEN)
    assert (match.invoice.id if match.invoice else None) == invoice_id
    assert match.reason == reason
    assert match.matched is (invoice_id is not None)


def test_an_invoice_is_matched_on_its_amount_once_per_statement():
    matches = match_payments([row("VIR A", "360.00", 2), row("VIR B", "360.00", 3)], OPEN)
    assert [match.invoice.id if match.invoice else None for match in matches] == [2, None]
