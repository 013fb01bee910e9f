from dataclasses import asdict

from celery import current_task, shared_task

from jobs.health import record_heartbeat
from jobs.services import execute_job, sweep_stalled_jobs


@shared_task(name="jobs.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(firm_id: int, job_id: int) -> None:
    execute_job(firm_id=firm_id, job_id=job_id)


@shared_task(name="jobs.sweep_stalled_jobs", acks_late=True)
def sweep_jobs() -> dict[str, int]:
    """Every minute (beat): requeue or fail the running jobs whose worker died; hand over again
    the queued jobs whose task never reached a worker."""
    return asdict(sweep_stalled_jobs())


@shared_task(name="jobs.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Every 30 seconds (beat): the worker that runs it records that it consumes the queue."""
    record_heartbeat(current_task.request.hostname or "worker")
