"""Payments: the status rule, recording and deleting, the list's filter, the bank statement
import (twice), the API, and reminders received through the suite's SMTP server."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import HistoryEntry
from firms.services import create_api_token
from firms.tenancy import firm_scope
from invoicing import payments, reminders
from invoicing.models import Invoice, Payment, PaymentReminder, ReminderSettings
from invoicing.payment_forms import ReminderSettingsForm
from invoicing.payments import PaymentStatus, payment_status
from outbox.models import OutboxMessage
from outbox.services import deliver_pending
from tests import factories
from tests.invoicing.conftest import line, make_draft, make_issued

D = Decimal
TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("issued", "total", "credited", "paid", "due", "expected"),
    [
        (False, "120", "0", "0", date(2026, 4, 1), PaymentStatus.DRAFT),
        (True, "120", "0", "0", date(2026, 4, 1), PaymentStatus.ISSUED),
        (True, "120", "0", "50", date(2026, 4, 1), PaymentStatus.PARTLY_PAID),
        (True, "120", "0", "120", date(2026, 4, 1), PaymentStatus.PAID),
        (True, "120", "0", "120", date(2026, 1, 1), PaymentStatus.PAID),
        (True, "120", "0", "0", date(2026, 3, 9), PaymentStatus.OVERDUE),
        (True, "120", "0", "119.99", date(2026, 3, 9), PaymentStatus.OVERDUE),
        (True, "120", "0", "0", TODAY, PaymentStatus.ISSUED),  # due today: not late yet
        (True, "120", "20", "100", date(2026, 1, 1), PaymentStatus.PAID),
        (True, "120", "120", "0", date(2026, 1, 1), PaymentStatus.PAID),
        (True, "0.30", "0.10", "0.10", date(2026, 1, 1), PaymentStatus.OVERDUE),
        (True, "0.30", "0.10", "0.20", date(2026, 1, 1), PaymentStatus.PAID),
    ],
)
def test_payment_status(issued, total, credited, paid, due, expected):
    status = payment_status(
        issued=issued, total=D(total), credited=D(credited), paid=D(paid), due_date=due, today=TODAY
    )
    assert status == expected


@pytest.mark.parametrize(
    ("amount", "paid_on", "field"),
    [
        (D("0"), TODAY, "amount"),
        (D("-5"), TODAY, "amount"),
        (D("120.01"), TODAY, "amount"),
        (D("10.001"), TODAY, "amount"),
        (D("10"), TODAY + timedelta(days=1), "paid_on"),
        (D("10"), None, "paid_on"),
    ],
)
def test_payment_problems(amount, paid_on, field):
    problems = payments.payment_problems(
        issued=True,
        is_credit_note=False,
        amount=amount,
        paid_on=paid_on,
        remaining=D("120"),
        today=TODAY,
    )
    assert list(problems) == [field]


def test_statement_keys_tell_identical_lines_apart_and_repeat():
    from invoicing.bank_statements import StatementRow

    row = StatementRow(line=2, day=TODAY, label="VIR  CLIENT", amount=D("10.00"))
    same = StatementRow(line=3, day=TODAY, label="VIR CLIENT", amount=D("10.00"))
    keys = payments.statement_keys([row, same], 1)
    assert keys[0] != keys[1]
    assert payments.statement_keys([row, same], 1) == keys
    assert payments.statement_keys([row], 2)[0] != keys[0]


def _record(cast, invoice, amount, paid_on=None, **extra):
    with firm_scope(cast.firm):
        invoice = Invoice.objects.for_firm(cast.firm).select_related("client").get(pk=invoice.pk)
        return payments.record_payment(
            firm=cast.firm,
            invoice=invoice,
            paid_on=paid_on or timezone.localdate(),
            amount=D(amount),
            by=cast.supervisor.user,
            **extra,
        )


def test_record_payments_until_paid_then_refuse_overpaying(seller, buyer):
    invoice = make_issued(seller, buyer)  # 120.00 TTC
    _record(seller, invoice, "100.10", method="cheque")
    _record(seller, invoice, "19.90")
    with firm_scope(seller.firm):
        balance = payments.balance_of(invoice)
        assert (balance.paid, balance.remaining, balance.status) == (
            D("120.00"),
            D("0.00"),
            PaymentStatus.PAID,
        )
    with pytest.raises(ValidationError) as error:
        _record(seller, invoice, "0.01")
    assert "déjà entièrement payée" in str(error.value)
    draft = make_draft(seller, buyer)
    with pytest.raises(ValidationError) as error:
        _record(seller, draft, "10")
    assert "brouillon" in str(error.value)
    with firm_scope(seller.firm):
        summaries = list(
            HistoryEntry.objects.for_firm(seller.firm)
            .filter(client=buyer)
            .values_list("summary", flat=True)
        )
    assert any("Paiement de 100,10" in summary and "chèque" in summary for summary in summaries)


def test_credit_notes_reduce_what_is_due(seller, buyer):
    invoice = make_issued(seller, buyer)
    from invoicing import issuing, services

    with firm_scope(seller.firm):
        note = services.create_credit_note(firm=seller.firm, invoice=invoice, by=None)
        services.update_draft(
            firm=seller.firm, invoice=note, lines=[line(unit_price="50")], by=None
        )
        issuing.issue_invoice(firm=seller.firm, invoice=note, by=None)
        assert payments.balance_of(invoice).remaining == D("60.00")
    with pytest.raises(ValidationError):
        _record(seller, invoice, "60.01")
    _record(seller, invoice, "60.00")
    with firm_scope(seller.firm):
        assert payments.balance_of(invoice).status == PaymentStatus.PAID


def test_balances_are_read_where_a_union_allows_no_ordering(seller, buyer, monkeypatch):
    """SQLite (the embedded default) refuses ORDER BY inside a UNION: the balances' one query
    must not inherit the invoices' default ordering."""
    from django.db import connection

    invoice = make_issued(seller, buyer)
    _record(seller, invoice, "10.00")
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    with firm_scope(seller.firm):
        assert payments.balance_of(invoice).paid == D("10.00")


def _issued_row(cast, client, *, due_date):
    """An issued invoice written directly, with a due date already past."""
    with firm_scope(cast.firm):
        return Invoice.objects.create(
            firm=cast.firm,
            client=client,
            status="issued",
            number=f"FA-2025-{client.pk:06d}",
            issue_date=due_date - timedelta(days=30),
            due_date=due_date,
            total_excl_vat=D("100.00"),
            total_vat=D("20.00"),
            total_incl_vat=D("120.00"),
        )


def test_the_list_filters_and_shows_payment_status(
    client, seller, buyer, django_assert_max_num_queries
):
    paid = make_issued(seller, buyer)
    partly = make_issued(seller, buyer)
    unpaid = make_issued(seller, buyer)
    late = _issued_row(seller, buyer, due_date=timezone.localdate() - timedelta(days=3))
    _record(seller, paid, "120")
    _record(seller, partly, "20")
    client.force_login(seller.supervisor.user)
    url = reverse("invoice_list", args=[seller.firm.slug])
    expected = {"paid": paid, "partly_paid": partly, "issued": unpaid, "overdue": late}
    for status, invoice in expected.items():
        page = client.get(url, {"payment": status}).content.decode()
        assert f'href="/f/{seller.firm.slug}/factures/{invoice.pk}/"' in page, status
        others = [other for other in expected.values() if other != invoice]
        assert not any(f'/factures/{other.pk}/"' in page for other in others), status
        assert f'data-payment-status="{status}"' in page
    for _ in range(10):
        make_issued(seller, buyer)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    assert client.get(url, {"payment": "junk<>"}).status_code == 200


def test_the_detail_page_records_and_deletes_a_payment(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    client.force_login(seller.supervisor.user)
    detail = client.get(reverse("invoice_detail", args=[seller.firm.slug, invoice.pk]))
    assert 'id="invoice-payments"' in detail.content.decode()
    create = reverse("payment_create", args=[seller.firm.slug, invoice.pk])
    today = timezone.localdate().isoformat()
    refused = client.post(
        create,
        {"paid_on": today, "amount": "130", "method": "transfer"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "dépasse le reste dû" in refused
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    refused = client.post(
        create, {"paid_on": future, "amount": "10", "method": "transfer"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "dans le futur" in refused
    assert client.post(create, {"amount": "abc", "paid_on": "x", "method": "?"}).status_code == 302
    done = client.post(
        create,
        {"paid_on": today, "amount": "20,50", "method": "card", "reference": "TPE"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "99,50" in done.replace("\u202f", " ").replace("\xa0", " ")
    with firm_scope(seller.firm):
        payment = Payment.objects.for_firm(seller.firm).get()
    delete = reverse("payment_delete", args=[seller.firm.slug, invoice.pk, payment.pk])
    assert "Supprimer ce paiement" in client.get(delete).content.decode()
    client.force_login(seller.collaborator.user)
    assert client.post(delete).status_code == 403
    client.force_login(seller.supervisor.user)
    assert client.post(delete).status_code == 302
    with firm_scope(seller.firm):
        assert not Payment.objects.for_firm(seller.firm).exists()
        assert (
            HistoryEntry.objects.for_firm(seller.firm).filter(summary__contains="supprimé").exists()
        )


STATEMENT = (
    "Date;Libellé;Débit;Crédit\n"
    "05/03/2026;VIR SEPA BOULANGERIE MARTIN {number};;120,00\n"
    "06/03/2026;PRLV URSSAF;350,00;\n"
    "06/03/2026;VIR INCONNU;;77,70\n"
)


def test_import_a_statement_twice_records_once(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    content = STATEMENT.format(number=invoice.number).encode("cp1252")
    client.force_login(seller.supervisor.user)
    url = reverse("bank_import", args=[seller.firm.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload():
        return client.post(url, {"statement": SimpleUploadedFile("releve.csv", content)})

    preview = upload().content.decode()
    assert "numéro et montant" in preview and "aucune facture ouverte" in preview
    token = preview.split('name="token" value="')[1].split('"')[0]
    confirm = reverse("bank_import_confirm", args=[seller.firm.slug])
    done = client.post(confirm, {"token": token, "line": ["2", "4", "junk"]}, follow=True)
    assert "1 paiement(s) enregistré(s)" in done.content.decode()
    with firm_scope(seller.firm):
        [payment] = Payment.objects.for_firm(seller.firm)
    assert (payment.amount, payment.source, payment.statement_line) == (
        D("120.00"),
        "bank_import",
        2,
    )
    again = upload().content.decode()
    assert "déjà importé" in again
    token = again.split('name="token" value="')[1].split('"')[0]
    client.post(confirm, {"token": token, "line": ["2"]})
    with firm_scope(seller.firm):
        assert Payment.objects.for_firm(seller.firm).count() == 1
    bad = client.post(url, {"statement": SimpleUploadedFile("x.csv", b"foo;bar\n1;2\n")})
    assert "Colonne de date introuvable" in bad.content.decode()
    assert client.post(confirm, {"token": "../../etc"}).status_code == 302


def test_api_payments(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    with firm_scope(seller.firm):
        _, supervisor = create_api_token(membership=seller.supervisor, name="outil")
        _, collaborator = create_api_token(membership=seller.collaborator, name="outil")
    url = f"/api/v1/invoices/{invoice.pk}/payments/"
    auth = {"HTTP_AUTHORIZATION": f"Token {supervisor}"}
    today = timezone.localdate().isoformat()
    created = client.post(
        url,
        {"paid_on": today, "amount": "100.00", "method": "cheque"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "100.00"
    over = client.post(
        url, {"paid_on": today, "amount": "30"}, content_type="application/json", **auth
    )
    assert over.status_code == 400
    assert "dépasse le reste dû" in over.json()["amount"][0]
    junk = client.post(url, {"paid_on": [1], "amount": {}}, content_type="application/json", **auth)
    assert junk.status_code == 400
    listed = client.get(url, **auth).json()
    assert listed["count"] == 1
    denied = client.post(
        url,
        {"paid_on": today, "amount": "1"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {collaborator}",
    )
    assert denied.status_code == 403
    payment_id = created.json()["id"]
    assert client.delete(f"{url}{payment_id}/", **auth).status_code == 204
    assert client.get(url, **auth).json()["count"] == 0


def test_reminder_settings_refuse_an_unknown_keyword(seller):
    with firm_scope(seller.firm):
        form = ReminderSettingsForm(
            {
                "subject_template": "Relance {numero}",
                "body_template": "Bonjour {inconnu}",
                "days_after_due": "7",
                "interval_days": "15",
            },
            instance=reminders.reminder_settings(seller.firm),
        )
        assert not form.is_valid()
    assert "inconnu" in str(form.errors["body_template"])


@pytest.mark.parametrize(
    ("due", "last", "expected"),
    [
        (TODAY - timedelta(days=6), None, False),
        (TODAY - timedelta(days=7), None, True),
        (TODAY - timedelta(days=30), TODAY - timedelta(days=14), False),
        (TODAY - timedelta(days=30), TODAY - timedelta(days=15), True),
    ],
)
def test_is_due_for_reminder(due, last, expected):
    assert (
        reminders.is_due_for_reminder(
            status=PaymentStatus.OVERDUE,
            due_date=due,
            last_reminder=last,
            today=TODAY,
            days_after_due=7,
            interval_days=15,
        )
        is expected
    )


@pytest.mark.smtp
def test_reminders_reach_the_client_with_the_pdf(smtp_inbox, settings, seller, buyer):
    settings.EMAIL_BACKEND = "outbox.backends.SMTPBackend"
    invoice = make_issued(seller, buyer)
    no_email = factories.make_client(seller.firm, company_name="Sans Mail", billing_emails=[])
    silent = make_issued(seller, no_email)
    _record(seller, invoice, "20")
    later = timezone.localdate() + timedelta(days=60)
    with firm_scope(seller.firm):
        ReminderSettings.objects.for_firm(seller.firm).update_or_create(
            firm=seller.firm,
            defaults={"subject_template": "Relance {numero} – {client}", "days_after_due": 7},
        )
        result = reminders.send_reminders(firm=seller.firm, by=seller.supervisor.user, today=later)
        again = reminders.send_reminders(firm=seller.firm, by=seller.supervisor.user, today=later)
    assert result.sent == [invoice.number]
    assert result.without_email == [f"{silent.number} — Sans Mail"]
    assert again.sent == []
    deliver_pending(firm=seller.firm)
    [received] = smtp_inbox.messages
    email = message_from_bytes(received.as_bytes(), policy=policy.default)
    assert email["To"] == "compta@boulangerie-martin.test"
    assert email["Subject"] == f"Relance {invoice.number} – Boulangerie Martin"
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "100,00" in text.replace("\u202f", " ").replace("\xa0", " ")
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    with firm_scope(seller.firm):
        assert PaymentReminder.objects.for_firm(seller.firm).count() == 1
        assert OutboxMessage.objects.for_firm(seller.firm).get().state == "sent"


def test_reminders_job_is_started_by_supervisors(client, seller):
    url = reverse("reminders_start", args=[seller.firm.slug])
    client.force_login(seller.collaborator.user)
    assert client.post(url).status_code == 403
    client.force_login(seller.supervisor.user)
    response = client.post(url)
    assert response.status_code == 302 and "/travaux/" in response["Location"]
    from jobs.models import Job

    with firm_scope(seller.firm):
        assert Job.objects.for_firm(seller.firm).get().kind == reminders.REMINDERS_JOB_KIND
