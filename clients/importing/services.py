"""The steps of the import wizard that change something: keep the upload and launch its reading
job, record what it read, launch the dry run job and record what it found, launch the import job
once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients.importing.mapping import guess_mapping, mapping_to_json
from clients.importing.planning import ImportPlan
from clients.importing.reading import MAX_FILE_BYTES, ImportFileError, Table, read_table
from clients.models import ClientImport
from firms.models import Firm, User
from jobs.models import Job
from jobs.services import start_job

IMPORT_JOB_KIND = "clients_import"
DRY_RUN_JOB_KIND = "plan_client_import"
READ_JOB_KIND = "read_client_import"


def get_import_for_firm(firm: Firm, import_id: int) -> ClientImport:
    return get_object_or_404(ClientImport.objects.for_firm(firm), pk=import_id)


def create_import(*, firm: Firm, by: User, filename: str, content: bytes) -> ClientImport:
    """Keep an uploaded file that passed the quick checks (:func:`reading.check_file`) and
    launch the job that reads it: the request does constant work whatever the file holds. The
    stored name is random: the user's file name is only shown, never used as a path."""
    extension = PurePath(filename).suffix.lower()
    with transaction.atomic():
        upload = ClientImport.objects.create(
            firm=firm,
            file=ContentFile(content, name=f"clients-{uuid.uuid4().hex}{extension}"),
            original_name=filename[-200:],
            status=ClientImport.Status.READING,
            uploaded_by=by,
        )
        upload.read_job = start_job(
            firm=firm, kind=READ_JOB_KIND, requested_by=by, params={"import_id": upload.pk}
        )
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(read_job=upload.read_job)
    return upload


def record_reading(*, firm: Firm, upload: ClientImport, job: Job, table: Table) -> bool:
    """Keep what the reading job ``job`` found in the file (columns guessed from the headers),
    which moves the import on to the choice of columns. Call inside the firm's scope."""
    fields = {
        "description": table.description,
        "headers": table.headers,
        "samples": table.samples(),
        "row_count": len(table.rows),
        "mapping": mapping_to_json(guess_mapping(table.headers)),
    }
    recorded = (
        ClientImport.objects.for_firm(firm)
        .filter(pk=upload.pk, status=ClientImport.Status.READING, read_job=job)
        .update(status=ClientImport.Status.UPLOADED, **fields)
    )
    if recorded:
        upload.status = ClientImport.Status.UPLOADED
        for name, value in fields.items():
            setattr(upload, name, value)
    return bool(recorded)


def stored_table(upload: ClientImport) -> Table:
    """Read the kept file again (it was valid when uploaded; storage may have lost it since)."""
    if upload.is_purged:
        raise ImportFileError(purged_message(upload))
    try:
        with upload.file.open("rb") as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as error:
        raise ImportFileError(
            _("Le fichier déposé n'est plus disponible : déposez-le de nouveau.")
        ) from error
    return read_table(content, upload.original_name)


def purged_message(upload: ClientImport) -> str:
    deleted_on = date_format(timezone.localtime(upload.file_purged_at), "d/m/Y")
    return _(
        "Le fichier « %(name)s » a été supprimé le %(date)s, à la fin de sa durée de "
        "conservation : déposez-le de nouveau pour l'importer."
    ) % {"name": upload.original_name, "date": deleted_on}


def start_dry_run(
    *, firm: Firm, upload: ClientImport, mapping: Mapping[int, str], by: User
) -> Job | None:
    """Save the chosen columns and launch the dry run job, replacing the dry run of other
    columns (done or running). None when the file is not read yet, the import is already
    launched or its file purged."""
    with transaction.atomic():
        # The update locks the row until the commit: two submissions are launched one after the
        # other, and the later one's job is the one whose result counts.
        claimed = (
            ClientImport.objects.for_firm(firm)
            .filter(pk=upload.pk, file_purged_at__isnull=True)
            .exclude(status__in=[ClientImport.Status.READING, ClientImport.Status.STARTED])
            .update(
                status=ClientImport.Status.CHECKING,
                mapping=mapping_to_json(mapping),
                dry_run={},
            )
        )
        if not claimed:
            return None
        job = start_job(
            firm=firm, kind=DRY_RUN_JOB_KIND, requested_by=by, params={"import_id": upload.pk}
        )
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(dry_run_job=job)
    upload.status, upload.dry_run_job = ClientImport.Status.CHECKING, job
    upload.mapping, upload.dry_run = mapping_to_json(mapping), {}
    return job


def record_dry_run(*, firm: Firm, upload: ClientImport, job: Job, plan: ImportPlan) -> bool:
    """Keep the dry run made by ``job``, unless other columns were chosen since (a newer job
    runs then) or the import was launched. Call inside the firm's scope."""
    dry_run = plan.as_json()
    recorded = (
        ClientImport.objects.for_firm(firm)
        .filter(pk=upload.pk, status=ClientImport.Status.CHECKING, dry_run_job=job)
        .update(status=ClientImport.Status.CHECKED, dry_run=dry_run)
    )
    if recorded:
        upload.status, upload.dry_run = ClientImport.Status.CHECKED, dry_run
    return bool(recorded)


def start_import(*, firm: Firm, upload: ClientImport, by: User) -> Job | None:
    """Launch the import job of a checked upload, once: a second confirmation (double click,
    back button) finds the upload already claimed and gets None, as does a purged one."""
    with transaction.atomic():
        claimed = (
            ClientImport.objects.for_firm(firm)
            .filter(pk=upload.pk, status=ClientImport.Status.CHECKED, file_purged_at__isnull=True)
            .update(status=ClientImport.Status.STARTED)
        )
        if not claimed:
            return None
        job = start_job(
            firm=firm, kind=IMPORT_JOB_KIND, requested_by=by, params={"import_id": upload.pk}
        )
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(job=job)
    upload.status, upload.job = ClientImport.Status.STARTED, job
    return job
