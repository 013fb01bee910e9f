from celery import shared_task

from jobs.services import execute_job


@shared_task(name="jobs.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(firm_id: int, job_id: int) -> None:
    execute_job(firm_id=firm_id, job_id=job_id)
