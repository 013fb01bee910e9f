"""Uploaded client files are deleted some time after their import; the import stays listed."""

from __future__ import annotations

import html
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from clients.importing import services
from clients.importing.reading import read_table
from clients.importing.retention import purge_import_files
from clients.models import ClientImport
from clients.tasks import purge_client_import_files
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job

ROOT = Path(__file__).resolve().parent.parent.parent
CSV = b"Raison sociale;SIREN\nCafe Noir;552100554\n"
DRY_RUN = {"counts": {"create": 1, "update": 0, "unchanged": 0, "reject": 0}, "rows": []}


def make_import(cast, *, days_ago: int, **fields) -> ClientImport:
    """An upload made ``days_ago`` days ago and read, through the wizard's services."""
    firm, by = cast.firm, cast.supervisor.user
    with firm_scope(firm):
        upload = services.create_import(firm=firm, by=by, filename="portefeuille.csv", content=CSV)
        services.record_reading(
            firm=firm,
            upload=upload,
            job=upload.read_job,
            table=read_table(CSV, "portefeuille.csv"),
        )
        fields["created_at"] = timezone.now() - timedelta(days=days_ago)
        ClientImport.objects.for_firm(firm).filter(pk=upload.pk).update(**fields)
    return reload(upload)


def make_job(
    cast, *, days_ago: int, finished: bool = True, kind: str = "clients_import", **fields
) -> Job:
    when = timezone.now() - timedelta(days=days_ago)
    with firm_scope(cast.firm):
        job = Job.objects.create(
            firm=cast.firm,
            kind=kind,
            requested_by=cast.supervisor.user,
            status=Job.Status.SUCCEEDED if finished else Job.Status.RUNNING,
            finished_at=when if finished else None,
            **fields,
        )
        Job.objects.for_firm(cast.firm).filter(pk=job.pk).update(created_at=when)
    return job


def reload(upload: ClientImport) -> ClientImport:
    with firm_scope(upload.firm_id):
        return ClientImport.objects.for_firm(upload.firm_id).get(pk=upload.pk)


def stored(upload: ClientImport, name: str) -> bool:
    return upload.file.storage.exists(name)


def test_a_file_is_purged_after_its_last_step_and_the_import_kept(firm_a):
    abandoned = make_import(firm_a, days_ago=40)
    checked_long_ago = make_import(
        firm_a,
        days_ago=45,
        status=ClientImport.Status.CHECKED,
        dry_run=DRY_RUN,
        dry_run_job=make_job(firm_a, days_ago=31, kind="plan_client_import"),
    )
    imported_long_ago = make_import(
        firm_a,
        days_ago=60,
        status=ClientImport.Status.STARTED,
        dry_run=DRY_RUN,
        job=make_job(firm_a, days_ago=31, summary={"created": 1}),
    )

    kept = [
        make_import(firm_a, days_ago=29),
        # Uploaded long ago, but checked or imported recently.
        make_import(firm_a, days_ago=40, dry_run_job=make_job(firm_a, days_ago=2, finished=False)),
        make_import(
            firm_a,
            days_ago=40,
            status=ClientImport.Status.STARTED,
            job=make_job(firm_a, days_ago=10),
        ),
    ]

    assert purge_import_files() == 3
    for upload in (abandoned, checked_long_ago, imported_long_ago):
        purged = reload(upload)
        assert purged.is_purged and not purged.file
        assert not stored(purged, upload.file.name)
        # The import stays in the history with its columns, dry run and report.
        assert purged.headers == ["Raison sociale", "SIREN"] and purged.row_count == 1
    assert reload(imported_long_ago).dry_run == DRY_RUN
    with firm_scope(firm_a.firm):
        assert reload(imported_long_ago).job.summary == {"created": 1}
    for upload in kept:
        assert not reload(upload).is_purged
        assert stored(upload, upload.file.name)
    assert purge_import_files() == 0  # nothing twice


def test_every_firm_is_purged_in_its_own_scope(firm_a, firm_b):
    uploads = [make_import(firm_a, days_ago=31), make_import(firm_b, days_ago=31)]
    assert purge_import_files() == 2
    assert all(reload(upload).is_purged for upload in uploads)


def test_the_retention_is_a_setting(firm_a, settings):
    settings.CLIENT_IMPORT_RETENTION_DAYS = 7
    upload = make_import(firm_a, days_ago=8)
    assert purge_import_files() == 1
    assert reload(upload).is_purged


def test_a_retention_of_less_than_a_day_stops_the_start():
    environment = {
        key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**environment, "CLIENT_IMPORT_RETENTION_DAYS": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CLIENT_IMPORT_RETENTION_DAYS must be at least 1, not 0" in result.stderr


def test_the_command_says_what_it_purged(firm_a):
    make_import(firm_a, days_ago=31)
    make_import(firm_a, days_ago=32)
    recent = make_import(firm_a, days_ago=5)

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("purge_client_imports", *args, stdout=out)
        return out.getvalue().strip()

    assert run() == "2 fichiers d'import supprimés (inutilisés depuis plus de 30 jours)."
    assert run() == "Aucun fichier d'import de plus de 30 jours à supprimer."
    assert run("--days", "3") == "1 fichier d'import supprimé (inutilisé depuis plus de 3 jours)."
    assert reload(recent).is_purged


def test_celery_beat_runs_the_purge_every_day(firm_a):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-client-import-purge"]
    assert entry["task"] == purge_client_import_files.name
    assert entry["schedule"].hour == {3}
    make_import(firm_a, days_ago=31)
    assert purge_client_import_files.run() == 1


# Pages of a purged import -------------------------------------------------------------------


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(upload: ClientImport, page: str = "") -> str:
    return f"/f/{upload.firm.slug}/clients/import/{upload.pk}/{page}"


def purged_notice(upload: ClientImport) -> str:
    day = timezone.localtime(upload.file_purged_at).strftime("%d/%m/%Y")
    return (
        f"Le fichier « portefeuille.csv » a été supprimé le {day}, "
        "à la fin de sa durée de conservation"
    )


def test_the_columns_of_a_purged_import_say_so(client, firm_a):
    upload = make_import(firm_a, days_ago=31)
    purge_import_files()
    upload = reload(upload)
    client.force_login(firm_a.supervisor.user)
    page = client.get(url(upload, "colonnes/"))
    shown = text(page)
    assert page.status_code == 200
    assert f"{purged_notice(upload)} : déposez-le de nouveau pour l'importer." in shown
    assert "Vérifier l'import" not in shown
    submitted = client.post(
        url(upload, "colonnes/"), {"column_0": "company_name", "column_1": "siren"}, follow=True
    )
    assert submitted.redirect_chain[-1] == (f"/f/{firm_a.firm.slug}/clients/import/", 302)
    assert purged_notice(upload) in text(submitted)
    assert reload(upload).status == ClientImport.Status.UPLOADED
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).exclude(pk=upload.read_job_id).exists()


def test_a_purged_dry_run_can_be_read_but_not_confirmed(client, firm_a):
    upload = make_import(firm_a, days_ago=31, status=ClientImport.Status.CHECKED, dry_run=DRY_RUN)
    purge_import_files()
    upload = reload(upload)
    client.force_login(firm_a.supervisor.user)
    review = client.get(url(upload, "verification/"))
    shown = text(review)
    assert review.status_code == 200
    assert purged_notice(upload) in shown
    assert "Confirmer l'import" not in shown
    confirm = client.post(url(upload, "confirmer/"), follow=True)
    assert purged_notice(upload) in text(confirm)
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).exclude(pk=upload.read_job_id).exists()


def test_a_purged_import_keeps_its_result_page(client, firm_a):
    job = make_job(firm_a, days_ago=31, summary={"created": 1, "updated": 0, "unchanged": 0})
    upload = make_import(firm_a, days_ago=31, status=ClientImport.Status.STARTED, job=job)
    purge_import_files()
    upload = reload(upload)
    client.force_login(firm_a.supervisor.user)
    result = client.get(url(upload))
    shown = text(result)
    assert result.status_code == 200
    assert f"{purged_notice(upload)} ; le compte rendu de l'import reste disponible." in shown
    assert "Clients créés" in shown


def test_a_dry_run_of_a_purged_file_fails_with_a_clear_message(client, firm_a):
    upload = make_import(firm_a, days_ago=31)
    client.force_login(firm_a.supervisor.user)
    client.post(url(upload, "colonnes/"), {"column_0": "company_name", "column_1": "siren"})
    upload = reload(upload)
    # Purged while its dry run waited for the worker (31 days is long for a queue).
    with firm_scope(firm_a.firm):
        Job.objects.for_firm(firm_a.firm).update(created_at=timezone.now() - timedelta(days=31))
    assert purge_import_files() == 1
    execute_job(firm_id=firm_a.firm.pk, job_id=upload.dry_run_job_id)
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get(pk=upload.dry_run_job_id)
    upload = reload(upload)
    assert job.status == Job.Status.FAILED
    assert job.error == f"{purged_notice(upload)} : déposez-le de nouveau pour l'importer."
    page = client.get(url(upload, "verification/en-cours/"))
    assert job.error in text(page)
    assert "Modifier les colonnes" not in text(page)
