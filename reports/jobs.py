"""Background work of the synthesis reports: one job generates the reports of one client or of
many (a selection, or a whole filtered portfolio), one by one (the progress), and ends with a ZIP
of them when started from a client list (``archive``) or for several clients."""

from __future__ import annotations

from django.utils import timezone

from clients.models import Client
from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from pdf import PdfRenderError
from reports import services
from reports.models import SynthesisReport

JOB_KIND = "synthesis_reports"


def synthesis_reports_job(run: JobRun) -> None:
    """Generate a new version of each chosen client's report. A rerun (after a crash or a
    failure) skips the clients this job already gave a version to, so it never numbers one
    twice. A client that cannot have its report (archived, its PDF failing) is listed with the
    reason; the others go on."""
    client_ids = list(run.params.get("client_ids", []))
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        clients = list(
            Client.objects.for_firm(firm).filter(pk__in=client_ids).order_by("company_name", "pk")
        )
        done = set(
            SynthesisReport.objects.for_firm(firm)
            .filter(job_id=run.job.pk)
            .values_list("client_id", flat=True)
        )
        stationery = services.firm_stationery(firm)
    run.set_total(len(clients))
    skipped = []
    for client in clients:
        if client.pk not in done:
            try:
                with firm_scope(run.firm_id):
                    services.generate_report(
                        firm=firm, client=client, by=by, job_id=run.job.pk, stationery=stationery
                    )
            except (services.ReportRefused, PdfRenderError) as error:
                skipped.append({"client": client.pk, "siren": client.siren, "reason": str(error)})
        run.advance()
    with firm_scope(run.firm_id):
        reports = list(
            SynthesisReport.objects.for_firm(firm)
            .filter(job_id=run.job.pk)
            .select_related("client")
            .defer("snapshot")
            .order_by("client__company_name", "client_id")
        )
    summary = {
        "generated": len(reports),
        "reports": [report.pk for report in reports],
        "skipped": skipped,
    }
    if run.params.get("archive") or len(client_ids) > 1:
        with firm_scope(run.firm_id):
            archive = services.report_archive(reports)
        run.save_result(
            name=f"rapports-de-synthese-{timezone.localdate():%Y%m%d}.zip",
            content=archive,
            summary=summary,
        )
    else:
        run.save_summary(summary)
