"""Reading synthesis reports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client
from firms.models import Firm, Membership
from jobs.models import Job
from jobs.selectors import jobs_visible_to
from reports.jobs import JOB_KIND
from reports.models import SynthesisReport


def client_reports(firm: Firm | int, client: Client) -> QuerySet[SynthesisReport]:
    """The client's versions, the latest first, without their snapshots (a list needs none)."""
    return (
        SynthesisReport.objects.for_firm(firm)
        .filter(client=client)
        .select_related("author", "client")
        .defer("snapshot")
        .order_by("-number")
    )


def get_report_for_client(firm: Firm | int, client: Client, report_id: int) -> SynthesisReport:
    """One of the client's versions; another's (or another firm's) is a 404."""
    reports = SynthesisReport.objects.for_firm(firm).filter(client=client)
    return get_object_or_404(reports.select_related("client", "author"), pk=report_id)


def client_report_job(membership: Membership, client: Client, job_id: int | None) -> Job | None:
    """A reports job the member may follow that was started for this client alone."""
    if job_id is None:
        return None
    job = jobs_visible_to(membership).filter(pk=job_id, kind=JOB_KIND).first()
    if job is None or job.params.get("client_ids") != [client.pk]:
        return None
    return job
