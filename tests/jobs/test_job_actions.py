"""Relancer and Annuler: who may, what each does to a job in each state, and a running job that
stops at its next progress update."""

from __future__ import annotations

import html

import pytest

from clients.importing import services as imports
from clients.importing.planning import CHUNK_SIZE
from clients.models import Client, ClientImport
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.progress import JobRun, JobStopped
from jobs.services import cancel_job, execute_job, rerun_job
from jobs.tasks import run_job
from tests import factories
from tests.jobs.test_stalled_jobs import portfolio_csv, wait_until


def make_job(cast, *, by=None, **fields) -> Job:
    with firm_scope(cast.firm):
        return Job.objects.create(
            firm=cast.firm,
            kind="portfolio_export",
            requested_by=(by or cast.supervisor).user,
            **fields,
        )


def reload(job: Job) -> Job:
    with firm_scope(job.firm_id):
        job.refresh_from_db()
    return job


def url(job: Job, action: str = "") -> str:
    return f"/f/{job.firm.slug}/travaux/{job.pk}/{action}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_list_offers_relancer_and_annuler_where_they_apply(client, firm_a):
    failed = make_job(firm_a, status=Job.Status.FAILED, error="Erreur inattendue.")
    running = make_job(firm_a, status=Job.Status.RUNNING, progress=4, total=10)
    done = make_job(firm_a, status=Job.Status.SUCCEEDED)
    client.force_login(firm_a.supervisor.user)
    page = text(client.get(f"/f/{firm_a.firm.slug}/travaux/"))
    assert f'action="{url(failed, "relancer/")}"' in page
    assert f'action="{url(running, "annuler/")}"' in page
    assert "En cours · 40 %" in page
    for action in ("relancer/", "annuler/"):
        assert url(done, action) not in page
    assert url(failed, "annuler/") not in page and url(running, "relancer/") not in page


def test_a_pending_job_is_cancelled_at_once_and_never_runs(client, firm_a):
    job = make_job(firm_a)
    client.force_login(firm_a.supervisor.user)
    response = client.post(url(job, "annuler/"), {"next": f"/f/{firm_a.firm.slug}/travaux/"})
    assert response["Location"] == f"/f/{firm_a.firm.slug}/travaux/"
    job = reload(job)
    assert (job.status, job.error) == (
        Job.Status.CANCELLED,
        f"Annulé à la demande de {firm_a.supervisor.user.full_name}.",
    )
    assert job.finished_at and job.is_finished
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)  # its message arrives later
    assert (reload(job).status, reload(job).attempts) == (Job.Status.CANCELLED, 0)


def test_a_running_job_stops_at_its_next_progress_update(firm_a):
    job = make_job(firm_a, status=Job.Status.RUNNING, attempts=1, total=10)
    run = JobRun(reload(job))
    run.advance(3)
    assert cancel_job(firm=firm_a.firm, job=job, by=firm_a.admin.user)
    assert reload(job).status == Job.Status.RUNNING  # it is the run's to stop
    assert not cancel_job(firm=firm_a.firm, job=job, by=firm_a.admin.user)  # asked already
    with pytest.raises(JobStopped):
        run.advance(1)
    assert reload(job).progress == 3


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_export_ends_it_cancelled_and_relancer_redoes_it(firm_a, monkeypatch):
    for number in range(3):
        factories.make_client(firm_a.firm, company_name=f"Client {number}")
    monkeypatch.setattr("exports.reading.CHUNK", 1)
    job = make_job(firm_a)
    advance = JobRun.advance

    def then_cancel(run, steps=1):
        advance(run, steps)
        if run.job.progress == 1:  # someone clicks « Annuler » during the second chunk
            cancel_job(firm=firm_a.firm, job=run.job, by=firm_a.supervisor.user)

    monkeypatch.setattr(JobRun, "advance", then_cancel)
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    job = reload(job)
    assert (job.status, job.progress, job.result_file.name) == (Job.Status.CANCELLED, 1, "")
    assert job.error == f"Annulé à la demande de {firm_a.supervisor.user.full_name}."

    monkeypatch.setattr(JobRun, "advance", advance)
    enqueued = []  # committed data: the message would really be sent, to a worker maybe running
    monkeypatch.setattr(run_job, "apply_async", lambda args, **options: enqueued.append(args))
    assert rerun_job(firm=firm_a.firm, job=job, by=firm_a.supervisor.user)
    assert enqueued == [(firm_a.firm.pk, job.pk)]
    job = reload(job)
    assert (job.status, job.error, job.cancel_requested_at, job.progress) == (
        Job.Status.PENDING,
        "",
        None,
        0,
    )
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)  # as the worker would
    job = reload(job)
    assert (job.status, job.progress, job.total, job.attempts) == (Job.Status.SUCCEEDED, 3, 3, 2)
    assert job.result_file


def test_relancer_puts_a_failed_job_back_in_the_queue_once(
    client, firm_a, django_capture_on_commit_callbacks
):
    job = make_job(
        firm_a,
        status=Job.Status.FAILED,
        error="Erreur inattendue.",
        attempts=1,
        progress=2,
        total=5,
        params={"grid_version": 3},
    )
    client.force_login(firm_a.supervisor.user)
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(url(job, "relancer/"))
    assert response["Location"] == url(job)
    assert len(enqueued) == 1
    job = reload(job)
    assert (job.status, job.error, job.progress, job.total, job.finished_at) == (
        Job.Status.PENDING,
        "",
        0,
        0,
        None,
    )
    assert (job.params, job.requested_by) == ({"grid_version": 3}, firm_a.supervisor.user)
    with django_capture_on_commit_callbacks() as again:
        second = client.post(url(job, "relancer/"), follow=True)
    assert again == []
    assert "Ce travail n'est plus à relancer : il a déjà repris." in text(second)


def test_with_htmx_annuler_swaps_the_component_and_relancer_reloads_the_page(client, firm_a):
    job = make_job(firm_a, status=Job.Status.RUNNING, attempts=1, total=4)
    client.force_login(firm_a.supervisor.user)
    page = text(client.get(url(job)))
    assert f'hx-post="{url(job, "annuler/")}" hx-target="closest .job"' in page
    response = client.post(url(job, "annuler/"), HTTP_HX_REQUEST="true")
    shown = text(response)
    assert response.status_code == 200 and "<html" not in shown
    assert "Annulation en cours" in shown
    assert "Le travail s'arrête à sa prochaine étape." in shown
    assert url(job, "annuler/") not in shown  # asked once
    with firm_scope(job.firm_id):
        Job.objects.for_firm(job.firm_id).filter(pk=job.pk).update(status=Job.Status.CANCELLED)
    rerun = client.post(url(job, "relancer/"), HTTP_HX_REQUEST="true")
    # The page around the job (an import step) must poll again: htmx reloads it.
    assert (rerun.status_code, rerun["HX-Refresh"]) == (200, "true")
    assert reload(job).status == Job.Status.PENDING


def test_the_requester_may_act_on_their_job_and_other_collaborators_may_not(client, firm_a):
    mine = make_job(firm_a, by=firm_a.collaborator, status=Job.Status.FAILED)
    client.force_login(firm_a.collaborator.user)
    assert client.post(url(mine, "relancer/"))["Location"] == url(mine)
    assert reload(mine).status == Job.Status.PENDING
    client.force_login(firm_a.other_collaborator.user)
    assert client.post(url(mine, "annuler/")).status_code == 404
    assert reload(mine).status == Job.Status.PENDING
    client.force_login(firm_a.supervisor.user)  # supervisors act on every job of the firm
    assert client.post(url(mine, "annuler/")).status_code == 302
    assert reload(mine).status == Job.Status.CANCELLED


def test_the_actions_accept_only_post_and_only_a_local_next(client, firm_a):
    job = make_job(firm_a)
    client.force_login(firm_a.supervisor.user)
    assert client.get(url(job, "annuler/")).status_code == 405
    response = client.post(url(job, "annuler/"), {"next": "https://evil.example/"})
    assert response["Location"] == url(job)


@pytest.mark.worker
def test_annuler_stops_an_import_in_the_worker_and_relancer_finishes_it(
    client, celery_worker, firm_a
):
    rows = 3 * CHUNK_SIZE  # three chunks: cancelled before the last
    firm, by = firm_a.firm, firm_a.supervisor.user
    with firm_scope(firm):
        upload = imports.create_import(
            firm=firm, by=by, filename="portefeuille.csv", content=portfolio_csv(rows)
        )
    wait_until(lambda: reload_import(upload).status == ClientImport.Status.UPLOADED)
    with firm_scope(firm):
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(
            status=ClientImport.Status.CHECKED
        )
        job = imports.start_import(firm=firm, upload=reload_import(upload), by=by)
    wait_until(lambda: reload(job).progress > 0)
    client.force_login(by)
    assert client.post(url(job, "annuler/"))["Location"] == url(job)
    wait_until(lambda: reload(job).is_finished, timeout=60, step=0.1)
    job = reload(job)
    assert job.status == Job.Status.CANCELLED and job.progress < rows
    assert job.error == f"Annulé à la demande de {by.full_name}."
    with firm_scope(firm):
        assert Client.objects.for_firm(firm).count() < rows

    page = html.unescape(client.get(f"/f/{firm.slug}/clients/import/{upload.pk}/").content.decode())
    assert "L'import s'est arrêté." in page and url(job, "relancer/") in page
    client.post(url(job, "relancer/"))
    wait_until(lambda: reload(job).is_finished, timeout=60, step=0.1)
    job = reload(job)
    assert (job.status, job.attempts, job.progress) == (Job.Status.SUCCEEDED, 2, rows)
    with firm_scope(firm):
        sirens = list(Client.objects.for_firm(firm).values_list("siren", flat=True))
    assert len(sirens) == len(set(sirens)) == rows


def reload_import(upload: ClientImport) -> ClientImport:
    with firm_scope(upload.firm_id):
        upload.refresh_from_db()
    return upload
