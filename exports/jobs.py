"""The export's background job: choose the clients, read them by chunks (the progress), write
the file and hand it over."""

from __future__ import annotations

from exports import services
from firms.models import Membership
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from jobs.services import JobError

NOT_ALLOWED = (
    "Seuls les superviseurs et les administrateurs du cabinet exportent le portefeuille : "
    "la personne qui a demandé cet export ne l'est plus."
)


def export_portfolio_job(run: JobRun) -> None:
    """Idempotent: a rerun chooses the clients again under the same filter and rebuilds the
    file."""
    params = run.params if isinstance(run.params, dict) else {}
    export_format = params.get("format", services.DEFAULT_FORMAT)
    if export_format not in services.FORMATS:
        export_format = services.DEFAULT_FORMAT
    with firm_scope(run.firm_id):
        membership = (
            Membership.objects.for_firm(run.firm_id)
            .filter(user_id=run.job.requested_by_id)
            .select_related("firm")
            .first()
        )
    if membership is None or not membership.sees_whole_firm:
        raise JobError(NOT_ALLOWED)
    client_ids = services.export_client_ids(membership, params)
    run.set_total(len(client_ids))
    export = services.write_export(
        run.firm_id, client_ids, export_format=export_format, on_chunk=run.advance
    )
    run.save_result(
        name=export.name,
        content=export.content,
        summary={
            "rows": export.rows,
            "format": export_format,
            "kept_days": _kept_days(run.firm_id),
        },
    )


def _kept_days(firm_id: int) -> int:
    with firm_scope(firm_id):
        return services.retention_days(firm_id)
