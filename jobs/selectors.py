from __future__ import annotations

from django.shortcuts import get_object_or_404

from firms.models import Membership
from jobs.models import Job


def jobs_visible_to(membership: Membership):
    """Supervisors and administrators follow every job of the firm; others their own."""
    jobs = Job.objects.for_firm(membership.firm_id)
    if not membership.sees_whole_firm:
        jobs = jobs.filter(requested_by_id=membership.user_id)
    return jobs


def get_job_for_membership(membership: Membership, job_id: int) -> Job:
    return get_object_or_404(jobs_visible_to(membership), pk=job_id)
