"""In a real browser: an administrator issues a draft, previews the e-mail of the firm's
settings on it, then sends the batch; the worker hands the e-mail to the SMTP server, with the
invoice's Factur-X PDF attached."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy

import pytest
from facturx import get_xml_from_pdf
from playwright.sync_api import Page, expect

from firms.tenancy import firm_scope
from invoicing.models import Invoice
from tests import factories
from tests.auth import log_in_browser
from tests.invoicing.conftest import complete_seller, line, make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [1440, 1024])
def test_an_invoice_is_issued_previewed_and_sent(
    page: Page, live_server, celery_worker, smtp_inbox, firm_a, artifacts_dir, width
):
    complete_seller(firm_a.firm)
    buyer = factories.make_client(
        firm_a.firm,
        company_name="Boulangerie Martin",
        siren="732829320",
        vat_number="FR44732829320",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        billing_emails=["compta@boulangerie-martin.test"],
    )
    draft = make_draft(firm_a, buyer, line("Tenue comptable de novembre", "1", "450"))
    page.set_viewport_size({"width": width, "height": 900})
    log_in_browser(page, live_server.url, firm_a.admin.user.email, factories.PASSWORD)

    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/factures/{draft.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Émettre").click()
    expect(page.get_by_role("heading", name=re.compile(r"FA-\d{4}-000001"))).to_be_visible()
    page.screenshot(path=artifacts_dir / f"invoice-issued-{width}.png", full_page=True)
    with firm_scope(firm_a.firm):
        invoice = Invoice.objects.for_firm(firm_a.firm).get(pk=draft.pk)

    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/parametres/facturation/envoi/apercu/")
    preview = page.locator("#email-preview")
    expect(preview).to_contain_text(invoice.number)
    expect(preview).to_contain_text("Boulangerie Martin")
    page.screenshot(path=artifacts_dir / f"invoice-email-preview-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/factures/envoi/")
    expect(page.get_by_label(f"Envoyer {invoice.number}")).to_be_checked()
    page.screenshot(path=artifacts_dir / f"invoice-sending-{width}.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Envoyer la sélection").click()
    expect(page).to_have_url(re.compile(r"/travaux/\d+/"))

    deadline = time.monotonic() + 60
    while not smtp_inbox.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(smtp_inbox.messages) == 1
    received = message_from_bytes(smtp_inbox.messages[0].as_bytes(), policy=policy.default)
    assert received["To"] == "compta@boulangerie-martin.test"
    assert invoice.number in received["Subject"]
    [attachment] = list(received.iter_attachments())
    _, xml = get_xml_from_pdf(attachment.get_content(), check_xsd=True)
    assert invoice.number.encode() in xml
    page.screenshot(path=artifacts_dir / f"invoice-sent-job-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/f/{firm_a.firm.slug}/factures/{invoice.pk}/")
    expect(page.get_by_text("Envoyée", exact=True).first).to_be_visible(timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts_dir / f"invoice-delivered-{width}.png", full_page=True)
