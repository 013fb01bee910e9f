"""The import's jobs: the reading of an uploaded file, the dry run of the chosen columns, and the
confirmed import, which leaves a report to download. Each reads the kept file in the worker."""

from __future__ import annotations

import csv
import io

from clients.formulas import neutralise_formula
from clients.importing.applying import import_rows
from clients.importing.mapping import mapping_from_json, missing_columns_message, missing_fields
from clients.importing.planning import CREATE, REJECT, UNCHANGED, UPDATE, ImportPlan, plan_import
from clients.importing.reading import ImportFileError, Table
from clients.importing.services import record_dry_run, record_reading, stored_table
from clients.models import ClientImport
from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from jobs.services import JobError

REPORT_NAME = "import-clients-compte-rendu.csv"
RESULT_LABELS = {
    REJECT: "Rejetée",
    CREATE: "Créé",
    UPDATE: "Mis à jour",
    UNCHANGED: "Inchangé",
}


def read_client_import(run: JobRun) -> None:
    """Read the file just uploaded: its columns, a few values of each and its number of rows,
    or the French reason it cannot be imported (the job's error, shown on the wizard's page)."""
    upload = _the_import(run)
    if upload.read_job_id != run.job.pk or upload.status != ClientImport.Status.READING:
        run.save_summary({"superseded": True})
        return
    run.set_total(1)
    table = _the_table(upload)
    run.advance()
    firm = Firm.objects.get(pk=run.firm_id)
    with firm_scope(firm):
        record_reading(firm=firm, upload=upload, job=run.job, table=table)
    run.save_summary({"rows": len(table.rows), "columns": len(table.headers)})


def plan_client_import(run: JobRun) -> None:
    upload = _the_import(run)
    if upload.dry_run_job_id != run.job.pk or upload.status != ClientImport.Status.CHECKING:
        # Other columns were chosen since: the newer dry run does the work.
        run.save_summary({"superseded": True})
        return
    table = _the_table(upload)
    mapping = mapping_from_json(upload.mapping)
    if missing := missing_fields(mapping):
        raise JobError(missing_columns_message(missing))
    firm = Firm.objects.get(pk=run.firm_id)
    run.set_total(len(table.rows))
    plan = plan_import(firm=firm, table=table, mapping=mapping, on_progress=run.advance)
    run.save_summary(plan.counts())
    with firm_scope(firm):
        record_dry_run(firm=firm, upload=upload, job=run.job, plan=plan)


def import_clients(run: JobRun) -> None:
    upload = _the_import(run)
    table = _the_table(upload)
    mapping = mapping_from_json(upload.mapping)
    if missing := missing_fields(mapping):
        raise JobError(missing_columns_message(missing))
    firm = Firm.objects.get(pk=run.firm_id)
    by = User.objects.filter(pk=run.job.requested_by_id).first()
    run.set_total(len(table.rows))
    plan = import_rows(firm=firm, table=table, mapping=mapping, by=by, on_progress=run.advance)
    counts = plan.counts()
    run.save_result(
        name=REPORT_NAME,
        content=report_csv(plan, table),
        summary={
            "rows": len(plan.rows),
            "created": counts[CREATE],
            "updated": counts[UPDATE],
            "unchanged": counts[UNCHANGED],
            "rejected": counts[REJECT],
        },
    )


def _the_import(run: JobRun) -> ClientImport:
    with firm_scope(run.firm_id):
        upload = (
            ClientImport.objects.for_firm(run.firm_id)
            .filter(pk=run.params.get("import_id"))
            .first()
        )
    if upload is None:
        raise JobError("Ce fichier d'import n'existe plus : déposez-le de nouveau.")
    return upload


def _the_table(upload: ClientImport) -> Table:
    try:
        return stored_table(upload)
    except ImportFileError as error:
        raise JobError(str(error)) from error


def report_csv(plan: ImportPlan, table: Table) -> bytes:
    """Every row with its outcome, rejected rows first, then the file's own columns: the report
    can be corrected and imported again as it is (the rows already imported change nothing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    # The file's headers are cells like the others: a header may be a formula too.
    writer.writerow(
        ["Ligne", "Résultat", "Motifs du rejet", *map(neutralise_formula, table.headers)]
    )
    order = list(RESULT_LABELS)
    for row in sorted(plan.rows, key=lambda row: (order.index(row.action), row.line)):
        reasons = " ; ".join(f"{column} : {message}" for column, message in row.errors.items())
        cells = list(row.cells[: len(table.headers)])
        writer.writerow(
            [row.line, RESULT_LABELS[row.action], neutralise_formula(reasons)]
            + [neutralise_formula(cell) for cell in cells]
        )
    return buffer.getvalue().encode("utf-8-sig")
