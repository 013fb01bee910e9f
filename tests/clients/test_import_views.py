"""The import wizard in the web app: upload (the file is read by a background job with its
progress page), columns, dry run (another job), confirmation, result.

Without the worker fixture, the tests run the reading and dry run jobs here, as the worker would,
with :func:`jobs.services.execute_job`.
"""

from __future__ import annotations

import html
import time
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.importing import planning, reading
from clients.importing.reading import MAX_FILE_BYTES
from clients.models import Client, ClientImport, HistoryEntry
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.progress import JobRun
from jobs.services import execute_job
from tests import factories
from tests.clients.test_import_reading import (
    BILLION_LAUGHS,
    PNG,
    far_row_xlsx,
    rezipped,
    xlsx_bytes,
    zip_bomb,
)

CSV = (
    "Raison sociale;SIREN;Code postal;Ville;Collaborateur\n"
    "Café Noir;552100554;69002;Lyon;\n"
    '"=HYPERLINK(""http://x"")";732829321;69002;Lyon;\n'  # wrong check digit, and a formula
    "Boulangerie Martin;732829320;69100;Villeurbanne;{email}\n"
)
MAPPING = {
    "column_0": "company_name",
    "column_1": "siren",
    "column_2": "postal_code",
    "column_3": "city",
    "column_4": "assigned_to",
}


def base(firm) -> str:
    return f"/f/{firm.slug}/clients/import/"


def upload(client, firm, name: str, content: bytes):
    return client.post(base(firm), {"file": SimpleUploadedFile(name, content)})


def read_upload(firm) -> Job:
    """Run the reading job of the firm's last upload as the worker would."""
    with firm_scope(firm):
        job_id = ClientImport.objects.for_firm(firm).latest("created_at", "id").read_job_id
    execute_job(firm_id=firm.pk, job_id=job_id)
    return the_job(firm, job_id)


def uploaded(client, firm, name: str, content: bytes) -> str:
    """Upload a file, have it read, and return the address of its columns step."""
    response = upload(client, firm, name, content)
    assert response.status_code == 302, response.content
    job = read_upload(firm)
    assert job.status == Job.Status.SUCCEEDED, job.error
    columns = client.get(response["Location"])["Location"]
    assert columns.endswith("/colonnes/")
    return columns


def state(firm) -> tuple[int, int, int]:
    with firm_scope(firm):
        return (
            Client.objects.for_firm(firm).count(),
            HistoryEntry.objects.for_firm(firm).count(),
            ClientImport.objects.for_firm(firm).count(),
        )


def text(response) -> str:
    return html.unescape(response.content.decode())


def the_import(firm) -> ClientImport:
    with firm_scope(firm):
        return ClientImport.objects.for_firm(firm).get()


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout} s"
        time.sleep(0.1)


def the_job(firm, job_id: int) -> Job:
    with firm_scope(firm):
        return Job.objects.for_firm(firm).get(pk=job_id)


def run_dry_run(firm, job_id: int | None = None) -> Job:
    """Run the import's current dry run job (or the given one) as the worker would."""
    job_id = job_id or the_import(firm).dry_run_job_id
    execute_job(firm_id=firm.pk, job_id=job_id)
    return the_job(firm, job_id)


@pytest.fixture
def checked(request, client, firm_a):
    """A supervisor's upload of CSV, columns chosen and dry run done (by the real worker when
    the test uses it)."""
    client.force_login(firm_a.supervisor.user)
    content = CSV.format(email=firm_a.collaborator.user.email).encode("cp1252")
    response = upload(client, firm_a.firm, "portefeuille.csv", content)
    upload_id = the_import(firm_a.firm).pk
    assert response["Location"] == f"{base(firm_a.firm)}{upload_id}/lecture/"
    in_worker = "celery_worker" in request.fixturenames
    if in_worker:
        wait_until(lambda: the_import(firm_a.firm).status == ClientImport.Status.UPLOADED)
    else:
        read_upload(firm_a.firm)
    response = client.get(response["Location"])
    assert response["Location"] == f"{base(firm_a.firm)}{upload_id}/colonnes/"
    response = client.post(response["Location"], MAPPING)
    assert response["Location"] == f"{base(firm_a.firm)}{upload_id}/verification/en-cours/"
    if in_worker:
        wait_until(lambda: the_import(firm_a.firm).status == ClientImport.Status.CHECKED)
    else:
        run_dry_run(firm_a.firm)
    progress = client.get(response["Location"])
    assert progress["Location"] == f"{base(firm_a.firm)}{upload_id}/verification/"
    return the_import(firm_a.firm)


def test_the_upload_guesses_the_columns(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    content = CSV.format(email="").encode("cp1252")
    page = client.get(uploaded(client, firm_a.firm, "portefeuille.csv", content))
    form = page.context["form"]
    assert {name: form[name].value() for name in MAPPING} == MAPPING
    shown = text(page)
    assert "CSV · Windows-1252 · séparateur point-virgule · 3 lignes de clients" in shown
    assert "Café Noir · =HYPERLINK" in shown  # first values of each column
    assert state(firm_a.firm) == (0, 0, 1)


def test_the_dry_run_lists_every_row_and_writes_nothing(client, firm_a, checked):
    page = client.get(f"{base(firm_a.firm)}{checked.pk}/verification/")
    shown = text(page)
    assert "Simulation : rien n'a encore été enregistré." in shown
    assert "Ce SIREN n'existe pas : sa clé de contrôle est fausse." in shown
    assert "1 ligne rejetée ne sera pas importée" in shown
    assert page.context["counts"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    # Rejected rows are shown first; every row is one click away.
    assert [row["line"] for row in page.context["page"].object_list] == [3]
    everything = client.get(f"{base(firm_a.firm)}{checked.pk}/verification/?show=all")
    assert [row["line"] for row in everything.context["page"].object_list] == [2, 3, 4]
    assert state(firm_a.firm) == (0, 0, 1)


def test_an_update_shows_what_will_change(client, firm_a):
    factories.make_client(firm_a.firm, company_name="Café Noir", siren="552100554", city="Paris")
    client.force_login(firm_a.admin.user)
    columns = uploaded(
        client, firm_a.firm, "a.csv", b"Raison sociale,SIREN,Ville\nCafe,552100554,Lyon"
    )
    client.post(columns, {"column_0": "company_name", "column_1": "siren"})
    first_job = the_import(firm_a.firm).dry_run_job_id
    client.post(columns, {**MAPPING, "column_2": "city"})  # columns changed
    run_dry_run(firm_a.firm)
    review = client.get(f"{base(firm_a.firm)}{the_import(firm_a.firm).pk}/verification/")
    shown = text(review)
    assert "<del>Paris</del> → <ins>Lyon</ins>" in shown and "À mettre à jour" in shown
    with firm_scope(firm_a.firm):
        assert Client.objects.for_firm(firm_a.firm).get().city == "Paris"
    # The dry run of the first columns, delivered late, does not replace the newer one.
    assert run_dry_run(firm_a.firm, first_job).summary == {"superseded": True}
    assert the_import(firm_a.firm).dry_run["counts"]["update"] == 1


@pytest.mark.worker
def test_confirming_runs_the_import_in_the_worker(client, celery_worker, firm_a, checked):
    response = client.post(f"{base(firm_a.firm)}{checked.pk}/confirmer/")
    assert response["Location"] == f"{base(firm_a.firm)}{checked.pk}/"
    with firm_scope(firm_a.firm):
        job = the_import(firm_a.firm).job
    deadline = time.monotonic() + 30
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        with firm_scope(firm_a.firm):
            job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.kind, job.progress, job.total) == ("clients_import", 3, 3)
    assert job.summary == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}

    with firm_scope(firm_a.firm):
        created = {c.siren: c for c in Client.objects.for_firm(firm_a.firm)}
        actions = set(HistoryEntry.objects.for_firm(firm_a.firm).values_list("action", "actor"))
    assert set(created) == {"552100554", "732829320"}
    assert created["732829320"].assigned_to == firm_a.collaborator.user
    assert actions == {(HistoryEntry.Action.IMPORTED, firm_a.supervisor.user.pk)}

    summary = client.get(f"{base(firm_a.firm)}{checked.pk}/", HTTP_HX_REQUEST="true")
    assert b"hx-trigger" not in summary.content  # finished: polling stops
    assert "Lignes rejetées" in text(summary)
    download = client.get(f"/f/{firm_a.firm.slug}/travaux/{job.pk}/fichier/")
    report = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert report[0] == (
        "Ligne;Résultat;Motifs du rejet;Raison sociale;SIREN;Code postal;Ville;Collaborateur"
    )
    assert report[1].startswith(
        "3;Rejetée;SIREN : Ce SIREN n'existe pas : sa clé de contrôle est fausse.;"
        '"\'=HYPERLINK(""http://x"")"'
    )
    assert report[2].startswith("2;Créé;;Café Noir;552100554")


def test_confirming_twice_starts_one_job(client, firm_a, checked):
    url = f"{base(firm_a.firm)}{checked.pk}/confirmer/"
    client.post(url)
    second = client.post(url, follow=True)
    assert "Cet import est déjà lancé." in text(second)
    with firm_scope(firm_a.firm):
        assert Job.objects.for_firm(firm_a.firm).filter(kind="clients_import").count() == 1
    # Once launched, the columns can no longer be changed nor checked again.
    mapping = client.get(f"{base(firm_a.firm)}{checked.pk}/colonnes/")
    assert mapping["Location"] == f"{base(firm_a.firm)}{checked.pk}/"
    again = client.post(f"{base(firm_a.firm)}{checked.pk}/colonnes/", MAPPING)
    assert again["Location"] == f"{base(firm_a.firm)}{checked.pk}/"
    progress = client.get(f"{base(firm_a.firm)}{checked.pk}/verification/en-cours/")
    assert progress["Location"] == f"{base(firm_a.firm)}{checked.pk}/"
    assert the_import(firm_a.firm).status == ClientImport.Status.STARTED


def test_a_file_with_nothing_to_import_cannot_be_confirmed(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    columns = uploaded(client, firm_a.firm, "a.csv", b"Raison sociale;SIREN\nFaux;732829321\n")
    client.post(columns, {"column_0": "company_name", "column_1": "siren"})
    run_dry_run(firm_a.firm)
    confirm = client.post(
        f"{base(firm_a.firm)}{the_import(firm_a.firm).pk}/confirmer/", follow=True
    )
    assert "Aucune ligne à importer : corrigez le fichier d'abord." in text(confirm)
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).filter(kind="clients_import").exists()


def test_the_result_page_polls_while_the_job_runs(client, firm_a, checked):
    client.post(f"{base(firm_a.firm)}{checked.pk}/confirmer/")
    page = client.get(f"{base(firm_a.firm)}{checked.pk}/")
    # One poller for the whole section: progress, summary and what the page says.
    assert page.content.count(b'hx-trigger="every 1s"') == 1
    assert b'id="import-live"' in page.content
    assert "Le compte rendu s'affichera ici" in text(page)
    assert "l'import continue" in text(page)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.csv", b"", "Le fichier est vide."),
        (
            "logo.csv",
            PNG + b"\x00" * 32,
            "Ce fichier porte l'extension .csv mais c'est une image PNG",
        ),
        (
            "clients.xlsx",
            b"Raison sociale;SIREN\n",
            "Ce fichier porte l'extension .xlsx mais ce n'est pas un classeur Excel lisible.",
        ),
        (
            "gros.csv",
            b"a" * (MAX_FILE_BYTES + 1),
            "Le fichier dépasse la taille maximale de 10 Mo (10,0 Mo)",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_kept(
    client, firm_a, name, content, message
):
    client.force_login(firm_a.supervisor.user)
    page = upload(client, firm_a.firm, name, content)
    assert page.status_code == 200
    shown = text(page)
    assert "Le fichier n'a pas été lu : rien n'a été importé." in shown
    assert message in shown
    assert state(firm_a.firm) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "entete.csv",
            lambda: b"Raison sociale;SIREN\n",
            "Le fichier ne contient que la ligne d'en-tête : aucun client à importer.",
        ),
        ("bombe.xlsx", lambda: zip_bomb(110 << 20), "se décompresse en un volume anormal"),
        (
            "rires.xlsx",
            lambda: rezipped(
                xlsx_bytes([["Raison sociale", "SIREN"]]),
                {"xl/worksheets/sheet1.xml": BILLION_LAUGHS},
            ),
            "déclarations XML interdites (DOCTYPE ou ENTITY)",
        ),
        ("loin.xlsx", lambda: far_row_xlsx(20_000_000), "au-delà des limites d'Excel"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_by_its_reading_job(
    client, firm_a, name, make, message
):
    client.force_login(firm_a.supervisor.user)
    reading_url = upload(client, firm_a.firm, name, make())["Location"]
    job = read_upload(firm_a.firm)
    assert job.status == Job.Status.FAILED
    assert message in job.error
    page = client.get(reading_url)
    shown = text(page)
    assert "Le fichier n'a pas été lu : rien n'a été importé." in shown
    assert message in shown and "Déposer un autre fichier" in shown
    assert 'hx-trigger="every' not in shown  # finished: nothing polls any more
    assert the_import(firm_a.firm).status == ClientImport.Status.READING
    assert state(firm_a.firm) == (0, 0, 1)


def test_the_upload_request_only_keeps_the_file(client, firm_a, monkeypatch):
    """The request does constant work whatever the file declares (here a row numbered
    20,000,000): it never opens the workbook; a job reads it."""

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the upload request parsed the workbook")

    monkeypatch.setattr(reading.openpyxl, "load_workbook", must_not_parse)
    monkeypatch.setattr(reading, "check_xlsx_container", must_not_parse)
    client.force_login(firm_a.supervisor.user)
    response = upload(client, firm_a.firm, "loin.xlsx", far_row_xlsx(20_000_000))
    pending = the_import(firm_a.firm)
    assert response["Location"] == f"{base(firm_a.firm)}{pending.pk}/lecture/"
    assert (pending.status, pending.headers, pending.row_count) == ("reading", [], 0)
    job = the_job(firm_a.firm, pending.read_job_id)
    assert (job.kind, job.status, job.params) == (
        "read_client_import",
        Job.Status.PENDING,
        {"import_id": pending.pk},
    )
    page = text(client.get(response["Location"]))
    assert "Lecture du fichier" in page and "Lecture d'un fichier de clients" in page
    assert f'hx-get="{base(firm_a.firm)}{pending.pk}/lecture/"' in page
    # The later steps wait for the reading.
    for step in ("colonnes/", "verification/", "verification/en-cours/", ""):
        assert client.get(f"{base(firm_a.firm)}{pending.pk}/{step}", follow=True).redirect_chain[
            -1
        ] == (response["Location"], 302), step
    assert (
        client.post(f"{base(firm_a.firm)}{pending.pk}/colonnes/", MAPPING)["Location"]
        == (response["Location"])
    )


def test_the_reading_page_moves_on_to_the_columns_when_done(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    reading_url = upload(client, firm_a.firm, "a.csv", b"Raison sociale;SIREN\nCafe;552100554\n")[
        "Location"
    ]
    job = read_upload(firm_a.firm)
    assert job.summary == {"rows": 1, "columns": 2}
    done = the_import(firm_a.firm)
    assert (done.status, done.headers, done.row_count) == (
        "uploaded",
        ["Raison sociale", "SIREN"],
        1,
    )
    assert done.mapping == {"0": "company_name", "1": "siren"}
    columns = f"{base(firm_a.firm)}{done.pk}/colonnes/"
    poll = client.get(reading_url, HTTP_HX_REQUEST="true")
    assert (poll.status_code, poll["HX-Redirect"]) == (200, columns)
    assert client.get(reading_url)["Location"] == columns


@pytest.mark.parametrize("step", ["reading", "dry_run"])
def test_a_job_that_finishes_while_the_page_is_read_still_moves_on(
    request, client, firm_a, monkeypatch, step
):
    """The worker moves the import on, then finishes its job: a poll that read the import just
    before and the job just after must not stop on a finished job of a step that is over."""
    from clients import import_views

    if step == "reading":
        client.force_login(firm_a.supervisor.user)
        url = upload(client, firm_a.firm, "a.csv", b"Raison sociale;SIREN\nCafe;552100554\n")[
            "Location"
        ]
        run_in_between = partial(read_upload, firm_a.firm)
        next_url = f"{base(firm_a.firm)}{the_import(firm_a.firm).pk}/colonnes/"
    else:
        mapped = request.getfixturevalue("mapped")
        url = f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"
        run_in_between = partial(run_dry_run, firm_a.firm)
        next_url = f"{base(firm_a.firm)}{mapped.pk}/verification/"
    read_job = import_views.get_job_for_membership

    def job_read_after_the_worker_ran(membership, job_id):
        run_in_between()
        return read_job(membership, job_id)

    monkeypatch.setattr(import_views, "get_job_for_membership", job_read_after_the_worker_ran)
    poll = client.get(url, HTTP_HX_REQUEST="true")
    assert (poll.status_code, poll["HX-Redirect"]) == (200, next_url)


def test_the_columns_step_requires_the_mandatory_ones_once_each(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    columns = uploaded(client, firm_a.firm, "a.csv", b"Raison sociale;Ville\nCafe;Lyon\n")
    page = client.get(columns)
    assert page.context["form"]["column_1"].value() == "city"
    missing = client.post(columns, {"column_0": "company_name", "column_1": "city"})
    assert "Colonne obligatoire manquante : SIREN." in text(missing)
    twice = client.post(columns, {"column_0": "siren", "column_1": "siren"})
    shown = text(twice)
    assert "Le champ « SIREN » est choisi pour plusieurs colonnes" in shown
    assert "Colonne obligatoire manquante : Raison sociale." in shown
    assert the_import(firm_a.firm).status == ClientImport.Status.UPLOADED
    assert state(firm_a.firm) == (0, 0, 1)


def test_an_xlsx_goes_through_the_wizard(client, firm_a):
    client.force_login(firm_a.admin.user)
    content = xlsx_bytes([["Dénomination", "N° SIREN", "Ville"], ["Café Noir", 552100554, "Lyon"]])
    columns = uploaded(client, firm_a.firm, "export.xlsx", content)
    client.post(columns, {"column_0": "company_name", "column_1": "siren"})
    run_dry_run(firm_a.firm)
    review = client.get(f"{base(firm_a.firm)}{the_import(firm_a.firm).pk}/verification/")
    assert review.context["counts"]["create"] == 1


def test_collaborators_cannot_import_nor_see_the_button(client, firm_a):
    client.force_login(firm_a.collaborator.user)
    assert client.get(base(firm_a.firm)).status_code == 403
    assert "Importer" not in client.get(f"/f/{firm_a.firm.slug}/clients/").content.decode()
    client.force_login(firm_a.supervisor.user)
    assert (
        f'href="{base(firm_a.firm)}">Importer'
        in client.get(f"/f/{firm_a.firm.slug}/clients/").content.decode()
    )


def test_another_firms_import_is_a_404(client, firm_a, firm_b, checked):
    client.force_login(firm_b.admin.user)
    for page in ("", "lecture/", "colonnes/", "verification/en-cours/", "verification/"):
        url = f"/f/{firm_b.firm.slug}/clients/import/{checked.pk}/{page}"
        assert client.get(url).status_code == 404, page
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404, page


# The dry run in the background ------------------------------------------------------------


@pytest.fixture
def mapped(client, firm_a):
    """A supervisor's upload whose columns were just chosen: its dry run job is waiting."""
    client.force_login(firm_a.supervisor.user)
    content = CSV.format(email=firm_a.collaborator.user.email).encode("cp1252")
    client.post(uploaded(client, firm_a.firm, "portefeuille.csv", content), MAPPING)
    return the_import(firm_a.firm)


def test_choosing_the_columns_starts_the_dry_run_in_the_background(client, firm_a, mapped):
    assert mapped.status == ClientImport.Status.CHECKING
    assert mapped.mapping == {str(index): name for index, name in enumerate(MAPPING.values())}
    with firm_scope(firm_a.firm):
        job = Job.objects.for_firm(firm_a.firm).get(kind="plan_client_import")
    assert job.pk == mapped.dry_run_job_id
    assert (job.kind, job.status) == ("plan_client_import", Job.Status.PENDING)
    assert (job.params, job.requested_by) == ({"import_id": mapped.pk}, firm_a.supervisor.user)

    page = client.get(f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/")
    shown = text(page)
    assert "Vérification du fichier" in shown and "3 lignes de clients" in shown
    assert "Vérification d'un import de clients" in shown  # the job's progress bar
    assert f'hx-get="/f/{firm_a.firm.slug}/travaux/{job.pk}/"' in shown
    status = f'hx-get="{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"'
    assert status in shown
    assert f'href="{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"' in shown  # no JS
    poll = client.get(
        f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/", HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 200 and status in text(poll)
    assert "<html" not in text(poll)
    assert state(firm_a.firm) == (0, 0, 1)


def test_the_review_and_confirmation_wait_for_the_dry_run(client, firm_a, mapped):
    running = f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"
    assert client.get(f"{base(firm_a.firm)}{mapped.pk}/verification/")["Location"] == running
    assert client.post(f"{base(firm_a.firm)}{mapped.pk}/confirmer/")["Location"] == running
    # The result page has nothing to show yet: it sends to the review, which sends back here.
    assert client.get(f"{base(firm_a.firm)}{mapped.pk}/", follow=True).redirect_chain[-1] == (
        running,
        302,
    )
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).filter(kind="clients_import").exists()
    # The steps lead to the running dry run, and the columns may still be changed.
    page = client.get(f"{base(firm_a.firm)}{mapped.pk}/colonnes/")
    assert f'href="{running}">3. Vérification' in text(page)
    assert "Une vérification de ce fichier est" in text(page)


def test_the_dry_run_plans_chunk_by_chunk_and_reports_progress(client, firm_a, mapped, monkeypatch):
    monkeypatch.setattr(planning, "CHUNK_SIZE", 2)
    steps: list[int] = []
    advance = JobRun.advance
    monkeypatch.setattr(JobRun, "advance", lambda run, n=1: (steps.append(n), advance(run, n)))
    job = run_dry_run(firm_a.firm)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert steps == [2, 1]
    assert (job.progress, job.total, job.percent) == (3, 3, 100)
    assert job.summary == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    done = the_import(firm_a.firm)
    assert done.status == ClientImport.Status.CHECKED
    assert done.dry_run["counts"] == job.summary
    assert state(firm_a.firm) == (0, 0, 1)  # a dry run writes no client


def test_the_progress_page_moves_on_to_the_review_when_done(client, firm_a, mapped):
    run_dry_run(firm_a.firm)
    running = f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"
    review = f"{base(firm_a.firm)}{mapped.pk}/verification/"
    poll = client.get(running, HTTP_HX_REQUEST="true")
    assert (poll.status_code, poll["HX-Redirect"]) == (200, review)  # htmx loads the whole page
    assert client.get(running)["Location"] == review


def test_resubmitting_the_columns_restarts_the_dry_run(client, firm_a, checked):
    mapping_url = f"{base(firm_a.firm)}{checked.pk}/colonnes/"
    response = client.post(mapping_url, {**MAPPING, "column_4": ""})
    assert response["Location"] == f"{base(firm_a.firm)}{checked.pk}/verification/en-cours/"
    again = the_import(firm_a.firm)
    assert (again.status, again.dry_run) == (ClientImport.Status.CHECKING, {})
    assert again.dry_run_job_id != checked.dry_run_job_id
    assert "4" not in again.mapping
    assert client.get(f"{base(firm_a.firm)}{checked.pk}/verification/").status_code == 302
    run_dry_run(firm_a.firm)
    assert the_import(firm_a.firm).status == ClientImport.Status.CHECKED


def test_a_file_that_cannot_be_read_any_more_fails_the_dry_run_clearly(client, firm_a, mapped):
    mapped.file.storage.delete(mapped.file.name)  # lost by the storage since the upload
    job = run_dry_run(firm_a.firm)
    message = "Le fichier déposé n'est plus disponible : déposez-le de nouveau."
    assert (job.status, job.error) == (Job.Status.FAILED, message)
    assert the_import(firm_a.firm).status == ClientImport.Status.CHECKING

    running = f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"
    page = client.get(running)
    shown = text(page)
    assert message in shown
    assert "Déposer le fichier de nouveau" in shown
    assert 'hx-trigger="every' not in shown  # finished: nothing polls any more
    poll = client.get(running, HTTP_HX_REQUEST="true")
    assert "Déposer le fichier de nouveau" in text(poll)
    # Neither the review nor the confirmation is reachable after a failed dry run.
    assert client.get(f"{base(firm_a.firm)}{mapped.pk}/verification/")["Location"] == running
    assert client.post(f"{base(firm_a.firm)}{mapped.pk}/confirmer/")["Location"] == running


def test_collaborators_cannot_follow_a_dry_run(client, firm_a, mapped):
    client.force_login(firm_a.collaborator.user)
    running = f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/"
    assert client.get(running).status_code == 403
    assert client.get(running, HTTP_HX_REQUEST="true").status_code == 403


@pytest.mark.worker
def test_the_worker_runs_the_dry_run(client, celery_worker, firm_a, mapped):
    wait_until(lambda: the_import(firm_a.firm).status == ClientImport.Status.CHECKED)
    wait_until(lambda: the_job(firm_a.firm, mapped.dry_run_job_id).is_finished)
    job = the_job(firm_a.firm, mapped.dry_run_job_id)
    assert (job.status, job.progress, job.total, job.attempts) == ("succeeded", 3, 3, 1)
    review = client.get(f"{base(firm_a.firm)}{mapped.pk}/verification/en-cours/", follow=True)
    assert review.context["counts"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
