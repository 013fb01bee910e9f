"""In a real browser: a supervisor filters Cartographie FE, generates the synthesis reports of the
whole filtered set, gets the ZIP, then generates a new version from a client's Rapports tab."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from reports.models import SynthesisReport
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser
from tests.pdf.poppler import save_as_png
from tests.reports.conftest import ANSWERS

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 1024])
def test_reports_of_a_filtered_portfolio(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, width
):
    firm = firm_a.firm
    # Nothing known about these two: the score counts every unknown at its worst (high).
    urgent = [
        factories.make_client(firm, company_name=name, contact_name="Paul Durand")
        for name in ("Boulangerie Arnaud", "Garage Bastide")
    ]
    calm = factories.make_client(firm, company_name="Café Chevalier")
    with firm_scope(firm):
        from fiscal_questionnaire import services as questionnaire_services

        questionnaire_services.save_answers(
            firm=firm, client=calm, values={**ANSWERS, "vat_liable": False}, by=None
        )
        score_clients(firm=firm, client_ids=[c.pk for c in [*urgent, calm]])
    page.set_viewport_size({"width": width, "height": 900})
    log_in_browser(page, live_server.url, firm_a.supervisor.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))

    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/?urgency=high")
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(2)
    page.locator("#bulk-scope").select_option("all")
    page.screenshot(path=artifacts_dir / f"reports-portfolio-{width}.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Générer les rapports de synthèse").click()

    expect(page).to_have_url(re.compile(r"/rapports/lots/\d+/"))
    expect(page.get_by_test_id("batch-summary")).to_be_visible(timeout=60_000)
    page.screenshot(path=artifacts_dir / f"reports-batch-{width}.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert len(pdfs) == 2 and "registre.csv" in archive.namelist()
    # The report's pages, to look at: test-artifacts/reports/batch-<width>-1.png and on.
    assert save_as_png(archive.read(pdfs[0]), artifacts_dir / "reports" / f"batch-{width}")
    with firm_scope(firm):
        reported = set(SynthesisReport.objects.for_firm(firm).values_list("client_id", flat=True))
    assert reported == {client.pk for client in urgent}

    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{urgent[0].pk}/rapports/")
    expect(page.get_by_test_id("report-1")).to_be_visible()
    page.get_by_role("button", name="Générer un rapport").click()
    expect(page.get_by_test_id("report-2")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("reports-panel").locator(".job")).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )
    expect(page.get_by_test_id("report-1")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"reports-tab-{width}.png", full_page=True)
