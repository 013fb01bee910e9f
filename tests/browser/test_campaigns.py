"""In a real browser: a supervisor creates a campaign from the filtered set of Cartographie FE,
writes it, looks at its preview, sends a test to themself, then sends it; the worker hands the
e-mails to the SMTP server, once each, and the page shows where each client stands."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.auth import log_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]


def _wait_for(inbox, count: int) -> list:
    deadline = time.monotonic() + 60
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return [message_from_bytes(m.as_bytes(), policy=policy.default) for m in inbox.messages]


@pytest.mark.parametrize("width", [1440, 1024])
def test_a_campaign_from_the_portfolio_is_previewed_tested_and_sent(
    page: Page, live_server, celery_worker, smtp_inbox, firm_a, artifacts_dir, width
):
    firm = firm_a.firm
    factories.make_client(
        firm,
        company_name="Boulangerie Arnaud",
        contact_name="Jeanne Arnaud",
        contact_email="jeanne@arnaud.test",
    )
    factories.make_client(
        firm, company_name="Boulangerie Bastide", billing_emails=["compta@bastide.test"]
    )
    factories.make_client(firm, company_name="Boulangerie Sans Adresse")
    factories.make_client(firm, company_name="Garage Chevalier", contact_email="g@chevalier.test")
    page.set_viewport_size({"width": width, "height": 900})
    log_in_browser(page, live_server.url, firm_a.supervisor.user.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/f/{firm.slug}/cartographie/")
    page.locator("#dash-q").fill("boulangerie")
    expect(page).to_have_url(re.compile(r"q=boulangerie"))
    expect(page.locator("table.table--dash > tbody > tr")).to_have_count(3)
    page.locator("#bulk-scope").select_option("all")
    page.get_by_role("button", name="Nouvelle campagne").click()
    expect(page).to_have_url(re.compile(r"/campagnes/\d+/$"))
    expect(page.get_by_test_id("campaign-skipped")).to_contain_text("1 client ne recevra pas")
    page.screenshot(path=artifacts_dir / f"campaign-draft-{width}.png", full_page=True)

    page.locator("#id_subject").fill("{client} : la réforme arrive")
    page.locator("#id_body").fill(
        "Bonjour {contact},\n\n**Important** : {obligations}.\n\n"
        "- Suivi par {collaborateur}\n\nVotre questionnaire : {lien_questionnaire}\n\n{cabinet}"
    )
    page.get_by_label("Inclure le lien du questionnaire").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Campagne enregistrée.")).to_be_visible()
    preview = page.get_by_test_id("campaign-preview")
    expect(preview).to_contain_text("Boulangerie Arnaud : la réforme arrive")
    expect(preview.locator("strong", has_text="Important")).to_have_count(3)
    expect(preview).to_contain_text("[lien personnel du questionnaire]")
    page.screenshot(path=artifacts_dir / f"campaign-preview-{width}.png", full_page=True)

    page.get_by_role("button", name=re.compile("M'envoyer un test")).click()
    expect(
        page.get_by_text(f"E-mail de test envoyé à {firm_a.supervisor.user.email}.")
    ).to_be_visible()
    [test] = _wait_for(smtp_inbox, 1)
    assert test["To"] == firm_a.supervisor.user.email
    assert test["Subject"].strip().startswith("[Test] Boulangerie")
    smtp_inbox.clear()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Envoyer la campagne").click()
    expect(page.get_by_text("Envoi de la campagne lancé.")).to_be_visible()
    received = _wait_for(smtp_inbox, 2)
    assert sorted(m["To"] for m in received) == ["compta@bastide.test", "jeanne@arnaud.test"]
    arnaud = next(m for m in received if m["To"] == "jeanne@arnaud.test")
    assert "Bonjour Jeanne Arnaud," in arnaud.get_body(("plain",)).get_content()
    assert "/desabonnement/" in arnaud.get_body(("html",)).get_content()
    [link] = re.findall(r"https?://\S+/q/[^/\s]+/", arnaud.get_body(("plain",)).get_content())

    expect(page.get_by_test_id("funnel-sent")).to_have_text("2", timeout=30_000)
    page.reload()
    expect(page.locator('tr[data-state="sent"]')).to_have_count(2)
    expect(page.locator('tr[data-state="skipped"]')).to_contain_text("Boulangerie Sans Adresse")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts_dir / f"campaign-sent-{width}.png", full_page=True)

    # The client opens its link (in its own browser): the funnel counts it.
    visitor = page.context.browser.new_page()
    visitor.goto(live_server.url + urlsplit(link).path)
    expect(visitor.get_by_text("Boulangerie Arnaud").first).to_be_visible()
    visitor.close()
    page.reload()
    expect(page.get_by_test_id("funnel-opened")).to_have_text("1")
    page.screenshot(path=artifacts_dir / f"campaign-opened-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/f/{firm.slug}/campagnes/")
    expect(page.get_by_role("link", name="{client} : la réforme arrive")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"campaign-list-{width}.png", full_page=True)
    time.sleep(1)
    assert len(smtp_inbox.messages) == 2  # nothing sent twice
