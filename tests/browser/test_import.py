"""In a real browser: a supervisor imports a portfolio, sees a bad row in the dry run, fixes the
file, imports it and finds the import in a client's history; a large file's dry run shows its
progress bar, then the review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clients.importing.reading import MAX_ROWS
from clients.models import Client, ClientImport, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = "Raison sociale;SIREN;Code NAF;CP;Ville;Email\n"
GOOD_ROW = "Boulangerie Éclair;552100554;10.71C;69002;Lyon;contact@eclair.test\n"


def portfolio(tmp_path, name: str, garage_siren: str):
    path = tmp_path / name
    garage = f"Garage Moreau;{garage_siren};45.20A;69100;Villeurbanne;atelier@moreau.test\n"
    path.write_bytes((HEADER + GOOD_ROW + garage).encode("cp1252"))  # as accounting software
    return path


def upload_and_check(page: Page, path) -> None:
    page.get_by_label("Fichier des clients").set_input_files(path)
    page.get_by_role("button", name="Lire le fichier").click()
    # The file is read in the worker; its progress page moves on to the columns by itself.
    expect(page.get_by_role("heading", name="Colonnes du fichier")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Vérifier l'import").click()
    # The dry run runs in the worker; its progress page moves on to the review by itself.
    expect(page.get_by_role("heading", name="Vérification avant import")).to_be_visible(
        timeout=30_000
    )


def log_in(page: Page, live_server, firm_a) -> None:
    slug = firm_a.firm.slug
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in_browser(
        page,
        live_server.url,
        firm_a.supervisor.user.email,
        factories.PASSWORD,
        f"/f/{slug}/clients/",
    )
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()


def test_a_supervisor_fixes_a_rejected_row_then_imports(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, tmp_path
):
    log_in(page, live_server, firm_a)
    page.get_by_role("link", name="Importer").click()
    expect(page.get_by_role("heading", name="Importer des clients")).to_be_visible()
    page.screenshot(path=artifacts_dir / "import-upload.png", full_page=True)
    page.get_by_label("Fichier des clients").set_input_files(
        portfolio(tmp_path, "portefeuille.csv", "732829321")  # wrong check digit
    )
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_text("CSV · Windows-1252 · séparateur point-virgule")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_label("SIREN", exact=True)).to_have_value("siren")
    page.screenshot(path=artifacts_dir / "import-columns.png", full_page=True)
    page.get_by_role("button", name="Vérifier l'import").click()

    bad_row = page.locator('tr[data-line="3"]')
    expect(bad_row).to_contain_text("Garage Moreau", timeout=30_000)
    expect(bad_row).to_contain_text(
        "SIREN : Ce SIREN n'existe pas : sa clé de contrôle est fausse."
    )
    expect(page.get_by_role("alert")).to_contain_text("1 ligne rejetée ne sera pas importée")
    page.screenshot(path=artifacts_dir / "import-dry-run-error.png", full_page=True)
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()  # the dry run wrote nothing

    page.get_by_role("link", name="Déposer un fichier corrigé").click()
    upload_and_check(page, portfolio(tmp_path, "portefeuille-corrige.csv", "732829320"))
    expect(page.get_by_test_id("import-counts")).to_contain_text("2 à créer")
    expect(page.get_by_test_id("import-counts")).to_contain_text("0 rejetée")
    page.screenshot(path=artifacts_dir / "import-dry-run-clean.png", full_page=True)

    page.get_by_role("button", name="Confirmer l'import").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible(timeout=30_000)
    expect(summary).to_contain_text(re.compile(r"Clients créés\s*2"))
    expect(page.get_by_test_id("job-download")).to_be_visible()
    # Progress, summary and what the page says all tell the end, without a reload.
    expect(page.get_by_test_id("import-state")).to_contain_text("Import terminé le")
    expect(page.locator("#import-live .job")).to_contain_text("Terminé")
    expect(page.get_by_text("l'import continue")).to_have_count(0)
    expect(page.get_by_text("s'affichera ici")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "import-result.png", full_page=True)

    page.get_by_role("link", name="Voir les clients").click()
    page.get_by_role("link", name="Garage Moreau").click()
    expect(page.get_by_role("heading", name="Garage Moreau")).to_be_visible()
    history = page.locator(".timeline__item").first
    expect(history).to_contain_text("Fiche créée : Garage Moreau")
    expect(history).to_contain_text(f"par {firm_a.supervisor.user.full_name}")
    expect(history).to_contain_text("atelier@moreau.test")
    page.screenshot(path=artifacts_dir / "import-client-history.png", full_page=True)
    with firm_scope(firm_a.firm):
        entry = HistoryEntry.objects.for_firm(firm_a.firm).get(client__siren="732829320")
    assert entry.action == HistoryEntry.Action.IMPORTED


def test_a_large_files_dry_run_shows_its_progress_then_the_review(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, tmp_path
):
    # A few seconds of work for the worker (ten chunks of 2,000 rows, about 0.3 s each), so that
    # the page, polling every second, shows the bar between its ends.
    rows = MAX_ROWS
    path = tmp_path / "grand-portefeuille.csv"
    lines = [
        f"Société {n};{factories.valid_siren(200_000 + n)};;69002;Lyon;\n" for n in range(rows)
    ]
    path.write_bytes((HEADER + "".join(lines)).encode("cp1252"))
    log_in(page, live_server, firm_a)
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/clients/import/")
    page.get_by_label("Fichier des clients").set_input_files(path)
    page.get_by_role("button", name="Lire le fichier").click()
    page.get_by_role("button", name="Vérifier l'import").click(timeout=30_000)

    expect(page.get_by_role("heading", name="Vérification du fichier")).to_be_visible()
    expect(page.get_by_text("20\xa0000 lignes de clients")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Avancement")
    expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]\d?$"), timeout=30_000)
    expect(page.locator(".job")).to_contain_text(re.compile(r"[\d\xa0]+ / 20\xa0000"))
    page.screenshot(path=artifacts_dir / "import-dry-run-progress.png", full_page=True)

    expect(page.get_by_role("heading", name="Vérification avant import")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_test_id("import-counts")).to_contain_text("20\xa0000 à créer")
    page.screenshot(path=artifacts_dir / "import-review-large.png")
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()


def test_a_dry_run_whose_file_was_lost_says_so(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, tmp_path
):
    log_in(page, live_server, firm_a)
    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/clients/import/")
    page.get_by_label("Fichier des clients").set_input_files(
        portfolio(tmp_path, "portefeuille.csv", "732829320")
    )
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_role("heading", name="Colonnes du fichier")).to_be_visible(timeout=30_000)
    with firm_scope(firm_a.firm):
        upload = ClientImport.objects.for_firm(firm_a.firm).get()
    upload.file.storage.delete(upload.file.name)  # lost by the storage since the upload
    page.get_by_role("button", name="Vérifier l'import").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Le fichier déposé n'est plus disponible : déposez-le de nouveau.", timeout=30_000
    )
    expect(page.get_by_role("heading", name="Vérification du fichier")).to_be_visible()
    page.screenshot(path=artifacts_dir / "import-dry-run-failed.png", full_page=True)
    page.get_by_role("link", name="Déposer le fichier de nouveau").click()
    expect(page.get_by_role("heading", name="Importer des clients")).to_be_visible()
