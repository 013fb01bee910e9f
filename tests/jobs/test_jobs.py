"""The background job mechanism, end to end with the real worker and broker."""

from __future__ import annotations

import time

import pytest

from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job, start_job
from tests import factories


def _wait_for(job: Job, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with firm_scope(job.firm_id):
            job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {timeout} s")


@pytest.mark.worker
def test_an_export_runs_in_the_worker_and_its_file_downloads(client, celery_worker, firm_a):
    for name in ("Boulangerie Martin", '=HYPERLINK("http://x")'):
        factories.make_client(firm_a.firm, company_name=name)
    client.force_login(firm_a.supervisor.user)
    response = client.post(f"/f/{firm_a.firm.slug}/clients/export/", {"format": "csv"})
    assert response.status_code == 302
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get(pk=job_id)
    job = _wait_for(job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.progress, job.total, job.attempts) == (2, 2, 1)

    progress = client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "Télécharger portefeuille-" in progress.content.decode()
    assert b"hx-trigger" not in progress.content  # finished: polling stops

    download = client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/fichier/")
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Boulangerie Martin" in content
    assert "'=HYPERLINK" in content  # formula neutralised


def test_a_running_job_polls_and_shows_its_progress(client, firm_a):
    with firm_scope(firm_a.firm):
        job = Job.objects.create(
            firm=firm_a.firm,
            kind="portfolio_export",
            requested_by=firm_a.supervisor.user,
            status=Job.Status.RUNNING,
            progress=7500,
            total=10000,
        )
    client.force_login(firm_a.supervisor.user)
    page = client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in page.content
    assert b'aria-valuenow="75"' in page.content
    assert "7\xa0500 / 10\xa0000" in page.content.decode()  # French thousands


def test_a_collaborator_follows_only_the_jobs_they_requested(client, firm_a):
    with firm_scope(firm_a.firm):
        job = Job.objects.create(
            firm=firm_a.firm, kind="portfolio_export", requested_by=firm_a.supervisor.user
        )
    client.force_login(firm_a.collaborator.user)
    assert client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivery_of_a_finished_job_does_nothing(
    firm_a, django_capture_on_commit_callbacks
):
    factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        job = Job.objects.create(
            firm=firm_a.firm, kind="portfolio_export", requested_by=firm_a.admin.user
        )
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    with firm_scope(firm_a.firm):
        job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 1)


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_message_of_a_running_job_does_nothing(firm_a):
    """A running job belongs to its run; if that run died, the sweeper decides what follows."""
    factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        # As left by a worker killed mid-way: claimed, half done.
        job = Job.objects.create(
            firm=firm_a.firm,
            kind="portfolio_export",
            requested_by=firm_a.admin.user,
            status=Job.Status.RUNNING,
            attempts=1,
            progress=0,
            total=1,
        )
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    with firm_scope(firm_a.firm):
        job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (Job.Status.RUNNING, 1, 0)
    assert not job.result_file


def test_start_job_enqueues_only_after_commit(firm_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, firm_scope(firm_a.firm):
        start_job(firm=firm_a.firm, kind="portfolio_export", requested_by=firm_a.admin.user)
    assert len(callbacks) == 1


def test_the_empty_list_draws_its_icon_rather_than_relying_on_a_font(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    page = client.get(f"/f/{firm_a.firm.slug}/travaux/").content.decode()
    assert "Aucun travail" in page
    assert '<div class="empty__icon"><svg' in page and "⏱" not in page
