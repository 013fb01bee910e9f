"""The background job that invoices a period's recurring fees, with its progress."""

from __future__ import annotations

from dataclasses import asdict

from firms.models import Firm, User
from firms.tenancy import firm_scope
from invoicing import recurring
from jobs.progress import JobRun

RECURRING_JOB_KIND = "issue_recurring_invoices"


def issue_recurring_invoices_job(run: JobRun) -> None:
    """One engagement at a time, each in its own transaction; a rerun issues only what is left
    (the unique constraint (engagement, period))."""
    month = run.params["period"]
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        engagements = recurring.active_engagements(firm)
    run.set_total(len(engagements))
    result = recurring.RecurringResult()
    for engagement in engagements:
        with firm_scope(run.firm_id):
            recurring.invoice_engagement(
                firm=firm, engagement=engagement, month=month, by=by, result=result
            )
        run.advance()
    run.save_summary({"period": month, **asdict(result)})
