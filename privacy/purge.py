"""The nightly purge of what an erasure kept for a legal duty, once the duty has ended.

Each :class:`privacy.models.RetainedRow` not yet purged is looked at again: a signed mandate's
duty gets its end date when its client is archived (the end of the business relationship);
the day after its duty ends, the row goes with its files:

- a synthesis report version, through the one narrow exception of its PostgreSQL trigger
  (``app.purging_report_versions`` names the firm for the statement, and the trigger still
  refuses a version generated less than five years ago, reports migration 0004);
- an issued invoice or credit note, with its lines, payments, reminders, deliveries and the
  e-mails that carried it (an invoice waits while a credit note of it is kept);
- a signed mandate, with its PDFs.

Each row is purged in its own transaction; a failure is logged and left for the next night.
Running it again purges nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from firms.models import Firm
from firms.tenancy import firm_scope
from invoicing.models import Invoice, InvoiceDelivery, InvoiceLine, Payment, PaymentReminder
from mandates.models import Mandate
from outbox.models import OutboxAttachment, OutboxMessage
from privacy import retention
from privacy.models import RetainedRow
from privacy.persons import relationship_ends
from reports.models import SynthesisReport

logger = logging.getLogger(__name__)

PURGING_REPORTS_SETTING = "app.purging_report_versions"


class StillNeeded(Exception):
    """The row cannot go yet (an invoice a kept credit note refers to)."""


@dataclass
class Purge:
    purged: int = 0
    waiting: int = 0
    failed: int = 0


def purge_retained_rows(*, today: datetime.date | None = None) -> Purge:
    """Purge, in every firm, the kept rows whose duty ended before ``today``."""
    today = today or timezone.localdate()
    outcome = Purge()
    for firm in Firm.objects.order_by("pk"):
        with firm_scope(firm):
            open_rows = list(
                RetainedRow.objects.for_firm(firm).filter(purged_at__isnull=True).order_by("pk")
            )
        for row in open_rows:
            try:
                files: list[str] = []
                with firm_scope(firm), transaction.atomic():
                    until = current_end(firm, row)
                    if until != row.until:
                        RetainedRow.objects.for_firm(firm).filter(pk=row.pk).update(until=until)
                    if until is None or today <= until:
                        outcome.waiting += 1
                        continue
                    files = purge_row(firm, row)
                    RetainedRow.objects.for_firm(firm).filter(
                        pk=row.pk, purged_at__isnull=True
                    ).update(purged_at=timezone.now())
            except StillNeeded as reason:
                logger.info("kept row %s (%s) waits: %s", row.pk, row.description, reason)
                outcome.waiting += 1
                continue
            except Exception:
                logger.exception("could not purge kept row %s of firm %s", row.pk, firm.pk)
                outcome.failed += 1
                continue
            for name in files:
                default_storage.delete(name)
            logger.info(
                "purged %s %s of firm %s (duty %s ended on %s)",
                row.table,
                row.object_id,
                firm.pk,
                row.duty,
                until,
            )
            outcome.purged += 1
    return outcome


def current_end(firm: Firm, row: RetainedRow) -> datetime.date | None:
    """The day the row's duty ends, as known today (a mandate's once its client is archived)."""
    if row.duty != retention.AML or row.until is not None:
        return row.until
    client_id = (
        Mandate.objects.for_firm(firm)
        .filter(pk=row.object_id)
        .values_list("client_id", flat=True)
        .first()
    )
    if client_id is None:
        return None
    ended = relationship_ends(firm, {client_id}).get(client_id)
    return retention.aml_retention(ended).until


def purge_row(firm: Firm, row: RetainedRow) -> list[str]:
    """Delete the kept row and what hangs on it; returns the storage names of its files (to
    delete once the transaction commits). A row already gone purges nothing."""
    if row.table == "reports.synthesisreport":
        return _purge_report(firm, row.object_id)
    if row.table == "invoicing.invoice":
        return _purge_invoice(firm, row.object_id)
    if row.table == "invoicing.payment":
        # Goes with its invoice; alone, only the payment.
        payments = Payment.objects.for_firm(firm).filter(pk=row.object_id)
        payments._raw_delete(connection.alias)
        return []
    if row.table == "mandates.mandate":
        mandates = Mandate.objects.for_firm(firm).filter(pk=row.object_id)
        files = [
            name for pair in mandates.values_list("document", "signed_document") for name in pair
        ]
        mandates.delete()
        return [name for name in files if name]
    raise ValueError(f"no purge for table {row.table}")


def _purge_report(firm: Firm, report_id: int) -> list[str]:
    reports = SynthesisReport.objects.for_firm(firm).filter(pk=report_id)
    files = list(reports.values_list("document", flat=True))
    if not files:
        return []
    # A savepoint: should the trigger refuse, the setting goes with it and the error is its own.
    with transaction.atomic():
        _announce_purge(firm.pk)
        reports._raw_delete(connection.alias)
        _announce_purge(None)
    return [name for name in files if name]


def _announce_purge(firm_id: int | None) -> None:
    """Name the firm whose expired report versions this transaction deletes (or no firm)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [PURGING_REPORTS_SETTING, str(firm_id or "")]
            )


def _purge_invoice(firm: Firm, invoice_id: int) -> list[str]:
    invoices = Invoice.objects.for_firm(firm).filter(pk=invoice_id)
    pdf = invoices.values_list("pdf", flat=True).first()
    if pdf is None:
        return []
    if Invoice.objects.for_firm(firm).filter(credited_invoice_id=invoice_id).exists():
        raise StillNeeded("a credit note of this invoice is kept")
    messages = OutboxMessage.objects.for_firm(firm).filter(
        related_type="invoicing.invoice", related_id=str(invoice_id)
    )
    attachments = OutboxAttachment.objects.for_firm(firm).filter(message__in=messages)
    files = [pdf, *attachments.values_list("file", flat=True)]
    for model in (Payment, PaymentReminder, InvoiceDelivery, InvoiceLine):
        model.objects.for_firm(firm).filter(invoice_id=invoice_id).delete()
    messages.delete()
    # The model refuses to delete an issued invoice; its duty has ended.
    invoices._raw_delete(connection.alias)
    return [name for name in files if name]
