"""The Rapports tab, a batch from the portfolio, the API and the command: works / checks
ownership / requires the role."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from firms.services import create_api_token
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from reports import services
from reports.models import SynthesisReport
from tests import factories


def tab(firm_a, client) -> str:
    return reverse("client_reports", args=[firm_a.firm.slug, client.pk])


def run_jobs(firm) -> Job:
    """Run the firm's queued jobs here, as the worker would; the last one."""
    with firm_scope(firm):
        jobs = list(Job.objects.for_firm(firm).filter(status="pending").order_by("pk"))
    for job in jobs:
        execute_job(firm_id=firm.pk, job_id=job.pk)
    with firm_scope(firm):
        return Job.objects.for_firm(firm).get(pk=jobs[-1].pk)


def reports_of(firm, client=None) -> list[SynthesisReport]:
    with firm_scope(firm):
        reports = SynthesisReport.objects.for_firm(firm).select_related("client")
        if client is not None:
            reports = reports.filter(client=client)
        return list(reports.order_by("client_id", "number"))


def test_generate_from_the_tab_follow_it_then_download(client, firm_a, equipped_client):
    client.force_login(firm_a.collaborator.user)
    empty = client.get(tab(firm_a, equipped_client)).content.decode()
    assert "Aucun rapport" in empty and "Générer un rapport" in empty

    response = client.post(tab(firm_a, equipped_client))
    assert response.status_code == 302 and "?travail=" in response["Location"]
    waiting = client.get(response["Location"]).content.decode()
    assert "every 1s" in waiting and "En attente" in waiting  # polled until done

    job = run_jobs(firm_a.firm)
    assert job.status == "succeeded", job.error
    assert not job.result_file  # one client: the version is on the tab
    done = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in done
    (report,) = reports_of(firm_a.firm)
    assert f'data-testid="report-{report.number}"' in done
    assert report.short_sha256 in done and report.sha256 in done  # short, full on hover / copy
    assert report.author == firm_a.collaborator.user

    pdf_url = reverse("report_pdf", args=[firm_a.firm.slug, equipped_client.pk, report.pk])
    download = client.get(pdf_url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{equipped_client.siren}-rapport-1.pdf"'
    )
    assert download.content.startswith(b"%PDF-")
    assert "inline" in client.get(pdf_url + "?apercu=1")["Content-Disposition"]


def test_the_tab_lists_versions_in_a_fixed_number_of_queries(client, firm_a, equipped_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tab(firm_a, equipped_client)).status_code == 200
        return len(queries)

    client.force_login(firm_a.collaborator.user)
    with firm_scope(firm_a.firm):
        services.generate_report(firm=firm_a.firm, client=equipped_client, by=None)
    one = count()
    with firm_scope(firm_a.firm):
        for _ in range(3):
            services.generate_report(firm=firm_a.firm, client=equipped_client, by=firm_a.admin.user)
    page = client.get(tab(firm_a, equipped_client)).content.decode()
    assert page.count('data-testid="report-') == 4 and "ligne de commande" in page
    assert count() == one <= 16


def test_junk_job_numbers_are_ignored(client, firm_a, equipped_client):
    client.force_login(firm_a.collaborator.user)
    other = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    client.post(tab(firm_a, other))
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get()
    for value in ("²", "-1", "9" * 25, "abc", str(job.pk)):  # the last: another client's job
        page = client.get(tab(firm_a, equipped_client) + f"?travail={value}")
        assert page.status_code == 200 and "every 1s" not in page.content.decode()


def test_an_archived_client_keeps_its_versions_and_gets_no_new_one(client, firm_a, equipped_client):
    with firm_scope(firm_a.firm):
        services.generate_report(firm=firm_a.firm, client=equipped_client, by=None)
        Client.objects.for_firm(firm_a.firm).filter(pk=equipped_client.pk).update(
            status=Client.Status.ARCHIVED
        )
    client.force_login(firm_a.supervisor.user)
    page = client.post(tab(firm_a, equipped_client), follow=True).content.decode()
    assert "restaurez-le pour générer un rapport" in page
    assert 'data-testid="report-1"' in page
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).exists()


def test_a_batch_from_the_portfolio_ends_with_a_zip(client, firm_a, equipped_client):
    archived = factories.make_client(
        firm_a.firm, company_name="Ancienne SARL", status=Client.Status.ARCHIVED
    )
    bare = factories.make_client(firm_a.firm, company_name="Atelier Nu")
    client.force_login(firm_a.supervisor.user)
    response = client.post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {
            "action": "synthesis_reports",
            "scope": "selected",
            "selected": [equipped_client.pk, archived.pk, bare.pk],
        },
    )
    assert response.status_code == 302 and "/rapports/lots/" in response["Location"]
    assert "every 1s" in client.get(response["Location"]).content.decode()
    job = run_jobs(firm_a.firm)
    assert job.status == "succeeded", job.error
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="batch-summary"' in page and "Client archivé" in page
    assert job.summary["generated"] == 2
    with job.result_file.open("rb") as result:
        archive = zipfile.ZipFile(io.BytesIO(result.read()))
    assert sorted(archive.namelist()) == sorted(
        [
            f"{bare.siren}-atelier-nu-rapport-1.pdf",
            f"{equipped_client.siren}-boulangerie-martin-rapport-1.pdf",
            "registre.csv",
        ]
    )
    assert job.result_name.startswith("rapports-de-synthese-")
    # Run again (as after a crash): nothing is numbered twice.
    with firm_scope(firm_a.firm):
        Job.objects.for_firm(firm_a.firm).filter(pk=job.pk).update(status="interrupted")
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    assert [r.number for r in reports_of(firm_a.firm)] == [1, 1]


def test_the_whole_filtered_client_list(client, firm_a):
    for name in ("Alpha Boulangerie", "Beta Garage"):
        factories.make_client(firm_a.firm, company_name=name)
    factories.make_client(firm_a.firm, company_name="Gamma Plomberie")
    client.force_login(firm_a.admin.user)
    response = client.post(
        reverse("client_bulk_action", args=[firm_a.firm.slug]),
        {"action": "synthesis_reports", "scope": "all", "querystring": "q=a+"},
    )
    assert "/rapports/lots/" in response["Location"]
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get()
    assert len(job.params["client_ids"]) == 3


def test_a_collaborator_has_no_bulk_reports(client, firm_a, equipped_client):
    client.force_login(firm_a.collaborator.user)
    page = client.get(reverse("client_list", args=[firm_a.firm.slug])).content.decode()
    assert "Générer les rapports de synthèse" not in page
    response = client.post(
        reverse("client_bulk_action", args=[firm_a.firm.slug]),
        {"action": "synthesis_reports", "scope": "selected", "selected": [equipped_client.pk]},
    )
    assert response.status_code == 403


def test_history_lists_the_generations(client, firm_a, equipped_client):
    with firm_scope(firm_a.firm):
        report = services.generate_report(
            firm=firm_a.firm, client=equipped_client, by=firm_a.admin.user
        )
    client.force_login(firm_a.collaborator.user)
    url = reverse("client_history", args=[firm_a.firm.slug, equipped_client.pk])
    page = client.get(url + "?kind=reports").content.decode()
    assert f"Rapport de synthèse n° 1 généré (SHA-256 {report.short_sha256}" in page


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(client, firm_a):
    with firm_scope(firm_a.firm):
        _, raw = create_api_token(membership=firm_a.collaborator, name="outil")

    def call(method: str, url: str, **kwargs):
        return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Token {raw}", **kwargs)

    return call


def test_api_generate_follow_read_and_download(api, firm_a, equipped_client):
    base = f"/api/v1/clients/{equipped_client.pk}/reports/"
    assert api("get", base).json() == {"count": 0, "results": []}
    started = api("post", base)
    assert started.status_code == 202, started.content
    job_url = started.json()["url"]
    assert api("get", job_url).json()["status"] == "pending"
    run_jobs(firm_a.firm)
    followed = api("get", job_url).json()
    assert followed["status"] == "succeeded" and len(followed["reports"]) == 1
    listed = api("get", base).json()
    assert listed["count"] == 1
    (item,) = listed["results"]
    assert item["number"] == 1 and item["author"] == firm_a.collaborator.user.full_name
    detail = api("get", f"{base}{item['id']}/").json()
    assert detail["snapshot"]["client"]["siren"] == equipped_client.siren
    pdf = api("get", item["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_api_never_changes_a_version(api, firm_a, equipped_client, method):
    with firm_scope(firm_a.firm):
        report = services.generate_report(firm=firm_a.firm, client=equipped_client, by=None)
    url = f"/api/v1/clients/{equipped_client.pk}/reports/{report.pk}/"
    response = api(method, url, data=json.dumps({"number": 9}), content_type="application/json")
    assert response.status_code == 405
    assert api(method, f"/api/v1/clients/{equipped_client.pk}/reports/").status_code == 405
    assert reports_of(firm_a.firm)[0].number == 1


def test_api_another_clients_job_is_not_found(api, firm_a, equipped_client):
    other = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    job_url = api("post", f"/api/v1/clients/{other.pk}/reports/").json()["url"]
    wrong = job_url.replace(f"/clients/{other.pk}/", f"/clients/{equipped_client.pk}/")
    assert api("get", wrong).status_code == 404


def test_api_an_archived_client_is_a_conflict(api, firm_a):
    archived = factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, status=Client.Status.ARCHIVED
    )
    response = api("post", f"/api/v1/clients/{archived.pk}/reports/")
    assert response.status_code == 409 and "Client archivé" in response.json()["detail"]


# --- The command -------------------------------------------------------------------------------


def test_the_command_writes_a_new_version(firm_a, equipped_client, tmp_path):
    out = io.StringIO()
    target = tmp_path / "rapport.pdf"
    for expected in (1, 2):
        call_command(
            "synthesis_report",
            firm=firm_a.firm.slug,
            client=equipped_client.siren,
            out=str(target),
            stdout=out,
        )
        printed = json.loads(out.getvalue().splitlines()[-1])
        assert printed["number"] == expected
    stored = reports_of(firm_a.firm)
    assert [r.number for r in stored] == [1, 2] and stored[1].author is None
    assert target.read_bytes().startswith(b"%PDF-")
    assert printed["sha256"] == stored[1].sha256


@pytest.mark.parametrize(
    ("firm", "siren", "message"),
    [
        ("inconnu", None, "Aucun cabinet actif"),
        (None, "123456789", "n'a le SIREN « 123456789 »"),
    ],
)
def test_the_command_refuses_an_unknown_firm_or_client(
    firm_a, equipped_client, tmp_path, firm, siren, message
):
    with pytest.raises(CommandError, match=message) as refused:
        call_command(
            "synthesis_report",
            firm=firm or firm_a.firm.slug,
            client=siren or equipped_client.siren,
            out=str(tmp_path / "x.pdf"),
        )
    assert refused.value.returncode == 2
    assert reports_of(firm_a.firm) == []
