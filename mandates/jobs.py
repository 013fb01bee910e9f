"""Background work of the mandates: a batch generated for many clients, with its JeSignExpert
export (an archive of the Excel file of signers and the ZIP of the documents)."""

from __future__ import annotations

import io
import zipfile

from django.utils import timezone

from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from mandates import jesignexpert, services
from mandates.models import Mandate, MandateKind, MandateStatus

BATCH_JOB_KIND = "generate_mandates"


def batch_archive(export: jesignexpert.Export) -> bytes:
    """What the firm uploads to the signing service, in one download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("jesignexpert.xlsx", export.workbook)
        archive.writestr("documents.zip", export.documents)
    return buffer.getvalue()


def generate_mandates_job(run: JobRun) -> None:
    """Draft the mandates of the chosen clients, render their PDFs one by one (the progress),
    then export those ready to sign. A retried run redoes only what is left: the clients that
    got a mandate are skipped, and the drafts not yet rendered are rendered."""
    params = run.params
    kind = params.get("kind", MandateKind.DELEGATION)
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        created, skipped = services.create_mandates(
            firm=firm, client_ids=params.get("client_ids", []), kind=kind, by=by
        )
        batch_ids = [mandate.pk for mandate in created] + list(params.get("mandate_ids", []))
        run.job.params = {**params, "mandate_ids": batch_ids}
        run.job.save(update_fields=["params"])
        drafts = list(
            Mandate.objects.for_firm(firm)
            .filter(pk__in=batch_ids, status=MandateStatus.DRAFT)
            .select_related("client")
        )
        stationery = services.firm_stationery(firm)
    run.set_total(len(drafts))
    for mandate in drafts:
        with firm_scope(run.firm_id):
            services.render_mandate(firm=firm, mandate=mandate, by=by, stationery=stationery)
        run.advance()
    with firm_scope(run.firm_id):
        batch = (
            Mandate.objects.for_firm(firm)
            .filter(pk__in=batch_ids, status=MandateStatus.TO_SIGN)
            .select_related("client", "client__assigned_to")
            .order_by("client__company_name")
        )
        export = jesignexpert.build_export(firm=firm, mandates=batch, preparer=by)
    run.save_result(
        name=f"jesignexpert-{timezone.localdate():%Y%m%d}.zip",
        content=batch_archive(export),
        summary={
            "generated": len(batch_ids),
            "exported": [mandate.pk for mandate in export.exported],
            "excluded": [
                {"reference": mandate.reference, "client": mandate.client_id, "reason": reason}
                for mandate, reason in export.excluded
            ],
            "skipped": [
                {"siren": item.client.siren, "client": item.client.pk, "reason": item.reason}
                for item in skipped
            ],
        },
    )
