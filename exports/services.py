"""The full portfolio export: started as a background job from a client list, the portfolio's
bulk bar, the API or the command line; written as Excel or CSV; its file deleted after the
firm's delay."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from exports.columns import build_columns
from exports.models import DEFAULT_RETENTION_DAYS, ExportSettings
from exports.reading import Source, chosen_clients, chosen_ids, read_rows
from exports.writers import WRITERS
from firms.models import Firm, Membership, Role, User
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import delete_result_file, start_job

logger = logging.getLogger(__name__)

EXPORT_JOB_KIND = "portfolio_export"
# The client list's CSV export that this one replaced: its files are purged the same way.
RETIRED_JOB_KINDS = ("clients_csv_export",)
FORMATS = {"xlsx": "Excel (.xlsx)", "csv": "CSV (Excel français)"}
DEFAULT_FORMAT = "xlsx"
# A list's query string is kept with the job: past this length it is no list's.
MAX_QUERYSTRING = 2000


def export_settings(firm: Firm | int) -> ExportSettings:
    """The firm's settings, created with the defaults the first time they are needed."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    found = ExportSettings.objects.for_firm(firm_id).first()
    if found is None:
        found, _ = ExportSettings.objects.for_firm(firm_id).get_or_create(firm_id=firm_id)
    return found


def retention_days(firm: Firm | int) -> int:
    """The firm's delay, without writing its settings row."""
    days = ExportSettings.objects.for_firm(firm).values_list("retention_days", flat=True).first()
    return days or DEFAULT_RETENTION_DAYS


def start_export(
    *,
    firm: Firm,
    user: User,
    export_format: str = DEFAULT_FORMAT,
    source: str,
    querystring: str = "",
    client_ids: Sequence[int] = (),
) -> Job:
    """Queue the export of the clients a list shows under its filter (``querystring``, the
    list's URL parameters) or of chosen clients (``client_ids``)."""
    if export_format not in FORMATS:
        raise ValidationError("Format d'export inconnu : choisissez xlsx ou csv.")
    if source not in Source.ALL:
        raise ValidationError("Origine d'export inconnue.")
    params: dict = {"format": export_format, "source": source}
    if source == Source.SELECTION:
        params["client_ids"] = list(client_ids)
    else:
        # Kept as JSON with the job: PostgreSQL's jsonb refuses NUL characters, no filter has one.
        params["querystring"] = querystring.replace("\x00", "")[:MAX_QUERYSTRING]
    return start_job(firm=firm, kind=EXPORT_JOB_KIND, requested_by=user, params=params)


def firm_wide_membership(firm: Firm) -> Membership:
    """Who the command line exports as: the whole firm, as an administrator sees it."""
    return Membership(firm=firm, role=Role.ADMIN)


def export_client_ids(membership: Membership, params: dict) -> list[int]:
    """The ids of the clients an export's parameters choose, in the order of its list."""
    source = params.get("source", Source.CLIENT_LIST)
    if source not in Source.ALL:
        source = Source.CLIENT_LIST
    querystring = params.get("querystring", "")
    client_ids = params.get("client_ids") or []
    with firm_scope(membership.firm_id):
        clients = chosen_clients(
            membership,
            source=source,
            querystring=querystring if isinstance(querystring, str) else "",
            client_ids=client_ids if isinstance(client_ids, list) else [],
        )
        return chosen_ids(clients)


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes
    rows: int


def export_file_name(export_format: str, *, now: datetime | None = None) -> str:
    return f"portefeuille-{timezone.localtime(now):%Y%m%d-%H%M}.{export_format}"


def write_export(
    firm_id: int,
    client_ids: Sequence[int],
    *,
    export_format: str = DEFAULT_FORMAT,
    on_chunk: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> ExportFile:
    """The file of the given clients: read by chunks (``on_chunk`` is told each chunk's size,
    the progress) and written row by row."""
    with translation.override("fr"):
        columns = build_columns()

    def rows() -> Iterator[dict]:
        for rows_of_chunk in read_rows(firm_id, client_ids, chunk=chunk):
            yield from rows_of_chunk
            if on_chunk is not None:
                on_chunk(len(rows_of_chunk))

    content = WRITERS[export_format](columns, rows())
    return ExportFile(name=export_file_name(export_format), content=content, rows=len(client_ids))


def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete the files of the exports finished longer ago than their firm's delay; the jobs
    stay listed, saying the file expired. Returns how many files were deleted."""
    now = now or timezone.now()
    deleted = 0
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        with firm_scope(firm_id):
            before = now - timedelta(days=retention_days(firm_id))
            due = list(
                Job.objects.for_firm(firm_id)
                .filter(
                    kind__in=(EXPORT_JOB_KIND, *RETIRED_JOB_KINDS),
                    status=Job.Status.SUCCEEDED,
                    finished_at__lt=before,
                )
                .exclude(result_file="")
            )
        for job in due:
            try:
                deleted += delete_result_file(job=job, now=now)
            except Exception:
                logger.exception("could not delete the file of export job %s", job.pk)
    return deleted
