"""Sending issued invoices: routes, the batch written once, the e-mails through a real SMTP
server, the paper PDF with its memo, the platform ZIP, the command."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from facturx import get_xml_from_pdf
from pypdf import PdfReader

from clients.models import Client
from firms.tenancy import firm_scope
from invoicing import sending
from invoicing.models import DeliveryState, InvoiceBatch, InvoiceDelivery
from outbox.models import OutboxMessage
from outbox.services import deliver_pending
from tests import factories
from tests.invoicing.conftest import make_draft, make_issued
from tests.outbox.conftest import smtp_server, use_smtp  # noqa: F401 - the fixture

OUTBOX_BACKEND = "outbox.backends.SMTPBackend"
# The firm's own answers: a French SME selling to companies, issuing from 1 September 2027.
FIRM_ANSWERS = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "employees": 12,
    "turnover_eur": 1_500_000,
    "balance_sheet_eur": 800_000,
    "sells_b2b_domestic": True,
}


@pytest.fixture
def outbox_smtp(smtp_inbox, settings):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    return smtp_inbox


def _batch(cast, *invoices) -> InvoiceBatch:
    return sending.create_batch(
        firm=cast.firm, by=cast.supervisor.user, invoice_ids=[i.pk for i in invoices]
    )


def _write(cast, batch):
    return sending.write_batch(firm=cast.firm, batch=batch, by=cast.supervisor.user)


def _save(cast, settings_row) -> None:
    with firm_scope(cast.firm):
        settings_row.save()


def _parsed(received):
    return message_from_bytes(received.as_bytes(), policy=policy.default)


@pytest.mark.smtp
def test_an_email_client_receives_its_invoice_with_the_facturx_pdf(outbox_smtp, seller, buyer):
    firm = seller.firm
    firm.email_sender_name = "Cabinet Alpha, Experts & Associés"
    firm.email_reply_to = "contact@alpha.test"
    firm.save()
    with firm_scope(firm):
        Client.objects.for_firm(firm).filter(pk=buyer.pk).update(company_name="Martin & Fils")
        buyer.refresh_from_db()
    invoice = make_issued(seller, buyer)
    batch = _batch(seller, invoice)

    written = _write(seller, batch)
    [delivery] = written.deliveries
    assert (delivery.channel, delivery.state, delivery.to_confirm) == ("email", "queued", True)
    assert deliver_pending(firm=firm, ids=written.message_ids) == {"sent": 1}

    [received] = outbox_smtp.messages
    email = _parsed(received)
    assert email["X-Envelope-To"] == "compta@boulangerie-martin.test"
    assert email["Subject"] == f"Facture {invoice.number} — Cabinet Alpha"
    assert email["From"].addresses[0].display_name == "Cabinet Alpha, Experts & Associés"
    assert email["Reply-To"] == "contact@alpha.test"
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert invoice.number in text and "120,00" in text
    assert "&amp;" not in text and "&nbsp;" not in text
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "<p>Bonjour,</p>" in html
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    pdf = attachment.get_content()
    with firm_scope(firm), invoice.pdf.open("rb") as stored:
        assert pdf == stored.read()
    _name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    assert invoice.number.encode() in xml
    with firm_scope(firm):
        delivery.refresh_from_db()
        message = OutboxMessage.objects.for_firm(firm).get(pk=delivery.message_id)
    assert delivery.state == DeliveryState.SENT
    assert email["Message-ID"] == message.message_id


def test_a_batch_run_twice_sends_nothing_twice(seller, buyer):
    invoice = make_issued(seller, buyer)
    first = _write(seller, _batch(seller, invoice))
    again = _write(seller, _batch(seller, invoice))
    assert len(first.deliveries) == 1
    assert (again.deliveries, again.skipped) == ([], 1)
    with firm_scope(seller.firm):
        assert OutboxMessage.objects.for_firm(seller.firm).count() == 1


def test_a_draft_or_another_firms_invoice_is_refused(seller, buyer, firm_b):
    draft = make_draft(seller, buyer)
    with pytest.raises(sending.BatchRefused, match="brouillon"):
        _batch(seller, draft)
    with pytest.raises(sending.BatchRefused, match="introuvable"):
        sending.create_batch(firm=firm_b.firm, by=firm_b.admin.user, invoice_ids=[draft.pk])


def _paper_client(cast, **fields):
    return factories.make_client(
        cast.firm,
        company_name=fields.pop("company_name", "Garage Durand"),
        siren=fields.pop("siren", "552100554"),
        address="1 place Bellecour",
        postal_code="69002",
        city="Lyon",
        **{"invoice_delivery": Client.Delivery.PAPER, **fields},
    )


def test_paper_invoices_are_gathered_with_the_memo_before_each(seller, buyer):
    settings_row = sending.sending_settings(seller.firm)
    today = timezone.localdate()
    settings_row.memo_start = today - timedelta(days=1)
    settings_row.memo_end = today + timedelta(days=60)
    settings_row.email_from_date = date(2026, 9, 1)
    _save(seller, settings_row)
    paper = _paper_client(seller)
    refused = _paper_client(
        seller,
        company_name="Pharmacie Blanc",
        siren=factories.valid_siren(900_001),
        invoice_delivery=Client.Delivery.EMAIL_REFUSED,
        billing_emails=["x@blanc.test"],
    )
    first, second = make_issued(seller, paper), make_issued(seller, refused)
    batch = _batch(seller, first, second)
    written = _write(seller, batch)
    assert {d.channel for d in written.deliveries} == {"paper"}
    assert {d.state for d in written.deliveries} == {DeliveryState.PAPER}

    files = sending.batch_files(seller.firm, batch)
    assert set(files) == {"papier.pdf"}
    reader = PdfReader(io.BytesIO(files["papier.pdf"]))
    texts = [page.extract_text() for page in reader.pages]
    covers = [text for text in texts if "Information" in text and "septembre 2026" in text]
    assert len(covers) == 2, texts
    assert "e-mail" in covers[0]
    assert any(first.number in text for text in texts)
    assert any(second.number in text for text in texts)


def test_without_the_memo_the_paper_pdf_is_the_invoices_alone(seller):
    invoice = make_issued(seller, _paper_client(seller))
    batch = _batch(seller, invoice)
    _write(seller, batch)
    reader = PdfReader(io.BytesIO(sending.batch_files(seller.firm, batch)["papier.pdf"]))
    with firm_scope(seller.firm), invoice.pdf.open("rb") as stored:
        assert len(reader.pages) == len(PdfReader(stored).pages)


def test_after_the_firms_date_a_french_company_goes_through_the_platform(seller, buyer):
    settings_row = sending.sending_settings(seller.firm)
    settings_row.firm_answers = FIRM_ANSWERS
    _save(seller, settings_row)
    assert sending.firm_issuing_date(settings_row) == date(2027, 9, 1)
    # A member of a VAT group issues from 1 September 2026.
    settings_row.firm_answers = {**FIRM_ANSWERS, "vat_group_member": True}
    _save(seller, settings_row)
    assert sending.firm_issuing_date(settings_row) == date(2026, 9, 1)
    _obligations(seller.firm, buyer)
    invoice = make_issued(seller, buyer)
    assert invoice.issue_date >= date(2026, 9, 1)

    batch = _batch(seller, invoice)
    written = _write(seller, batch)
    [delivery] = written.deliveries
    assert (delivery.channel, delivery.email_copy, delivery.to_confirm) == ("platform", True, False)
    assert delivery.route_label == "Plateforme agréée + copie par e-mail"
    with firm_scope(seller.firm):
        message = OutboxMessage.objects.for_firm(seller.firm).get(pk=delivery.message_id)
    assert message.subject.startswith("[Copie]")
    assert "Copie pour information" in message.text_body
    files = sending.batch_files(seller.firm, batch)
    assert set(files) == {"plateforme.zip"}
    with zipfile.ZipFile(io.BytesIO(files["plateforme.zip"])) as archive:
        assert sorted(archive.namelist()) == sorted([f"{invoice.number}.pdf", "manifeste.csv"])
        manifest = archive.read("manifeste.csv")
        _name, xml = get_xml_from_pdf(archive.read(f"{invoice.number}.pdf"), check_xsd=False)
    assert invoice.number.encode() in xml
    assert manifest.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(manifest.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == [f"{invoice.number}.pdf", invoice.number]
    assert rows[1][-1] == "oui"


def _obligations(firm, client, answers=None):
    from fiscal_questionnaire.services import save_answers

    with firm_scope(firm):
        save_answers(firm=firm, client=client, values=answers or FIRM_ANSWERS, by=None)


def test_the_route_waits_for_the_firms_answers(seller, buyer):
    settings_row = sending.sending_settings(seller.firm)
    assert sending.firm_issuing_date(settings_row) is None
    invoice = make_issued(seller, buyer)
    route = sending.route_of(invoice, settings_row, None)
    assert (route.channel, route.to_confirm) == ("email", True)
    assert "route à confirmer" in route.label


def test_email_off_sends_everything_on_paper(seller, buyer):
    settings_row = sending.sending_settings(seller.firm)
    settings_row.send_by_email = False
    _save(seller, settings_row)
    invoice = make_issued(seller, buyer)
    assert sending.route_of(invoice, settings_row, None).channel == "paper"


def test_a_b2c_invoice_gives_the_firms_ereporting_lines(seller):
    consumer = _paper_client(seller, company_name="Association des amis du Vieux Lyon")
    _obligations(seller.firm, consumer, {"vat_liable": False})
    invoice = make_issued(seller, consumer)
    batch = _batch(seller, invoice)
    _write(seller, batch)
    report = sending.batch_files(seller.firm, batch)["e-reporting.csv"]
    assert report.startswith(b"\xef\xbb\xbf")
    assert "B2C" in report.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("subject", "body", "memo", "field"),
    [
        ("Facture {numero}", "Bonjour {inconnu}", "", "email_body"),
        ("Facture {num}", "Bonjour", "", "email_subject"),
        ("Facture", "Bonjour", "Le {numero}", "memo_text"),
        ("Facture {", "Bonjour", "", "email_subject"),
    ],
)
def test_an_unknown_keyword_is_refused(subject, body, memo, field):
    with pytest.raises(ValidationError) as raised:
        sending.validate_templates(subject, body, memo)
    assert field in raised.value.message_dict


def test_the_merge_keywords_are_all_filled(seller, buyer):
    invoice = make_issued(seller, buyer)
    settings_row = sending.sending_settings(seller.firm)
    settings_row.email_body = " ".join(f"{{{key}}}" for key in sending.MERGE_KEYS)
    content = sending.email_content(settings_row, invoice, seller.firm)
    assert "Boulangerie Martin" in content.text
    assert "{" not in content.text


@pytest.mark.smtp
def test_a_refused_or_uncertain_email_shows_on_the_invoice(smtp_server, seller, buyer):  # noqa: F811
    handler = smtp_server(unknown_recipients={"compta@boulangerie-martin.test"})
    refused = make_issued(seller, buyer)
    written = _write(seller, _batch(seller, refused))
    deliver_pending(firm=seller.firm, ids=written.message_ids)
    with firm_scope(seller.firm):
        delivery = InvoiceDelivery.objects.for_firm(seller.firm).get(invoice=refused)
    assert delivery.state == DeliveryState.FAILED
    assert handler.accepted == []

    smtp_server(drop_after_data=True)
    uncertain = make_issued(seller, buyer)
    written = _write(seller, _batch(seller, uncertain))
    deliver_pending(firm=seller.firm, ids=written.message_ids)
    with firm_scope(seller.firm):
        delivery = InvoiceDelivery.objects.for_firm(seller.firm).get(invoice=uncertain)
    assert delivery.state == DeliveryState.UNKNOWN

    # A failed e-mail is not "sent": the next batch tries again.
    again = _write(seller, _batch(seller, refused, uncertain))
    assert [d.invoice_id for d in again.deliveries] == [refused.pk]


# --- The command ---------------------------------------------------------------------------


def _command(*args) -> dict:
    out = io.StringIO()
    call_command("send_invoices", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.smtp
def test_the_command_sends_once_and_says_how(outbox_smtp, seller, buyer):
    email_invoice = make_issued(seller, buyer)
    make_issued(seller, _paper_client(seller))
    make_draft(seller, buyer)
    slug = seller.firm.slug

    assert _command("--firm", slug, "--all-issued", "--wait") == {
        "sent": 1,
        "paper": 1,
        "platform": 0,
        "failed": 0,
        "unknown": 0,
    }
    assert len(outbox_smtp.messages) == 1
    assert _command("--firm", slug, "--all-issued", "--wait") == dict.fromkeys(
        ("sent", "paper", "platform", "failed", "unknown"), 0
    )
    assert _command("--firm", slug, email_invoice.number, "--wait")["sent"] == 0
    assert len(outbox_smtp.messages) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("--firm", "inconnu", "--all-issued"),
        ("--firm", "{slug}", "FA-1999-000001"),
        ("--firm", "{slug}"),
        ("--firm", "{slug}", "--all-issued", "FA-1999-000001"),
    ],
)
def test_the_command_refuses_bad_input_with_status_2(seller, args):
    args = [arg.replace("{slug}", seller.firm.slug) for arg in args]
    with pytest.raises(CommandError) as raised:
        call_command("send_invoices", *args, "--wait", stdout=io.StringIO())
    assert raised.value.returncode == 2


def test_the_command_refuses_a_draft(seller, buyer):
    make_issued(seller, buyer)
    draft = make_draft(seller, buyer)
    with pytest.raises(CommandError, match="brouillon") as raised:
        call_command(
            "send_invoices",
            "--firm",
            seller.firm.slug,
            str(draft.pk),
            "--wait",
            stdout=io.StringIO(),
        )
    assert raised.value.returncode == 2
