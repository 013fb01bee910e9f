"""Generating synthesis reports: a new numbered version per client, its snapshot, its PDF and its
SHA-256, recorded in the client's history; and the archive of several reports.

A version is never changed nor deleted (see ``reports.models``): generating again makes the next
number. Numbers follow each other per client under concurrency: the client's row is locked
(``SELECT … FOR UPDATE`` on PostgreSQL) while the next number is taken and the version written,
and the unique constraint (firm, client, number) is the last word.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from clients import history
from clients.formulas import neutralise_formula
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from reports.document import report_pdf
from reports.models import SynthesisReport
from reports.snapshot import build_snapshot

HISTORY_SUBJECT = "report"


class ReportRefused(Exception):
    """A report that cannot be generated, with the reason in French."""


@dataclass(frozen=True)
class Stationery:
    """What every report of a firm shares, read once for a batch: its logo."""

    logo: bytes


def firm_stationery(firm: Firm) -> Stationery:
    logo = b""
    if firm.logo:
        with firm.logo.open("rb") as stored:
            logo = stored.read()
    return Stationery(logo=logo)


def generate_report(
    *,
    firm: Firm,
    client: Client,
    by: User | None,
    job_id: int | None = None,
    stationery: Stationery | None = None,
) -> SynthesisReport:
    """A new version of the client's synthesis report: the next number, the snapshot of what is
    known now, its PDF (``pdf.PdfRenderError`` when it cannot be rendered) and the history entry.
    Refused (``ReportRefused``) for an archived client. Call inside the firm's scope."""
    if client.status != Client.Status.ACTIVE:
        raise ReportRefused("Client archivé : restaurez-le pour générer un rapport.")
    stationery = stationery or firm_stationery(firm)
    try:
        return _write_version(firm, client, by, job_id, stationery)
    except IntegrityError:
        # Another writer took the number in between (SQLite has no row lock): once more.
        return _write_version(firm, client, by, job_id, stationery)


def _write_version(
    firm: Firm, client: Client, by: User | None, job_id: int | None, stationery: Stationery
) -> SynthesisReport:
    with transaction.atomic():
        clients = Client.objects.for_firm(firm).filter(pk=client.pk)
        clients.select_for_update().values_list("pk", flat=True).get()
        client = clients.select_related("assigned_to").get()
        taken = SynthesisReport.objects.for_firm(firm).filter(client=client)
        number = (taken.aggregate(last=Max("number"))["last"] or 0) + 1
        now = timezone.now()
        snapshot = build_snapshot(
            firm=firm, client=client, number=number, author=by, logo=stationery.logo, now=now
        )
        content = report_pdf(snapshot, logo=stationery.logo)
        report = SynthesisReport(
            firm=firm,
            client=client,
            number=number,
            created_at=now,
            author=by,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            snapshot=snapshot,
            job_id=job_id,
        )
        report.document.save(
            f"{client.siren}-rapport-{number}.pdf", ContentFile(content), save=False
        )
        try:
            report.save()
            history.record(
                client=client,
                actor=by,
                action=HistoryEntry.Action.CREATED,
                subject=HISTORY_SUBJECT,
                summary=f"Rapport de synthèse n° {number} généré (SHA-256 {report.short_sha256}…)",
            )
        except Exception:
            # A version that is not written leaves no file behind.
            report.document.storage.delete(report.document.name)
            raise
    return report


# --- Several reports at once -------------------------------------------------------------------


def report_archive(reports: Iterable[SynthesisReport]) -> bytes:
    """A ZIP of the reports' PDFs (``<SIREN>-<name>-rapport-<n>.pdf``) and ``registre.csv``,
    the list of them with their SHA-256, for the firm's records. ``reports`` come with their
    client (select_related)."""
    buffer = io.BytesIO()
    register = io.StringIO()
    writer = csv.writer(register, delimiter=";")
    writer.writerow(["Fichier", "Raison sociale", "SIREN", "Rapport n°", "Généré le", "SHA-256"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            client = report.client
            name = f"{client.siren}-{slugify(client.company_name)[:40]}-rapport-{report.number}.pdf"
            with report.document.open("rb") as stored:
                archive.writestr(name, stored.read())
            writer.writerow(
                [
                    name,
                    neutralise_formula(client.company_name),
                    client.siren,
                    report.number,
                    timezone.localtime(report.created_at).strftime("%d/%m/%Y %H:%M"),
                    report.sha256,
                ]
            )
        # Excel opens a UTF-8 file with a byte order mark as UTF-8.
        archive.writestr("registre.csv", "\ufeff" + register.getvalue())
    return buffer.getvalue()
