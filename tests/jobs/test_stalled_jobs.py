"""Jobs whose worker died: the sweeper requeues them once (idempotent kinds) or fails them with a
message; a run that only looked dead loses its job and stops. End to end: a real worker process
killed in the middle of a client import, then the sweeper, then another worker finishing it."""

from __future__ import annotations

import html
import io
import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from clients.importing import services as imports
from clients.importing.planning import CHUNK_SIZE
from clients.models import Client, ClientImport, HistoryEntry
from firms.tenancy import firm_scope
from jobs import registry
from jobs.models import Job
from jobs.progress import JobRun, JobStopped
from jobs.registry import JobKind
from jobs.services import (
    REDISPATCH_AFTER,
    REDISPATCH_LONGEST,
    STALLED_NOT_RESUMABLE,
    STALLED_TWICE,
    STOPPED_BEFORE_CANCEL,
    Sweep,
    _end_stalled_run,
    execute_job,
    redispatch_due,
    start_job,
    sweep_stalled_jobs,
)
from jobs.tasks import run_job, sweep_jobs
from tests import factories
from tests.services import celery_worker_command


def stale_job(cast, *, minutes: float, kind: str = "portfolio_export", **fields) -> Job:
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
        "Travaux interrompus remis en file : 1 · en échec : 0 · annulés : 0 · en attente "
        "renvoyés : 0.\n"
    )
    schedule = settings.CELERY_BEAT_SCHEDULE["stalled-jobs-sweep"]
    assert (schedule["task"], schedule["schedule"]) == ("jobs.sweep_stalled_jobs", 60.0)
    assert sweep_jobs() == {"requeued": 0, "failed": 0, "cancelled": 0, "redispatched": 0}


# A real worker killed mid-job ---------------------------------------------------------------

KILLED_QUEUE = "tests-killed-worker"


def start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    """A worker process of our own, on its own queue, so that killing it harms no other test."""
    log = log_path.open("w")
    process = subprocess.Popen(
        celery_worker_command(hostname="killed", queue=queue),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    log.close()
    return process


def wait_for_worker(process: subprocess.Popen, log_path: Path) -> None:
    wait_until(lambda: " ready." in log_path.read_text() or process.poll() is not None, 60)
    assert process.poll() is None, log_path.read_text()


@pytest.fixture
def killable_worker(celery_worker, tmp_path):
    """A worker process on a queue of its own, started now and ready when waited for; killed at
    the end if the test did not kill it."""
    log_path = tmp_path / "killed-worker.log"
    process = start_worker(KILLED_QUEUE, log_path)
    yield process, log_path
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def wait_until(condition, timeout: float = 60, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout} s"
        time.sleep(step)


def portfolio_csv(rows: int) -> bytes:
    lines = ["Raison sociale;SIREN;Ville"]
    lines += [f"Société {n};{factories.valid_siren(300_000 + n)};Lyon" for n in range(rows)]
    return "\n".join(lines).encode()


@pytest.mark.worker
def test_a_client_import_whose_worker_is_killed_is_requeued_and_finished(
    killable_worker, firm_a, monkeypatch
):
    rows = 3 * CHUNK_SIZE  # three chunks: killed after the first
    firm, by = firm_a.firm, firm_a.supervisor.user
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(run_job, "apply_async", lambda args, **options: sent.append(args))
    with firm_scope(firm):
        upload = imports.create_import(
            firm=firm, by=by, filename="portefeuille.csv", content=portfolio_csv(rows)
        )
    execute_job(firm_id=firm.pk, job_id=upload.read_job_id)  # read here: only the import matters
    with firm_scope(firm):
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(
            status=ClientImport.Status.CHECKED
        )
        upload.refresh_from_db()
        job = imports.start_import(firm=firm, upload=upload, by=by)
    monkeypatch.undo()
    assert sent[-1] == (firm.pk, job.pk)

    worker, log_path = killable_worker  # booted while the import was prepared
    wait_for_worker(worker, log_path)
    run_job.apply_async((firm.pk, job.pk), queue=KILLED_QUEUE)
    wait_until(lambda: reload(job).progress >= CHUNK_SIZE)  # a chunk or more written
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(timeout=10) == -signal.SIGKILL
    job = reload(job)
    assert job.status == Job.Status.RUNNING and CHUNK_SIZE <= job.progress < rows
    with firm_scope(firm):
        written = Client.objects.for_firm(firm).count()
    assert CHUNK_SIZE <= written < rows

    # Nothing moves any more; the sweeper's time for an import passes (heartbeat set back).
    with firm_scope(firm):
        Job.objects.for_firm(firm).filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(hours=1)
        )
    out = io.StringIO()
    call_command("sweep_jobs", stdout=out)
    assert "remis en file : 1" in out.getvalue()
    assert reload(job).status in (Job.Status.INTERRUPTED, Job.Status.RUNNING, "succeeded")

    # The requeued job goes to the session's worker, which redoes it from the start.
    wait_until(lambda: reload(job).is_finished, timeout=120, step=0.2)
    job = reload(job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.attempts, job.interruptions, job.progress, job.total) == (2, 1, rows, rows)
    assert job.summary["created"] + job.summary["unchanged"] == rows
    assert job.summary["unchanged"] >= written and job.summary["rejected"] == 0
    with firm_scope(firm):
        sirens = list(Client.objects.for_firm(firm).values_list("siren", flat=True))
        created = HistoryEntry.objects.for_firm(firm).filter(action=HistoryEntry.Action.IMPORTED)
        assert created.count() == rows  # one entry per client: nothing written twice
    assert len(sirens) == len(set(sirens)) == rows


# Queued jobs whose task never reached a worker ------------------------------------------------

T0 = timezone.now()
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("queued", "handed_over", "now", "due"),
    [
        (T0, T0, T0 + 1 * MIN, False),  # a task just published
        (T0, T0, T0 + 2 * MIN, True),  # two minutes without a claim: lost, or waiting
        (T0, T0 + 2 * MIN, T0 + 3 * MIN, False),  # handed over again a minute ago
        (T0, T0 + 2 * MIN, T0 + 4 * MIN, True),  # then as long as it has waited
        (T0, T0 + 4 * MIN, T0 + 7 * MIN, False),
        (T0, T0 + 4 * MIN, T0 + 8 * MIN, True),
        (T0, T0 + 60 * MIN, T0 + 75 * MIN, True),  # never longer than 15 minutes
        (T0, T0 + 60 * MIN, T0 + 74 * MIN, False),
    ],
)
def test_a_queued_job_is_handed_over_again_less_and_less_often(queued, handed_over, now, due):
    assert (
        redispatch_due(
            now=now,
            queued_at=queued,
            enqueued_at=handed_over,
            after=REDISPATCH_AFTER,
            longest=REDISPATCH_LONGEST,
        )
        is due
    )


def test_the_sweeper_hands_over_only_queued_jobs_due_for_it(
    firm_a, django_capture_on_commit_callbacks
):
    with firm_scope(firm_a.firm):
        lost = start_job(firm=firm_a.firm, kind="portfolio_export", requested_by=None)
        recent = start_job(firm=firm_a.firm, kind="portfolio_export", requested_by=None)
        claimed = start_job(firm=firm_a.firm, kind="portfolio_export", requested_by=None)
        now = timezone.now()
        jobs = Job.objects.for_firm(firm_a.firm)
        jobs.filter(pk=lost.pk).update(
            status=Job.Status.INTERRUPTED, queued_at=now - 3 * MIN, enqueued_at=now - 3 * MIN
        )
        jobs.filter(pk=claimed.pk).update(
            status=Job.Status.RUNNING, enqueued_at=now - 3 * MIN, heartbeat_at=now
        )
    with django_capture_on_commit_callbacks() as published:
        assert sweep_stalled_jobs(now=now) == Sweep(redispatched=1)
    assert len(published) == 1
    assert reload(lost).enqueued_at == now and reload(recent).enqueued_at < now
    assert sweep_stalled_jobs(now=now + MIN) == Sweep()
