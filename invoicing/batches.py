"""The background job that sends a batch of issued invoices, with its progress; the same steps
serve the ``send_invoices`` command, which runs them in its own process."""

from __future__ import annotations

from datetime import timedelta

from firms.models import Firm, User
from firms.tenancy import firm_scope
from invoicing import sending
from invoicing.models import InvoiceBatch
from jobs.progress import JobRun
from jobs.services import JobError, start_job

SEND_JOB_KIND = "send_invoices"
# Writing a large batch's rows is one transaction without progress reports in between.
STALLED_AFTER = timedelta(minutes=20)


def start_batch(*, firm: Firm, by: User, invoice_ids) -> InvoiceBatch:
    """Record the batch and hand it to the worker."""
    batch = sending.create_batch(firm=firm, by=by, invoice_ids=invoice_ids)
    with firm_scope(firm):
        job = start_job(firm=firm, kind=SEND_JOB_KIND, requested_by=by, params={"batch": batch.pk})
        batch.job = job
        batch.save(update_fields=["job"])
    return batch


def send_invoices_job(run: JobRun) -> None:
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        batch = InvoiceBatch.objects.for_firm(firm).filter(pk=run.params.get("batch")).first()
    if batch is None:
        raise JobError("Envoi introuvable.")
    run.set_total(3)
    sending.write_batch(firm=firm, batch=batch, by=by)
    run.advance()
    files = sending.batch_files(firm, batch)
    run.advance()
    summary = {**batch.counts, "batch": batch.pk, "files": sorted(files)}
    if files:
        run.save_result(
            name=f"envoi-{batch.pk}.zip", content=sending.archive(files), summary=summary
        )
    else:
        run.save_summary(summary)
    run.advance()
