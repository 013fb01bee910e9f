"""How long an uploaded client file is kept: ``CLIENT_IMPORT_RETENTION_DAYS`` after the import's
last step (upload, dry run, or the end of the import job), which covers both an import that
ended and one abandoned half-way. Then the file is deleted from storage; the ``ClientImport``
row stays, with its columns, dry run and the import job's report, for the history.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clients.models import ClientImport
from firms.models import Firm
from firms.tenancy import firm_scope

logger = logging.getLogger(__name__)


def imports_due_for_purge(firm: Firm, *, before: datetime) -> QuerySet[ClientImport]:
    """The firm's imports that still keep a file and saw nothing happen since ``before``."""
    created = F("created_at")
    last_step = Greatest(
        created,
        Coalesce(F("dry_run_job__created_at"), created),
        Coalesce(F("job__finished_at"), F("job__created_at"), created),
    )
    return (
        ClientImport.objects.for_firm(firm)
        .filter(file_purged_at__isnull=True)
        .alias(last_step=last_step)
        .filter(last_step__lt=before)
    )


def purge_import_files(*, days: int | None = None, now: datetime | None = None) -> int:
    """Delete the files of every firm's imports left alone for ``days`` (by default the
    setting); returns how many were deleted. Each import is claimed with a conditional update
    and its file deleted in the same transaction: a failure leaves it for the next run."""
    days = settings.CLIENT_IMPORT_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    before = now - timedelta(days=days)
    purged = 0
    for firm in Firm.objects.order_by("pk"):
        with firm_scope(firm):
            due = list(imports_due_for_purge(firm, before=before).only("pk", "file"))
        for upload in due:
            try:
                # One transaction on every database (firm_scope opens none on SQLite).
                with firm_scope(firm), transaction.atomic():
                    claimed = (
                        ClientImport.objects.for_firm(firm)
                        .filter(pk=upload.pk, file_purged_at__isnull=True)
                        .update(file="", file_purged_at=now)
                    )
                    if claimed and upload.file:
                        upload.file.delete(save=False)
            except Exception:
                logger.exception("could not purge the file of client import %s", upload.pk)
                continue
            purged += claimed
    return purged
