"""Handing work to a real Redis that is stopped, or that accepts connections and never answers:
the request answers at once, the rows stay pending in the database, and the sweepers hand them
over once the broker is back (checked in the broker's own queue)."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from firms.tenancy import firm_scope
from jobs import broker
from jobs.models import Job
from jobs.services import REDISPATCH_AFTER, Sweep, start_job, sweep_stalled_jobs
from outbox.models import OutboxMessage
from outbox.services import enqueue_email, sweep_outbox
from tests.faults.servers import RedisServer, celery_broker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KIND = "portfolio_export"


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    with celery_broker(server.url):
        yield server
    server.stop()


def reload(job: Job) -> Job:
    with firm_scope(job.firm_id):
        job.refresh_from_db()
    return job


def failed_job(cast) -> Job:
    with firm_scope(cast.firm):
        return Job.objects.create(
            firm=cast.firm,
            kind=KIND,
            requested_by=cast.supervisor.user,
            status=Job.Status.FAILED,
            attempts=1,
            error="Erreur inattendue : l'équipe technique est prévenue.",
        )


def test_relancer_with_redis_stopped_answers_at_once_and_the_sweeper_hands_the_job_over(
    client, firm_a, redis_server
):
    job = failed_job(firm_a)
    client.force_login(firm_a.supervisor.user)
    redis_server.stop()

    started = time.monotonic()
    response = client.post(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/relancer/")
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"the request took {elapsed:.2f} s"
    job = reload(job)
    assert job.status == Job.Status.PENDING and job.enqueued_at is not None

    # A second request meanwhile does not even try the broker.
    started = time.monotonic()
    with firm_scope(firm_a.firm):
        second = start_job(firm=firm_a.firm, kind=KIND, requested_by=firm_a.supervisor.user)
    assert time.monotonic() - started < 0.5

    redis_server.start()
    assert redis_server.queue_length() == 0
    # Not before the delay: the tasks might still be on their way.
    assert sweep_stalled_jobs() == Sweep()
    later = timezone.now() + REDISPATCH_AFTER + timedelta(seconds=1)
    # The broker failed a moment ago in this process: the sweep hands them over (and counts
    # them) but does not try the broker yet; the next one, a delay later, does.
    assert sweep_stalled_jobs(now=later) == Sweep(redispatched=2)
    assert redis_server.queue_length() == 0
    broker.reset_broker_state()  # ...30 s later
    assert sweep_stalled_jobs(now=later + timedelta(seconds=30)) == Sweep()  # once per delay
    much_later = later + REDISPATCH_AFTER * 2  # then after as long as they have waited
    assert sweep_stalled_jobs(now=much_later) == Sweep(redispatched=2)
    assert redis_server.queue_length() == 2
    assert {reload(job).status, reload(second).status} == {Job.Status.PENDING}


def test_a_job_started_on_a_broker_that_never_answers_is_given_up_on_in_time(firm_a, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the kernel accepts connections; nothing ever answers
    try:
        url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        with celery_broker(url), firm_scope(firm_a.firm):
            started = time.monotonic()
            job = start_job(firm=firm_a.firm, kind=KIND, requested_by=firm_a.supervisor.user)
            elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert elapsed < settings.BROKER_PUBLISH_TIMEOUT + 1, f"took {elapsed:.2f} s"
    assert reload(job).status == Job.Status.PENDING


def test_with_redis_up_a_job_reaches_the_queue_once_and_a_claimed_one_is_never_redispatched(
    firm_a, redis_server
):
    with firm_scope(firm_a.firm):
        job = start_job(firm=firm_a.firm, kind=KIND, requested_by=firm_a.supervisor.user)
        running = start_job(firm=firm_a.firm, kind=KIND, requested_by=firm_a.supervisor.user)
        cancelled = start_job(firm=firm_a.firm, kind=KIND, requested_by=firm_a.supervisor.user)
        Job.objects.for_firm(firm_a.firm).filter(pk=running.pk).update(
            status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
        )
        Job.objects.for_firm(firm_a.firm).filter(pk=cancelled.pk).update(
            status=Job.Status.CANCELLED
        )
    assert redis_server.queue_length() == 3
    # The queue is lost (a restart without persistence): only the job still waiting goes back.
    redis_server.restart()
    later = timezone.now() + REDISPATCH_AFTER + timedelta(seconds=1)
    sweep = sweep_stalled_jobs(now=later, stalled_after=timedelta(hours=1))
    assert sweep == Sweep(redispatched=1)
    assert redis_server.queue_length() == 1
    assert reload(job).enqueued_at == later


def test_an_email_written_with_redis_stopped_waits_then_reaches_the_queue(firm_a, redis_server):
    redis_server.stop()
    started = time.monotonic()
    with firm_scope(firm_a.firm), transaction.atomic():
        message = enqueue_email(
            firm=firm_a.firm,
            kind="invoice",
            to=["compta@durand-fils.test"],
            subject="Facture",
            text_body="Bonjour",
            html_body="",
        )
    assert time.monotonic() - started < 2
    redis_server.start()
    broker.reset_broker_state()
    assert sweep_outbox().redispatched == 0  # too early
    sweep = sweep_outbox(redispatch_after=timedelta(seconds=0), now=timezone.now())
    assert sweep.redispatched == 1
    assert redis_server.queue_length() == 1
    with firm_scope(firm_a.firm):
        message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED
