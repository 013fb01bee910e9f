"""In a real browser: a collaborator fills a client's cartography."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cartography.models import ClientPlatform, ClientSoftware, DigitalProfile
from firms.tenancy import firm_scope
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_collaborator_fills_a_clients_cartography(
    page: Page, live_server, firm_a, default_catalogues, artifacts_dir
):
    firm = firm_a.firm
    client = factories.make_client(
        firm, assigned_to=firm_a.collaborator.user, company_name="Boulangerie Martin"
    )
    page.set_viewport_size({"width": 1440, "height": 1000})
    tab = f"/f/{firm.slug}/clients/{client.pk}/cartographie/"
    log_in_browser(page, live_server.url, firm_a.collaborator.user.email, factories.PASSWORD, tab)

    expect(page).to_have_url(f"{live_server.url}{tab}")
    expect(page.get_by_role("heading", name="Logiciels utilisés")).to_be_visible()
    page.screenshot(path=artifacts_dir / "cartography-empty.png", full_page=True)

    # Autocomplete on the firm's catalogue: type, pick a suggestion, add.
    page.get_by_placeholder("Tapez « Sage », « Pennylane »…").press_sequentially("penny")
    suggestions = page.get_by_role("listbox", name="Suggestions du catalogue")
    suggestion = suggestions.get_by_role("option", name="Pennylane")
    expect(suggestion).to_be_visible()
    page.screenshot(path=artifacts_dir / "cartography-autocomplete.png")
    suggestion.click()
    expect(page.get_by_test_id("picked-software")).to_have_text("Pennylane")
    page.get_by_test_id("software-add").get_by_label("Version").fill("2026")
    page.get_by_text("Sert à émettre").click()
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_test_id("software-table")).to_contain_text("Pennylane")
    expect(page.get_by_test_id("software-table")).to_contain_text("Prêt")

    # Reception platform: chosen.
    reception = page.get_by_test_id("platform-reception")
    reception.get_by_label("Plateforme agréée").select_option(label="PENNYLANE")
    reception.get_by_label("Statut").select_option(label="Choisie")
    reception.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("platform-reception")).to_contain_text("PENNYLANE · Choisie")

    # The profile: each answer saved as it changes.
    page.get_by_label("Comment les factures sont-elles produites aujourd'hui ?").select_option(
        label="Word / Excel"
    )
    expect(page.get_by_test_id("profile-invoice_tool")).to_contain_text("Enregistré")
    received = page.get_by_label("Factures reçues par mois")
    received.fill("1 250")
    received.press("Tab")
    expect(page.get_by_test_id("profile-invoices_received_per_month")).to_contain_text("Enregistré")
    paper = page.get_by_label("Part des factures reçues sur papier (%)")
    paper.fill("150")
    paper.press("Tab")
    expect(page.get_by_test_id("profile-paper_share_received")).to_contain_text("entre 0 et 100")
    page.screenshot(path=artifacts_dir / "cartography-error.png", full_page=True)
    page.get_by_label("Part des factures reçues sur papier (%)").fill("60")
    page.get_by_label("Part des factures reçues sur papier (%)").press("Tab")
    expect(page.get_by_test_id("profile-paper_share_received")).to_contain_text("Enregistré")
    page.screenshot(path=artifacts_dir / "cartography-filled.png", full_page=True)

    with firm_scope(firm):
        software = ClientSoftware.objects.for_firm(firm).select_related("product").get()
        platform = ClientPlatform.objects.for_firm(firm).get()
        profile = DigitalProfile.objects.for_firm(firm).get()
    assert software.product.name == "Pennylane" and software.used_for_issuing
    assert software.version == "2026"
    assert platform.role == "reception" and platform.status == "chosen"
    assert profile.invoice_tool == "word_excel"
    assert profile.invoices_received_per_month == 1250
    assert profile.paper_share_received == 60

    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/historique/")
    expect(page.locator(".timeline")).to_contain_text("Logiciel ajouté : Pennylane")
    page.screenshot(path=artifacts_dir / "cartography-history.png", full_page=True)
