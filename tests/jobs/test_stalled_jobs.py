"""Jobs whose worker died: the sweeper requeues them once (idempotent kinds) or fails them with a
message; a run that only looked dead loses its job and stops."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from firms.tenancy import firm_scope
from jobs import registry
from jobs.models import Job
from jobs.progress import JobRun, JobStopped
from jobs.registry import JobKind
from jobs.services import (
    STALLED_NOT_RESUMABLE,
    STALLED_TWICE,
    STOPPED_BEFORE_CANCEL,
    Sweep,
    _end_stalled_run,
    execute_job,
    sweep_stalled_jobs,
)
from jobs.tasks import sweep_jobs
from tests import factories


def stale_job(cast, *, minutes: float, kind: str = "clients_csv_export", **fields) -> Job:
    """A job claimed by a run whose last sign of life was ``minutes`` ago."""
    fields.setdefault("heartbeat_at", timezone.now() - timedelta(minutes=minutes))
    with firm_scope(cast.firm):
        return Job.objects.create(
            firm=cast.firm,
            kind=kind,
            requested_by=cast.supervisor.user,
            status=Job.Status.RUNNING,
            attempts=1,
            **fields,
        )


def reload(job: Job) -> Job:
    with firm_scope(job.firm_id):
        job.refresh_from_db()
    return job


@pytest.fixture
def fragile_kind(monkeypatch):
    """A kind that must not run twice (not declared idempotent)."""
    kind = JobKind(name="fragile", label="Envoi fragile", run=lambda run: None)
    monkeypatch.setitem(registry._kinds, "fragile", kind)
    return kind


def test_a_stalled_run_of_an_idempotent_kind_is_requeued_once(
    firm_a, django_capture_on_commit_callbacks
):
    factories.make_client(firm_a.firm)
    job = stale_job(firm_a, minutes=3, progress=0, total=1)  # the export's time is 2 minutes
    with django_capture_on_commit_callbacks() as enqueued:
        assert sweep_stalled_jobs() == Sweep(requeued=1)
    assert len(enqueued) == 1
    job = reload(job)
    assert (job.status, job.interruptions, job.is_finished) == ("interrupted", 1, False)
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=30)

    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)  # the requeued message, delivered
    job = reload(job)
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, "")
    assert job.result_file


def test_a_run_stalled_a_second_time_is_failed_with_a_message(client, firm_a):
    job = stale_job(firm_a, minutes=3, interruptions=1)
    assert sweep_stalled_jobs() == Sweep(failed=1)
    job = reload(job)
    assert (job.status, job.error) == (Job.Status.FAILED, STALLED_TWICE)
    client.force_login(firm_a.supervisor.user)
    page = html.unescape(client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/").content.decode())
    assert STALLED_TWICE in page and f"/travaux/{job.pk}/relancer/" in page


def test_a_stalled_run_of_a_kind_not_idempotent_is_failed_not_rerun(
    firm_a, fragile_kind, django_capture_on_commit_callbacks
):
    job = stale_job(firm_a, minutes=11, kind="fragile")
    with django_capture_on_commit_callbacks() as enqueued:
        assert sweep_stalled_jobs() == Sweep(failed=1)
    assert enqueued == []
    assert (reload(job).status, reload(job).error) == (Job.Status.FAILED, STALLED_NOT_RESUMABLE)
    assert "relancez-le si besoin" in STALLED_NOT_RESUMABLE


def test_each_kind_has_its_own_time_and_a_recent_heartbeat_is_left_alone(firm_a, fragile_kind):
    export_alive = stale_job(firm_a, minutes=1)  # the export's time: 2 minutes
    fragile_alive = stale_job(firm_a, minutes=5, kind="fragile")  # the default: 10 minutes
    claimed_before = stale_job(firm_a, minutes=0, heartbeat_at=None)  # as before migration
    with firm_scope(firm_a.firm):
        Job.objects.for_firm(firm_a.firm).filter(pk=claimed_before.pk).update(
            started_at=timezone.now()
        )
    assert sweep_stalled_jobs() == Sweep()
    assert {reload(job).status for job in (export_alive, fragile_alive, claimed_before)} == {
        Job.Status.RUNNING
    }
    assert sweep_stalled_jobs(now=timezone.now() + timedelta(minutes=11)) == Sweep(
        requeued=2, failed=1
    )


def test_a_stalled_run_whose_cancellation_was_asked_ends_cancelled(firm_a):
    job = stale_job(firm_a, minutes=3, cancel_requested_at=timezone.now())
    assert sweep_stalled_jobs() == Sweep(cancelled=1)
    assert (reload(job).status, reload(job).error) == (Job.Status.CANCELLED, STOPPED_BEFORE_CANCEL)


def test_a_run_that_only_looked_dead_loses_its_job_and_stops(
    firm_a, django_capture_on_commit_callbacks
):
    job = stale_job(firm_a, minutes=3, total=10)
    slow_run = JobRun(reload(job))
    with django_capture_on_commit_callbacks():
        sweep_stalled_jobs()
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)  # another worker redoes it
    assert (reload(job).status, reload(job).attempts) == (Job.Status.SUCCEEDED, 2)
    with pytest.raises(JobStopped):
        slow_run.advance(1)  # the first run wakes up: nothing of it is recorded
    assert reload(job).status == Job.Status.SUCCEEDED


def test_the_sweeper_acts_only_on_the_run_it_saw(firm_a):
    job = stale_job(firm_a, minutes=3, total=10)
    seen = reload(job)
    JobRun(reload(job)).advance(1)  # the run moves between the sweeper's read and its update
    assert _end_stalled_run(seen, idempotent=True, now=timezone.now()) == ""
    assert (reload(job).status, reload(job).progress) == (Job.Status.RUNNING, 1)


def test_the_command_and_the_beat_schedule_run_the_sweep(
    firm_a, django_capture_on_commit_callbacks
):
    stale_job(firm_a, minutes=3)
    out = io.StringIO()
    with django_capture_on_commit_callbacks():
        call_command("sweep_jobs", stdout=out)
    assert out.getvalue() == (
        "Travaux interrompus remis en file : 1 · en échec : 0 · annulés : 0.\n"
    )
    schedule = settings.CELERY_BEAT_SCHEDULE["stalled-jobs-sweep"]
    assert (schedule["task"], schedule["schedule"]) == ("jobs.sweep_stalled_jobs", 60.0)
    assert sweep_jobs() == {"requeued": 0, "failed": 0, "cancelled": 0}
