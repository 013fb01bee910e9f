"""In a real browser: a supervisor generates the mandates of checked clients from Cartographie FE,
gets the JeSignExpert export, marks the batch as sent, and sees the statuses in the table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from mandates.models import Mandate
from scoring.services import score_clients
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 1024])
def test_a_batch_of_mandates_from_the_portfolio(
    page: Page, live_server, celery_worker, firm_a, artifacts_dir, width
):
    firm = firm_a.firm
    ready = [
        factories.make_client(
            firm,
            company_name=name,
            signer_civility="M.",
            signer_first_name="Paul",
            signer_last_name=name.split()[-1],
            signer_email=f"{name.split()[-1].lower()}@example.test",
            signer_mobile="+33639980" + str(100 + index),
        )
        for index, name in enumerate(["Boulangerie Arnaud", "Garage Bastide"])
    ]
    no_mobile = factories.make_client(
        firm, company_name="Café Chevalier", signer_last_name="Chevalier", signer_email="c@x.test"
    )
    with firm_scope(firm):
        score_clients(firm=firm, client_ids=[c.pk for c in [*ready, no_mobile]])
    page.set_viewport_size({"width": width, "height": 900})
    log_in_browser(page, live_server.url, firm_a.supervisor.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))

    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/")
    for client in [*ready, no_mobile]:
        page.get_by_label(f"Sélectionner {client.company_name}").check()
    expect(page.get_by_text("3 clients cochés")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Générer les mandats").click()

    expect(page).to_have_url(re.compile(r"/mandats/lots/\d+/"))
    summary = page.get_by_test_id("batch-summary")
    expect(summary).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("job-download")).to_be_visible()
    expect(page.get_by_text("pas de numéro de mobile")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"mandates-batch-{width}.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Marquer le lot comme envoyé")).click()
    expect(page.get_by_text("2 envoyé(s) pour signature")).to_be_visible()
    with firm_scope(firm):
        statuses = dict(Mandate.objects.for_firm(firm).values_list("client_id", "status"))
    assert statuses == {ready[0].pk: "sent", ready[1].pk: "sent", no_mobile.pk: "to_sign"}

    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/?mandate=sent")
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(2)
    page.screenshot(path=artifacts_dir / f"mandates-portfolio-{width}.png", full_page=True)
