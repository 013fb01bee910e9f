"""In a real browser: a supervisor exports the whole filtered set of Cartographie FE from its bulk
bar, follows the job and downloads the workbook; the client list exports its filtered list."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server, membership) -> None:
    log_in_browser(page, live_server.url, membership.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))


@pytest.mark.parametrize("width", [1440, 1024])
def test_a_supervisor_downloads_the_full_export_from_the_portfolio(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, tmp_path, width
):
    firm = firm_a.firm
    mine = firm_a.collaborator.user
    names = ["Boulangerie Arnaud", "=Garage Bastide", "Café Chevalier"]
    clients = [
        factories.make_client(firm, company_name=name, assigned_to=mine, tags=["mailing"])
        for name in names
    ]
    others = [factories.make_client(firm, company_name=f"Autre {n}") for n in range(3)]
    with firm_scope(firm):
        score_clients(firm=firm, client_ids=[each.pk for each in [*clients, *others]])
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, firm_a.supervisor)

    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/?collaborator={mine.pk}")
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(3)
    page.locator("#bulk-scope").select_option("all")
    page.locator("#bulk-export-format").select_option("xlsx")
    page.screenshot(path=artifacts_dir / f"exports-portfolio-bar-{width}.png", full_page=True)
    page.get_by_role("button", name="Exporter", exact=True).click()

    expect(page).to_have_url(re.compile(r"/travaux/\d+/"))
    expect(page.get_by_text("Export de 3 clients lancé.")).to_be_visible()
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible(timeout=60_000)
    page.screenshot(path=artifacts_dir / f"exports-job-{width}.png", full_page=True)
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"portefeuille-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    exported = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert exported == ["'=Garage Bastide", "Boulangerie Arnaud", "Café Chevalier"]


def test_the_client_list_exports_its_filtered_list(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, tmp_path
):
    firm = firm_a.firm
    for name in ("Ardoise", "Zinc"):
        factories.make_client(firm, company_name=name, tags=["mailing"])
    for number in range(4):
        factories.make_client(firm, company_name=f"Autre {number}")
    page.set_viewport_size({"width": 1440, "height": 900})
    _log_in(page, live_server, firm_a.supervisor)
    page.goto(f"{live_server.url}/f/{firm.slug}/clients/")
    # The filter changes the list through htmx: the export must follow it.
    page.locator("#tag").fill("mailing")
    page.locator("#tag").press("Enter")
    expect(page.locator("#client-table tbody tr")).to_have_count(2)
    page.locator("#client-export-format").select_option("csv")
    page.screenshot(path=artifacts_dir / "exports-client-list-1440.png", full_page=True)
    page.get_by_test_id("client-export").click()
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / "export.csv"
    info.value.save_as(saved)
    lines = saved.read_bytes().decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Ardoise;") and lines[2].startswith("Zinc;")
