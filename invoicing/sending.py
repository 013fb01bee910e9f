"""Sending the firm's issued invoices: by e-mail through the outbox, on paper (one printable PDF
per batch, with the memo asking for a billing address while it is active), or through the
firm's approved platform after its own issuing date (a ZIP of the Factur-X files).

The route of each invoice is :func:`invoicing.routing.decide_route`; this module gathers its
inputs (the firm's own answers, the client's obligations and preference), writes the
deliveries and the outbox rows of a batch in one transaction (:func:`write_batch`), and builds
the batch's files (:func:`batch_files`). An invoice has at most one delivery that did not fail
(a unique constraint), so a batch run again sends nothing twice.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.formulas import neutralise_formula
from clients.models import Client
from firms.models import Firm, User
from firms.tenancy import firm_scope
from fiscal_questionnaire.questions import QUESTIONS_BY_CODE, InvalidAnswers
from fiscal_questionnaire.rules.derivation import derive_obligations
from french_formats.dates import french_date
from french_formats.money import french_amount
from invoicing import ereporting, routing
from invoicing.document import InvoiceDocument
from invoicing.models import (
    DeliveryChannel,
    DeliveryState,
    Invoice,
    InvoiceBatch,
    InvoiceDelivery,
    InvoiceStatus,
    SendingSettings,
)
from outbox import merge
from outbox.models import OutboxMessage
from outbox.services import Attachment, enqueue_email

EMAIL_KIND = "invoice"
RELATED_TYPE = "invoicing.invoice"

# The keywords of the e-mail's subject and text.
MERGE_KEYS = (
    "client",
    "numero",
    "date",
    "montant_ht",
    "montant_ttc",
    "echeance",
    "cabinet",
)
MEMO_KEYS = ("date_generalisation", "cabinet")

# The firm's own short questionnaire: what decides its obligation to issue e-invoices.
FIRM_QUESTION_CODES = (
    "vat_liable",
    "establishment",
    "vat_group_member",
    "exempt_operations",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "sells_b2b_domestic",
)

PREFERENCE_OF_DELIVERY = {
    Client.Delivery.EMAIL: "email",
    Client.Delivery.PAPER: "paper",
    Client.Delivery.EMAIL_REFUSED: "refused",
}

MANIFEST_HEADERS = (
    "Fichier",
    "N° de facture",
    "Type",
    "Date",
    "Client",
    "SIREN du client",
    "Total HT (€)",
    "Total TTC (€)",
    "Copie par e-mail",
)


class BatchRefused(Exception):
    """The selection cannot be sent; the message (French) says why."""


# --- Settings ------------------------------------------------------------------------------


def sending_settings(firm: Firm | int) -> SendingSettings:
    firm_id = firm if isinstance(firm, int) else firm.pk
    with firm_scope(firm_id):
        row = SendingSettings.objects.for_firm(firm_id).first()
        if row is None:
            row, _created = SendingSettings.objects.get_or_create(firm_id=firm_id)
    return row


def firm_obligations(settings_row: SendingSettings) -> dict | None:
    """The firm's obligations derived from its own answers (None when it gave none, or when
    they are not valid any more)."""
    answers = {
        code: value
        for code, value in (settings_row.firm_answers or {}).items()
        if code in FIRM_QUESTION_CODES
    }
    if not any(value is not None for value in answers.values()):
        return None
    try:
        return derive_obligations(answers)
    except InvalidAnswers:  # answers stored by an older catalogue
        return None


def firm_issuing_date(settings_row: SendingSettings) -> date | None:
    return routing.firm_issuing_date_from_obligations(firm_obligations(settings_row))


def firm_questions() -> list:
    return [QUESTIONS_BY_CODE[code] for code in FIRM_QUESTION_CODES]


def memo_active(settings_row: SendingSettings, day: date) -> bool:
    """The memo is printed before each paper invoice from its first to its last day."""
    if not settings_row.memo_text.strip() or not settings_row.memo_start:
        return False
    return settings_row.memo_start <= day and (
        settings_row.memo_end is None or day <= settings_row.memo_end
    )


def memo_values(settings_row: SendingSettings, firm: Firm) -> dict[str, str]:
    day = settings_row.email_from_date or settings_row.memo_end
    return {
        "date_generalisation": french_date(day) if day else _("prochainement"),
        "cabinet": firm.name,
    }


# --- Merge fields and the e-mail -----------------------------------------------------------


def merge_values(invoice: Invoice, firm: Firm) -> dict[str, str]:
    document = invoice.document or {}
    client_name = (document.get("buyer") or {}).get("name") or invoice.client.company_name
    return {
        "client": client_name,
        "numero": invoice.number,
        "date": french_date(invoice.issue_date) if invoice.issue_date else "",
        "montant_ht": french_amount(invoice.total_excl_vat),
        "montant_ttc": french_amount(invoice.total_incl_vat),
        "echeance": french_date(invoice.due_date) if invoice.due_date else "",
        "cabinet": firm.name,
    }


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def email_content(
    settings_row: SendingSettings, invoice: Invoice, firm: Firm, *, copy: bool = False
) -> EmailContent:
    """The e-mail of an invoice from the firm's templates; a copy (the invoice itself went
    through the platform) says so in its subject and first line."""
    values = merge_values(invoice, firm)
    subject = merge.render_template(settings_row.email_subject, values)
    text = merge.render_template(settings_row.email_body, values)
    if copy:
        subject = _("[Copie] %(subject)s") % {"subject": subject}
        text = (
            _(
                "Copie pour information : la facture %(number)s vous a été transmise par notre "
                "plateforme de facturation électronique agréée, qui seule fait foi."
            )
            % {"number": invoice.number}
            + "\n\n"
            + text
        )
    return EmailContent(
        subject=" ".join(subject.split()), text=text, html=str(merge.text_to_html(text))
    )


def pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


# --- The route -----------------------------------------------------------------------------


def client_preference(client: Client, settings_row: SendingSettings) -> str:
    if not settings_row.send_by_email:
        return "paper"
    return PREFERENCE_OF_DELIVERY.get(client.invoice_delivery, "paper")


def buyer_facts(client: Client) -> routing.BuyerFacts:
    obligations = getattr(client, "_sending_obligations", None)
    if obligations is None:
        obligations = client.obligations.first()
    return routing.buyer_facts_from_obligations(obligations, siren=client.siren)


def route_of(
    invoice: Invoice, settings_row: SendingSettings, issuing_date: date | None
) -> routing.Route:
    client = invoice.client
    return routing.decide_route(
        issue_date=invoice.issue_date or timezone.localdate(),
        firm_issuing_date=issuing_date,
        buyer=buyer_facts(client),
        preference=client_preference(client, settings_row),
        has_billing_email=bool(client.billing_emails),
    )


# --- The collection of billing addresses ---------------------------------------------------


@dataclass(frozen=True)
class Collection:
    clients: int
    with_address: int
    email: int
    paper: int
    refused: int

    @property
    def percent_with_address(self) -> int:
        return round(100 * self.with_address / self.clients) if self.clients else 0


def collection_progress(clients) -> Collection:
    """How far the collection of billing addresses went among ``clients`` (active ones)."""
    figures = clients.filter(status=Client.Status.ACTIVE).aggregate(
        total=Count("pk"),
        with_address=Count("pk", filter=~Q(billing_emails=[])),
        email=Count("pk", filter=Q(invoice_delivery=Client.Delivery.EMAIL) & ~Q(billing_emails=[])),
        paper=Count(
            "pk",
            filter=Q(invoice_delivery=Client.Delivery.PAPER)
            | Q(invoice_delivery=Client.Delivery.EMAIL, billing_emails=[]),
        ),
        refused=Count("pk", filter=Q(invoice_delivery=Client.Delivery.EMAIL_REFUSED)),
    )
    return Collection(
        clients=figures["total"],
        with_address=figures["with_address"],
        email=figures["email"],
        paper=figures["paper"],
        refused=figures["refused"],
    )


def paper_clients(clients):
    """The active clients still on paper without having refused e-mail: those to chase."""
    return (
        clients.filter(status=Client.Status.ACTIVE)
        .filter(
            Q(invoice_delivery=Client.Delivery.PAPER)
            | Q(invoice_delivery=Client.Delivery.EMAIL, billing_emails=[])
        )
        .order_by("company_name", "pk")
    )


# --- Batches -------------------------------------------------------------------------------


def issued_invoices(firm: Firm, *, ids: Iterable[int] = (), numbers: Iterable[str] = ()):
    """The firm's issued invoices among ``ids`` or ``numbers``; raises BatchRefused (French)
    for an unknown one or a draft."""
    ids, numbers = list(ids), [number.strip() for number in numbers]
    invoices = Invoice.objects.for_firm(firm)
    if numbers:
        found = {invoice.number: invoice for invoice in invoices.filter(number__in=numbers)}
        # A draft has no number: the command names it by its id.
        by_id = [int(n) for n in numbers if n not in found and n.isascii() and n.isdigit()]
        by_id = [pk for pk in by_id if pk < 2**63]
        found.update(
            {str(invoice.pk): invoice for invoice in invoices.filter(pk__in=by_id, number="")}
        )
        unknown = [number for number in numbers if number not in found]
        if unknown:
            raise BatchRefused(
                _("Numéro de facture inconnu : %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        selected = list(found.values())
    else:
        found = {invoice.pk: invoice for invoice in invoices.filter(pk__in=ids)}
        unknown = [str(pk) for pk in ids if pk not in found]
        if unknown:
            raise BatchRefused(_("Facture introuvable : %(ids)s.") % {"ids": ", ".join(unknown)})
        selected = list(found.values())
    drafts = [invoice for invoice in selected if invoice.status != InvoiceStatus.ISSUED]
    if drafts:
        raise BatchRefused(
            _("Un brouillon ne s'envoie pas : émettez-le d'abord (%(count)d brouillon(s)).")
            % {"count": len(drafts)}
        )
    return sorted(selected, key=lambda invoice: (invoice.number, invoice.pk))


def unsent_issued_ids(firm: Firm) -> list[int]:
    """Every issued invoice of the firm without a delivery that did not fail."""
    delivered = InvoiceDelivery.objects.for_firm(firm).exclude(state=DeliveryState.FAILED)
    return list(
        Invoice.objects.for_firm(firm)
        .filter(status=InvoiceStatus.ISSUED)
        .exclude(pk__in=delivered.values("invoice_id"))
        .order_by("number")
        .values_list("pk", flat=True)
    )


def create_batch(*, firm: Firm, by: User | None, invoice_ids: Sequence[int]) -> InvoiceBatch:
    """Record a batch of issued invoices (checked now: a draft or another firm's invoice is
    refused with a French message)."""
    with firm_scope(firm):
        if not invoice_ids:
            raise BatchRefused(_("Choisissez au moins une facture émise."))
        invoices = issued_invoices(firm, ids=invoice_ids)
        return InvoiceBatch.objects.create(
            firm=firm, created_by=by, invoice_ids=[invoice.pk for invoice in invoices]
        )


@dataclass
class BatchWritten:
    deliveries: list[InvoiceDelivery] = field(default_factory=list)
    skipped: int = 0

    @property
    def message_ids(self) -> list[int]:
        return [d.message_id for d in self.deliveries if d.message_id]


def write_batch(*, firm: Firm, batch: InvoiceBatch, by: User | None) -> BatchWritten:
    """Write the deliveries of the batch's invoices not yet sent, with their outbox rows, in
    ONE transaction: a crash leaves the whole batch unwritten, never half of it. The invoices
    are locked, so two batches of the same invoices never both send one."""
    written = BatchWritten()
    with firm_scope(firm), transaction.atomic():
        settings_row = sending_settings(firm)
        issuing_date = firm_issuing_date(settings_row)
        invoices = list(
            Invoice.objects.for_firm(firm)
            .filter(pk__in=batch.invoice_ids, status=InvoiceStatus.ISSUED)
            .select_for_update(of=("self",))
            .select_related("client")
            .order_by("number")
        )
        already = set(
            InvoiceDelivery.objects.for_firm(firm)
            .filter(invoice_id__in=[invoice.pk for invoice in invoices])
            .exclude(state=DeliveryState.FAILED)
            .values_list("invoice_id", flat=True)
        )
        for invoice in invoices:
            if invoice.pk in already:
                written.skipped += 1
                continue
            written.deliveries.append(
                _deliver(firm, batch, invoice, settings_row, issuing_date, by)
            )
        counts = Counter(delivery.channel for delivery in written.deliveries)
        batch.counts = {
            "email": counts[DeliveryChannel.EMAIL],
            "paper": counts[DeliveryChannel.PAPER],
            "platform": counts[DeliveryChannel.PLATFORM],
            "skipped": written.skipped,
        }
        batch.save(update_fields=["counts"])
    return written


def _deliver(firm, batch, invoice, settings_row, issuing_date, by) -> InvoiceDelivery:
    route = route_of(invoice, settings_row, issuing_date)
    delivery = InvoiceDelivery(
        firm=firm,
        invoice=invoice,
        batch=batch,
        channel=route.channel,
        to_confirm=route.to_confirm,
        email_copy=route.email_copy,
    )
    if route.channel == routing.EMAIL or route.email_copy:
        content = email_content(settings_row, invoice, firm, copy=route.email_copy)
        with invoice.pdf.open("rb") as stored:
            pdf = stored.read()
        message = enqueue_email(
            firm=firm,
            kind=EMAIL_KIND,
            to=invoice.client.billing_emails,
            subject=content.subject,
            text_body=content.text,
            html_body=content.html,
            attachments=[Attachment(pdf_filename(invoice), pdf, "application/pdf")],
            related=invoice,
            created_by=by,
        )
        delivery.message = message
        delivery.recipients = list(message.to)
        delivery.state = message.state
    else:
        delivery.state = (
            DeliveryState.PLATFORM if route.channel == routing.PLATFORM else DeliveryState.PAPER
        )
    delivery.save()
    return delivery


def mirror_message_state(sender, message: OutboxMessage, previous_state=None, **kwargs) -> None:
    """Receiver of ``outbox.signals.message_state_changed``: the delivery follows its e-mail."""
    if message.related_type != RELATED_TYPE or previous_state is None:
        return
    InvoiceDelivery.objects.for_firm(message.firm_id).filter(message_id=message.pk).update(
        state=message.state, updated_at=timezone.now()
    )


# --- The batch's files ---------------------------------------------------------------------


def batch_deliveries(firm: Firm, batch: InvoiceBatch):
    return (
        InvoiceDelivery.objects.for_firm(firm)
        .filter(batch=batch)
        .select_related("invoice", "invoice__client")
        .order_by("invoice__number")
    )


def paper_pdf(firm: Firm, invoices: Sequence[Invoice], *, memo: str = "") -> bytes:
    """The paper invoices as one printable PDF: before each, the memo's cover page when given;
    each invoice's PDF as it was issued."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    cover = _memo_page(firm, memo) if memo else b""
    for invoice in invoices:
        if cover:
            writer.append(PdfReader(io.BytesIO(cover)))
        with invoice.pdf.open("rb") as stored:
            writer.append(PdfReader(io.BytesIO(stored.read())))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _memo_page(firm: Firm, memo: str) -> bytes:
    from pdf import render_pdf_template

    logo = b""
    if firm.logo:
        with firm.logo.open("rb") as stored:
            logo = stored.read()
    return render_pdf_template(
        "invoicing/sending/memo_pdf.html",
        {
            "firm": firm,
            "memo": memo,
            "memo_paragraphs": [part.strip() for part in memo.split("\n\n") if part.strip()],
        },
        images={"logo": logo} if logo else None,
    )


def platform_zip(deliveries: Sequence[InvoiceDelivery]) -> bytes:
    """The Factur-X files of the platform invoices with ``manifeste.csv`` (``;``, UTF-8 BOM)."""
    buffer = io.BytesIO()
    rows = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for delivery in deliveries:
            invoice = delivery.invoice
            name = pdf_filename(invoice)
            with invoice.pdf.open("rb") as stored:
                archive.writestr(name, stored.read())
            rows.append(
                (
                    name,
                    neutralise_formula(invoice.number),
                    invoice.get_kind_display(),
                    invoice.issue_date.strftime("%d/%m/%Y") if invoice.issue_date else "",
                    neutralise_formula(invoice.client.company_name),
                    invoice.client.siren,
                    ereporting._money(invoice.total_excl_vat),
                    ereporting._money(invoice.total_incl_vat),
                    "oui" if delivery.email_copy else "non",
                )
            )
        manifest = io.StringIO()
        writer = csv.writer(manifest, delimiter=";", lineterminator="\r\n")
        writer.writerow(MANIFEST_HEADERS)
        writer.writerows(rows)
        archive.writestr("manifeste.csv", manifest.getvalue().encode("utf-8-sig"))
    return buffer.getvalue()


def ereporting_csv(invoices: Sequence[Invoice]) -> bytes | None:
    """The firm's e-reporting lines of the batch's invoices (B2C, international), or None."""
    documents = []
    facts = {}
    for invoice in invoices:
        if not invoice.document:
            continue
        document = InvoiceDocument.from_dict(invoice.document)
        documents.append(document)
        facts[document.number] = buyer_facts(invoice.client)
    lines = ereporting.transaction_lines(documents, buyer_facts=facts)
    return ereporting.transactions_csv(lines) if lines else None


def batch_files(firm: Firm, batch: InvoiceBatch, *, today: date | None = None) -> dict[str, bytes]:
    """``papier.pdf``, ``plateforme.zip`` and ``e-reporting.csv``, as applicable."""
    today = today or timezone.localdate()
    with firm_scope(firm):
        settings_row = sending_settings(firm)
        deliveries = list(batch_deliveries(firm, batch))
        paper = [d.invoice for d in deliveries if d.channel == DeliveryChannel.PAPER]
        platform = [d for d in deliveries if d.channel == DeliveryChannel.PLATFORM]
        memo = ""
        if memo_active(settings_row, today):
            memo = merge.render_template(settings_row.memo_text, memo_values(settings_row, firm))
        files = {}
        if paper:
            files["papier.pdf"] = paper_pdf(firm, paper, memo=memo)
        if platform:
            files["plateforme.zip"] = platform_zip(platform)
        report = ereporting_csv([d.invoice for d in deliveries])
        if report:
            files["e-reporting.csv"] = report
    return files


def archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as result:
        for name, content in files.items():
            result.writestr(name, content)
    return buffer.getvalue()


# --- Outcomes ------------------------------------------------------------------------------


def outcome_counts(firm: Firm, deliveries: Iterable[InvoiceDelivery]) -> dict[str, int]:
    """``{"sent", "paper", "platform", "failed", "unknown"}`` of deliveries, read again."""
    pks = [delivery.pk for delivery in deliveries]
    counts = dict.fromkeys(("sent", "paper", "platform", "failed", "unknown"), 0)
    with firm_scope(firm):
        for channel, state in (
            InvoiceDelivery.objects.for_firm(firm)
            .filter(pk__in=pks)
            .values_list("channel", "state")
        ):
            if channel == DeliveryChannel.PAPER:
                counts["paper"] += 1
            if channel == DeliveryChannel.PLATFORM:
                counts["platform"] += 1
            if state in ("sent", "failed", "unknown"):
                counts[state] += 1
    return counts


def validate_templates(subject: str, body: str, memo: str) -> None:
    """The firm's texts, their keywords checked (a form's clean calls it)."""
    errors = {}
    for name, text, keys in (
        ("email_subject", subject, MERGE_KEYS),
        ("email_body", body, MERGE_KEYS),
        ("memo_text", memo, MEMO_KEYS),
    ):
        try:
            merge.check_template(text, keys)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


# --- The invoice list ----------------------------------------------------------------------

NOT_SENT = "none"


def delivery_filter_choices() -> list[tuple[str, str]]:
    return [("", _("Tous les envois")), (NOT_SENT, _("Pas encore envoyées"))] + [
        (value, str(label)) for value, label in DeliveryState.choices
    ]


def with_delivery_state(invoices, firm_id: int, wanted: str = ""):
    """The invoices with the state and route of their latest delivery (``delivery_state``,
    ``delivery_channel``), filtered on a state, or on ``none`` (issued, not yet sent)."""
    latest = (
        InvoiceDelivery.objects.for_firm(firm_id)
        .filter(invoice=OuterRef("pk"))
        .order_by("-created_at", "-pk")
    )
    invoices = invoices.annotate(
        delivery_state=Subquery(latest.values("state")[:1]),
        delivery_channel=Subquery(latest.values("channel")[:1]),
    )
    if wanted == NOT_SENT:
        invoices = invoices.filter(status=InvoiceStatus.ISSUED, delivery_state__isnull=True)
    elif wanted in DeliveryState.values:
        invoices = invoices.filter(delivery_state=wanted)
    return invoices


def state_label(state: str | None) -> str:
    return str(DeliveryState(state).label) if state in DeliveryState.values else ""
