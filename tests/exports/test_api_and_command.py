"""The export through the API (started at /api/v1/exports/, followed and fetched through the
jobs' API) and from the command line, whose contract is kept exactly."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from firms.services import create_api_token
from firms.tenancy import firm_scope
from jobs.services import execute_job
from tests.exports.conftest import FORMULA_NAME, read_xlsx, sheet_rows


def token_of(membership) -> str:
    with firm_scope(membership.firm):
        return create_api_token(membership=membership, name="tableur")[1]


def api(client, membership):
    headers = {"HTTP_AUTHORIZATION": f"Token {token_of(membership)}"}

    def call(method: str, url: str, body=None):
        return getattr(client, method)(url, body or {}, content_type="application/json", **headers)

    return call


def test_an_export_is_started_then_fetched_through_the_jobs_api(client, firm_a, equipped):
    call = api(client, firm_a.supervisor)
    started = call("post", "/api/v1/exports/", {"format": "xlsx", "filter": "obligation=receive"})
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["kind"] == "portfolio_export" and job["status"] == "pending"
    assert started["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}/"
    assert job["file_url"] is None
    execute_job(firm_id=firm_a.firm.pk, job_id=job["id"])  # as the worker would
    followed = call("get", job["url"]).json()
    assert (followed["status"], followed["percent"]) == ("succeeded", 100)
    assert followed["file_url"] == f"/api/v1/jobs/{job['id']}/file/"
    response = call("get", followed["file_url"])
    assert response.status_code == 200
    _, rows = sheet_rows(b"".join(response.streaming_content))
    assert [row["Raison sociale"] for row in rows] == ["'" + FORMULA_NAME]
    listed = call("get", "/api/v1/exports/").json()
    assert [each["id"] for each in listed["results"]] == [job["id"]]
    assert call("get", "/api/v1/jobs/?kind=portfolio_export").json()["count"] == 1


def test_the_api_exports_chosen_clients_and_checks_its_payload(client, firm_a, equipped):
    call = api(client, firm_a.admin)
    started = call("post", "/api/v1/exports/", {"format": "csv", "clients": [equipped.plain.pk]})
    assert started.status_code == 202
    assert started.json()["params"]["client_ids"] == [equipped.plain.pk]
    bad = call("post", "/api/v1/exports/", {"format": "pdf"})
    assert bad.status_code == 400
    assert bad.json()["format"] == ["Format d'export inconnu : choisissez xlsx ou csv."]
    assert call("post", "/api/v1/exports/", {"clients": ["²"]}).status_code == 400
    assert call("post", "/api/v1/exports/", {"clients": []}).status_code == 400


def test_collaborators_cannot_start_an_export_through_the_api(client, firm_a):
    call = api(client, firm_a.collaborator)
    assert call("post", "/api/v1/exports/", {"format": "xlsx"}).status_code == 403
    assert call("get", "/api/v1/exports/").json()["count"] == 0


def test_another_firms_job_is_not_found(client, firm_a, firm_b):
    started = api(client, firm_a.supervisor)("post", "/api/v1/exports/", {})
    other = api(client, firm_b.admin)
    response = other("get", f"/api/v1/jobs/{started.json()['id']}/")
    assert response.status_code == 404 and response.json()["detail"] == "Travail introuvable."
    assert other("get", f"/api/v1/jobs/{started.json()['id']}/file/").status_code == 404


# The command line -------------------------------------------------------------------------


def test_the_command_writes_the_same_file_under_a_portfolio_filter(firm_a, equipped, tmp_path):
    out = tmp_path / "portefeuille.xlsx"
    stdout = io.StringIO()
    call_command(
        "export_portfolio",
        firm=firm_a.firm.slug,
        filter="obligation=receive&sort=-compliance",
        out=str(out),
        stdout=stdout,
    )
    assert json.loads(stdout.getvalue()) == {"rows": 1, "format": "xlsx", "out": str(out)}
    sheet = read_xlsx(out.read_bytes()).active
    assert sheet.freeze_panes == "A2" and sheet["A2"].value == "'" + FORMULA_NAME
    csv_out = tmp_path / "portefeuille.csv"
    call_command(
        "export_portfolio", firm=firm_a.firm.slug, format="csv", out=str(csv_out), stdout=stdout
    )
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfRaison sociale;SIREN;")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"firm": "inconnu"}, "Aucun cabinet actif"),
        ({"format": "ods"}, "Format « ods » inconnu"),
        ({"filter": "urgency=extreme"}, "valeur « extreme » invalide pour « urgency »"),
        ({"filter": "urgence=high"}, "paramètre « urgence » inconnu"),
        ({"filter": "collaborator=999999"}, "valeur « 999999 » invalide pour « collaborator »"),
        ({"out": "/nonexistent-folder/portefeuille.xlsx"}, "Impossible d'écrire"),
    ],
)
def test_bad_input_stops_with_status_2_and_a_message(firm_a, tmp_path, options, message):
    arguments = {"firm": firm_a.firm.slug, "out": str(tmp_path / "p.xlsx"), **options}
    with pytest.raises(CommandError) as error:
        call_command("export_portfolio", **arguments)
    assert error.value.returncode == 2
    assert message in str(error.value)


def test_from_the_shell_bad_input_exits_with_status_2():
    """The real command line: argparse and Django's own handling of CommandError."""
    result = subprocess.run(
        [sys.executable, "manage.py", "export_portfolio", "--firm", "inconnu", "--out", "x.xlsx"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Aucun cabinet actif" in result.stderr
    missing = subprocess.run(
        [sys.executable, "manage.py", "export_portfolio", "--firm", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and "--out" in missing.stderr
