"""Starting the export from the client list and the bulk bars, the job that writes it, the
settings page, and the files deleted after the firm's delay."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from exports import services
from exports.models import ExportSettings
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from tests import factories
from tests.exports.conftest import sheet_rows

# The jobs started here are run by the tests themselves, never by the session's worker.
pytestmark = pytest.mark.usefixtures("no_worker")


def job_of(response, cast) -> Job:
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    with firm_scope(cast.firm):
        return Job.objects.for_firm(cast.firm).get(pk=job_id)


def reload(job: Job) -> Job:
    with firm_scope(job.firm_id):
        job.refresh_from_db()
    return job


def run(job: Job) -> Job:
    execute_job(firm_id=job.firm_id, job_id=job.pk)
    return reload(job)


def downloaded(client, job: Job) -> bytes:
    response = client.get(f"/f/{job.firm.slug}/travaux/{job.pk}/fichier/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_client_list_offers_the_export_with_its_filter_to_supervisors(as_member, firm_a):
    factories.make_client(firm_a.firm, tags=["mailing"])
    page = as_member(firm_a.supervisor).get(f"/f/{firm_a.firm.slug}/clients/?tag=mailing&page=1")
    text = html.unescape(page.content.decode())
    assert 'id="client-export"' in text and 'form="client-export"' in text
    assert '<input type="hidden" name="querystring" value="tag=mailing">' in text
    collaborator_page = as_member(firm_a.collaborator).get(f"/f/{firm_a.firm.slug}/clients/")
    assert b"client-export" not in collaborator_page.content


@pytest.mark.django_db(transaction=True)
def test_an_export_from_the_filtered_client_list_has_only_its_clients(as_member, firm_a):
    """As a new user would: a list filtered to 2 clients exports 2 rows, not the portfolio."""
    for number in range(6):
        factories.make_client(firm_a.firm, company_name=f"Client {number}")
    for name in ("Ardoise", "Zinc"):
        factories.make_client(firm_a.firm, company_name=name, tags=["mailing"])
    client = as_member(firm_a.supervisor)
    response = client.post(
        f"/f/{firm_a.firm.slug}/clients/export/",
        {"format": "xlsx", "querystring": "tag=mailing"},
    )
    job = run(job_of(response, firm_a))
    assert (job.status, job.progress, job.total) == (Job.Status.SUCCEEDED, 2, 2), job.error
    assert job.params == {"format": "xlsx", "source": "clients", "querystring": "tag=mailing"}
    assert job.result_name.endswith(".xlsx") and job.summary["rows"] == 2
    _, rows = sheet_rows(downloaded(client, job))
    assert [row["Raison sociale"] for row in rows] == ["Ardoise", "Zinc"]


def test_a_junk_format_is_refused_with_a_message(as_member, firm_a):
    response = as_member(firm_a.supervisor).post(
        f"/f/{firm_a.firm.slug}/clients/export/", {"format": "pdf"}, follow=True
    )
    assert "Choisissez le format Excel ou CSV." in response.content.decode()
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).exists()


def test_collaborators_cannot_export(as_member, firm_a):
    response = as_member(firm_a.collaborator).post(f"/f/{firm_a.firm.slug}/clients/export/")
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["clients", "cartographie"])
def test_the_bulk_bars_export_the_checked_rows_as_csv(as_member, firm_a, page):
    chosen = [factories.make_client(firm_a.firm, company_name=f"Choisi {n}") for n in range(2)]
    factories.make_client(firm_a.firm, company_name="Pas choisi")
    client = as_member(firm_a.admin)
    listing = client.get(f"/f/{firm_a.firm.slug}/{page}/").content.decode()
    assert 'value="export"' in listing and 'name="export_format"' in listing
    response = client.post(
        f"/f/{firm_a.firm.slug}/{page}/actions/",
        {
            "action": "export",
            "export_format": "csv",
            "scope": "selected",
            "selected": [each.pk for each in chosen],
        },
    )
    job = run(job_of(response, firm_a))
    assert job.status == Job.Status.SUCCEEDED, job.error
    content = downloaded(client, job).decode("utf-8-sig")
    assert "Choisi 0" in content and "Choisi 1" in content and "Pas choisi" not in content


@pytest.mark.django_db(transaction=True)
def test_the_whole_filtered_set_of_the_portfolio_is_exported(as_member, firm_a):
    factories.make_client(firm_a.firm, company_name="Ardoise", assigned_to=firm_a.collaborator.user)
    factories.make_client(firm_a.firm, company_name="Zinc")
    client = as_member(firm_a.supervisor)
    response = client.post(
        f"/f/{firm_a.firm.slug}/cartographie/actions/",
        {
            "action": "export",
            "export_format": "xlsx",
            "scope": "all",
            "querystring": f"collaborator={firm_a.collaborator.user.pk}",
        },
    )
    job = run(job_of(response, firm_a))
    _, rows = sheet_rows(downloaded(client, job))
    assert [row["Raison sociale"] for row in rows] == ["Ardoise"]


@pytest.mark.django_db(transaction=True)
def test_a_requester_no_longer_supervisor_gets_a_clear_failure(firm_a):
    factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        job = services.start_export(firm=firm_a.firm, user=firm_a.supervisor.user, source="clients")
        firm_a.supervisor.role = "collaborator"
        firm_a.supervisor.save(update_fields=["role"])
    job = run(job)
    assert job.status == Job.Status.FAILED and "superviseurs" in job.error


def test_administrators_set_the_retention_delay(as_member, firm_a):
    client = as_member(firm_a.admin)
    url = f"/f/{firm_a.firm.slug}/parametres/exports/"
    page = client.get(url).content.decode()
    assert 'name="retention_days"' in page and 'value="7"' in page
    assert "Exports" in page
    refused = client.post(url, {"retention_days": "0"}).content.decode()
    assert "Gardez les fichiers au moins un jour." in html.unescape(refused)
    assert client.post(url, {"retention_days": "30"}).status_code == 302
    with firm_scope(firm_a.firm):
        assert ExportSettings.objects.for_firm(firm_a.firm).get().retention_days == 30
    assert as_member(firm_a.supervisor).get(url).status_code == 403


def finished_export(cast, *, days_ago: float, rows=1) -> Job:
    for _ in range(rows):
        factories.make_client(cast.firm)
    with firm_scope(cast.firm):
        job = Job.objects.create(
            firm=cast.firm, kind=services.EXPORT_JOB_KIND, requested_by=cast.supervisor.user
        )
    job = run(job)
    assert job.result_file
    with firm_scope(cast.firm):
        Job.objects.for_firm(cast.firm).filter(pk=job.pk).update(
            finished_at=timezone.now() - timedelta(days=days_ago)
        )
    return reload(job)


def test_files_past_the_firms_delay_are_deleted_and_the_job_stays_listed(client, firm_a):
    old = finished_export(firm_a, days_ago=8)
    recent = finished_export(firm_a, days_ago=6)
    storage, name = old.result_file.storage, old.result_file.name
    assert storage.exists(name)
    assert services.purge_expired_exports() == 1
    old, recent = reload(old), reload(recent)
    assert not old.result_file and not storage.exists(name)
    assert old.status == Job.Status.SUCCEEDED and old.file_deleted_at is not None
    assert recent.result_file
    client.force_login(firm_a.supervisor.user)
    page = html.unescape(client.get(f"/f/{firm_a.firm.slug}/travaux/{old.pk}/").content.decode())
    assert f"Le fichier {old.result_name} a expiré" in page
    assert "job-download" not in page
    listing = client.get(f"/f/{firm_a.firm.slug}/travaux/").content.decode()
    assert "Fichier expiré" in listing
    assert client.get(f"/f/{firm_a.firm.slug}/travaux/{old.pk}/fichier/").status_code == 404
    assert services.purge_expired_exports() == 0  # nothing twice


def test_the_delay_is_the_firms_own(firm_a, firm_b):
    with firm_scope(firm_a.firm):
        ExportSettings.objects.create(firm=firm_a.firm, retention_days=30)
    kept = finished_export(firm_a, days_ago=8)
    gone = finished_export(firm_b, days_ago=8)
    assert services.purge_expired_exports() == 1
    assert reload(kept).result_file and not reload(gone).result_file


def test_an_old_job_of_the_retired_csv_export_still_shows(client, firm_a):
    with firm_scope(firm_a.firm):
        job = Job.objects.create(
            firm=firm_a.firm,
            kind="clients_csv_export",
            requested_by=firm_a.supervisor.user,
            status=Job.Status.FAILED,
            error="Erreur inattendue.",
        )
    client.force_login(firm_a.supervisor.user)
    listing = client.get(f"/f/{firm_a.firm.slug}/travaux/")
    page = client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/")
    assert listing.status_code == page.status_code == 200
    assert "Travail d&#x27;un type retiré (clients_csv_export)" in page.content.decode()
    assert f"/travaux/{job.pk}/relancer/" not in page.content.decode()  # nothing to run it
