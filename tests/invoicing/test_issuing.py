"""Issuing: gap-free chronological numbers, the frozen snapshot, the PDF/A-3b, the refusals,
credit notes; stored totals equal to Python's sums."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from clients.models import HistoryEntry
from firms.models import Firm
from firms.tenancy import firm_scope
from invoicing import issuing, services
from invoicing.document import InvoiceDocument, TypeCode
from invoicing.models import Invoice, InvoiceImmutable, InvoiceSequence, InvoicingSettings
from tests import factories
from tests.invoicing.conftest import line, make_draft, make_issued
from tests.pdf.poppler import info_of, save_as_png, text_of

ROOT = Path(__file__).resolve().parent.parent.parent


def test_numbers_follow_each_other_from_the_firms_sequence(seller, buyer):
    issued = [make_issued(seller, buyer) for _ in range(3)]
    year = datetime.date.today().year
    assert [invoice.number for invoice in issued] == [
        f"FA-{year}-000001",
        f"FA-{year}-000002",
        f"FA-{year}-000003",
    ]
    with firm_scope(seller.firm):
        assert InvoiceSequence.objects.for_firm(seller.firm).get().next_value == 4


def test_a_draft_has_no_number_and_a_refused_issue_takes_none(seller, buyer, firm_b):
    draft = make_draft(seller, buyer)
    assert draft.number == ""
    Firm.objects.filter(pk=seller.firm.pk).update(iban="", rcs_city="")
    seller.firm.refresh_from_db()
    with firm_scope(seller.firm), pytest.raises(issuing.IssueRefused) as refused:
        issuing.issue_invoice(firm=seller.firm, invoice=draft, by=None)
    assert "la ville du RCS" in str(refused.value) and "l'IBAN" in str(refused.value)
    Firm.objects.filter(pk=seller.firm.pk).update(
        iban="FR7630006000011234567890189", rcs_city="Lyon"
    )
    seller.firm.refresh_from_db()
    with firm_scope(seller.firm):
        invoice = issuing.issue_invoice(firm=seller.firm, invoice=draft, by=None)
    assert invoice.number.endswith("-000001")  # the refusal consumed nothing


@pytest.mark.parametrize(
    "field", ["siren", "vat_number", "address", "legal_form", "share_capital", "rcs_city", "iban"]
)
def test_each_missing_seller_mention_blocks_issuing(seller, buyer, field):
    draft = make_draft(seller, buyer)
    Firm.objects.filter(pk=seller.firm.pk).update(
        **{field: None if field == "share_capital" else ""}
    )
    seller.firm.refresh_from_db()
    with firm_scope(seller.firm), pytest.raises(issuing.IssueRefused, match="Complétez le profil"):
        issuing.issue_invoice(firm=seller.firm, invoice=draft, by=None)


def test_issuing_twice_is_refused(seller, buyer):
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm), pytest.raises(issuing.IssueRefused, match="déjà émise"):
        issuing.issue_invoice(firm=seller.firm, invoice=invoice, by=None)


def test_the_issue_date_never_goes_back_before_the_last_one(seller, buyer):
    make_issued(seller, buyer)
    draft = make_draft(seller, buyer)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    with firm_scope(seller.firm), pytest.raises(issuing.IssueRefused, match="chronologique"):
        issuing.issue_invoice(firm=seller.firm, invoice=draft, by=None, today=yesterday)


def test_a_new_year_starts_its_own_sequence(seller, buyer):
    draft = make_draft(seller, buyer)
    with firm_scope(seller.firm):
        invoice = issuing.issue_invoice(
            firm=seller.firm, invoice=draft, by=None, today=datetime.date(2031, 1, 2)
        )
    assert invoice.number == "FA-2031-000001"
    assert invoice.due_date == datetime.date(2031, 2, 1)


def test_the_snapshot_is_the_document_and_stays_as_it_was(seller, buyer):
    invoice = make_issued(
        seller,
        buyer,
        line("Tenue", "1.5", "99.99"),
        line("Débours", "1", "10", vat_rate="10"),
        delivery_address="8 avenue Foch",
        delivery_postal_code="69006",
        delivery_city="Lyon",
    )
    document = InvoiceDocument.from_dict(invoice.document)
    assert document.as_dict() == invoice.document
    assert document.type_code == TypeCode.INVOICE
    assert document.seller.siren == "812452375" and document.seller.rcs == "RCS Lyon 812 452 375"
    assert document.buyer.siren == "732829320" and document.buyer.email.startswith("compta@")
    assert document.delivery_address.city == "Lyon"
    assert document.total_excl_vat == Decimal("159.99")
    assert document.total_vat == Decimal("31.00")  # 30.00 (149.99 × 20 %) + 1.00
    assert invoice.total_incl_vat == Decimal("190.99")
    # The client and the firm change afterwards; the issued invoice does not.
    with firm_scope(seller.firm):
        buyer.company_name = "Autre nom"
        buyer.save()
    Firm.objects.filter(pk=seller.firm.pk).update(name="Nouveau nom")
    with firm_scope(seller.firm):
        again = Invoice.objects.for_firm(seller.firm).get(pk=invoice.pk)
    assert again.document["buyer"]["name"] == "Boulangerie Martin"
    assert again.document["seller"]["name"] == "Cabinet Alpha"


def test_the_model_refuses_to_change_or_delete_an_issued_invoice(seller, buyer):
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm):
        stored = Invoice.objects.for_firm(seller.firm).get(pk=invoice.pk)
        stored.total_incl_vat = Decimal("1.00")
        with pytest.raises(InvoiceImmutable):
            stored.save()
        with pytest.raises(InvoiceImmutable):
            Invoice.objects.for_firm(seller.firm).get(pk=invoice.pk).delete()
        stored = Invoice.objects.for_firm(seller.firm).get(pk=invoice.pk)
        with pytest.raises(InvoiceImmutable):
            services.update_draft(firm=seller.firm, invoice=stored, lines=[line()], by=None)
        with pytest.raises(InvoiceImmutable):
            services.delete_draft(firm=seller.firm, invoice=stored, by=None)


def test_an_issued_invoice_loaded_in_part_is_guarded_on_what_was_loaded(seller, buyer):
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm):
        invoices = Invoice.objects.for_firm(seller.firm)
        partial = invoices.only("pk", "firm_id", "status", "total_incl_vat").get(pk=invoice.pk)
        assert partial.number == invoice.number  # a deferred column loads without looping
        partial.total_incl_vat = Decimal("1.00")
        with pytest.raises(InvoiceImmutable):
            partial.save()
        without_status = invoices.defer("status", "document").get(pk=invoice.pk)
        assert without_status.status == "issued" and without_status.document["number"]
        untouched = invoices.defer("document").get(pk=invoice.pk)
        untouched.save(update_fields=["updated_at"])  # nothing frozen changed


def test_each_firm_keeps_its_invoices_files_in_its_own_folder(seller, buyer):
    invoice = make_issued(seller, buyer)
    assert invoice.pdf.name.startswith(f"invoices/{seller.firm.pk}/")
    assert invoice.pdf.name.endswith(f"/{invoice.number}.pdf")  # no random suffix


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("number", "'FA-0'"),
        ("total_incl_vat", "1"),
        ("document", "'{}'::jsonb"),
        ("pdf_sha256", "''"),
        ("status", "'draft'"),
    ],
)
def test_postgresql_refuses_an_update_of_the_frozen_columns(seller, buyer, column, value):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm):
        with (
            pytest.raises(DatabaseError, match="is issued"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE invoicing_invoice SET {column} = {value} WHERE id = %s", [invoice.pk]
            )
        # The columns of later features (not frozen) still change.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE invoicing_invoice SET note = 'payée' WHERE id = %s", [invoice.pk]
            )


def test_the_pdf_is_stored_with_its_sha256_and_is_pdf_a_3b(seller, buyer):
    with firm_scope(seller.firm):
        InvoicingSettings.objects.create(
            firm=seller.firm, header_text="Expertise comptable", footer_text="Membre de l'Ordre"
        )
    invoice = make_issued(
        seller,
        buyer,
        line("Tenue de la comptabilité", "1.5", "99.99"),
        delivery_address="8 avenue Foch",
        delivery_postal_code="69006",
        delivery_city="Lyon",
    )
    with firm_scope(seller.firm), invoice.pdf.open("rb") as stored:
        content = stored.read()
    assert hashlib.sha256(content).hexdigest() == invoice.pdf_sha256
    assert 'pdfaid:part="3"' in info_of(content, "-meta") or "<pdfaid:part>3" in info_of(
        content, "-meta"
    )
    assert "Pages: 1" in info_of(content)
    text = text_of(content).replace("\u202f", " ").lower()  # labels are in small capitals
    for expected in (
        invoice.number,
        "Boulangerie Martin",
        "SIREN 732829320",
        "TVA FR44732829320",
        "SIREN 812452375",
        "SARL au capital de 50 000,00 €",
        "RCS Lyon 812 452 375",
        "Adresse de livraison",
        "8 avenue Foch",
        "149,99 €",
        "Total TTC à payer",
        "179,99 €",
        "40 €",
        "Pas d'escompte pour paiement anticipé",
        "prestation de services",
        "FR76 3000 6000 0112 3456 7890 189",
        "Expertise comptable",
        "Membre de l'Ordre",
    ):
        assert expected.lower() in text, expected
    assert "débits" not in text
    save_as_png(content, ROOT / "test-artifacts" / "invoice")


def test_vat_on_debits_is_printed_when_chosen(seller, buyer):
    with firm_scope(seller.firm):
        InvoicingSettings.objects.create(firm=seller.firm, vat_on_debits=True)
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm), invoice.pdf.open("rb") as stored:
        text = text_of(stored.read())
    assert "Option pour le paiement de la TVA d'après les débits" in text
    assert invoice.document["vat_on_debits"] is True


def test_a_credit_note_references_its_invoice_has_its_own_sequence_and_cannot_exceed_it(
    seller, buyer
):
    invoice = make_issued(seller, buyer, line("Honoraires", "2", "100"))
    with firm_scope(seller.firm):
        note = services.create_credit_note(firm=seller.firm, invoice=invoice, by=None)
        assert note.is_credit_note and note.total_incl_vat == Decimal("240.00")
        services.update_draft(
            firm=seller.firm, invoice=note, lines=[line("Remise", "1", "50")], by=None
        )
        note = issuing.issue_invoice(firm=seller.firm, invoice=note, by=None)
        year = datetime.date.today().year
        assert note.number == f"AV-{year}-000001"
        document = InvoiceDocument.from_dict(note.document)
        assert document.type_code == TypeCode.CREDIT_NOTE
        assert document.preceding_invoice_number == invoice.number
        assert document.preceding_invoice_date == invoice.issue_date
        assert document.total_incl_vat == Decimal("60.00")  # positive, as EN 16931 wants a 381
        second = services.create_credit_note(firm=seller.firm, invoice=invoice, by=None)
        with pytest.raises(issuing.IssueRefused, match="dépasse ce qui reste"):
            issuing.issue_invoice(firm=seller.firm, invoice=second, by=None)
        services.update_draft(
            firm=seller.firm, invoice=second, lines=[line("Solde", "1", "150")], by=None
        )
        issuing.issue_invoice(firm=seller.firm, invoice=second, by=None)
        with pytest.raises(InvoiceImmutable, match="entièrement créditée"):
            services.create_credit_note(firm=seller.firm, invoice=invoice, by=None)
        with pytest.raises(InvoiceImmutable):
            services.create_credit_note(firm=seller.firm, invoice=note, by=None)


def test_drafts_check_the_vat_rules_with_french_messages(seller, buyer):
    from django.core.exceptions import ValidationError

    with firm_scope(seller.firm), pytest.raises(ValidationError) as refused:
        services.create_draft(
            firm=seller.firm,
            client=buyer,
            lines=[line(), line("Débours", vat_rate="0", vat_category="O"), line("", vat_rate="7")],
            by=None,
        )
    messages = refused.value.message_dict["lines"]
    assert "Ligne 3 : indiquez la désignation." in messages
    assert any(message.startswith("Ligne 3 : La catégorie S") for message in messages)
    assert any("hors champ" in message for message in messages)


def test_history_records_draft_issue_and_credit_note(seller, buyer):
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm):
        services.create_credit_note(firm=seller.firm, invoice=invoice, by=None)
        summaries = list(
            HistoryEntry.objects.for_firm(seller.firm)
            .filter(client=buyer, subject="invoice")
            .order_by("id")
            .values_list("summary", flat=True)
        )
    assert summaries[0].startswith("Facture en brouillon")
    assert summaries[1].startswith(f"Facture {invoice.number} émise : 120,00")
    assert summaries[2].startswith("Avoir en brouillon")


def test_a_draft_is_deleted_an_issued_invoice_is_not(seller, buyer):
    draft = make_draft(seller, buyer)
    with firm_scope(seller.firm):
        services.delete_draft(firm=seller.firm, invoice=draft, by=None)
        assert not Invoice.objects.for_firm(seller.firm).filter(pk=draft.pk).exists()


def test_stored_totals_equal_pythons_sums(seller, buyer):
    """On the suite's database (PostgreSQL): the stored amounts are the exact decimals."""
    lines = [line("Ligne", "1", "1.10")] * 40 + [line("Tiers", "0.3333", "3", vat_rate="5.5")] * 3
    invoice = make_issued(seller, buyer, *lines)
    with firm_scope(seller.firm):
        stored = Invoice.objects.for_firm(seller.firm).get(pk=invoice.pk)
        nets = list(stored.lines.values_list("net_amount", flat=True))
    assert stored.total_excl_vat == sum(nets, Decimal(0)) == Decimal("47.00")
    assert stored.total_vat == Decimal("8.80") + Decimal("0.17")  # 44.00 × 20 %, 3.00 × 5.5 %
    assert stored.total_incl_vat == stored.total_excl_vat + stored.total_vat


def test_stored_totals_equal_pythons_sums_on_sqlite(tmp_path):
    """The embedded default: 10,000 × 1.10 € stays 11,000.00 € (SQLite would sum floats)."""
    code = """
import json
from decimal import Decimal
from django.core.management import call_command
call_command("migrate", verbosity=0)
from clients.models import Client
from firms.models import Firm
from firms.tenancy import firm_scope
from invoicing import issuing, services
firm = Firm.objects.create(name="Cabinet", slug="cabinet", siren="812452375",
    vat_number="FR39812452375", address="1 rue", postal_code="69002", city="Lyon",
    legal_form="SAS", share_capital=Decimal("1000"), rcs_city="Lyon",
    iban="FR7630006000011234567890189")
with firm_scope(firm):
    client = Client.objects.create(firm=firm, company_name="Client", siren="732829320")
    line = services.DraftLine("Ligne", Decimal("10000"), Decimal("1.10"), Decimal("20"))
    draft = services.create_draft(firm=firm, client=client, lines=[line] * 3, by=None)
    invoice = issuing.issue_invoice(firm=firm, invoice=draft, by=None)
    invoice.refresh_from_db()
    nets = list(invoice.lines.values_list("net_amount", flat=True))
    print(json.dumps({"vendor": __import__("django.db").db.connection.vendor,
        "total": str(invoice.total_excl_vat), "vat": str(invoice.total_vat),
        "incl": str(invoice.total_incl_vat), "nets": str(sum(nets, Decimal(0)))}))
"""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pilote.sqlite3'}",
        "PILOTE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures == {
        "vendor": "sqlite",
        "total": "33000.00",
        "vat": "6600.00",
        "incl": "39600.00",
        "nets": "33000.00",
    }


def test_archived_clients_are_not_invoiced(seller):
    client = factories.make_client(seller.firm, status="archived")
    from django.core.exceptions import ValidationError

    with firm_scope(seller.firm), pytest.raises(ValidationError, match="archivé"):
        services.create_draft(firm=seller.firm, client=client, lines=[line()], by=None)
