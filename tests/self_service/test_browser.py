"""In a real browser: a client answers on a phone through its link, each answer saved as it is
given, and sends; the collaborator reviews the answers on the client sheet at 1440 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cartography.models import Platform
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer
from self_service import services
from self_service.models import Proposal
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def saved(page: Page, answers: int) -> None:
    """The page says the answer is saved, and htmx has finished putting the new form in place
    (its fields answer to changes only then, a few milliseconds after the text shows)."""
    count = "1 réponse enregistrée" if answers == 1 else f"{answers} réponses enregistrées"
    expect(page.get_by_text(count, exact=True)).to_be_visible()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def test_a_client_answers_on_a_phone_and_the_collaborator_reviews(
    page: Page, live_server, firm_a, artifacts_dir, settings
):
    settings.SITE_URL = live_server.url
    firm = firm_a.firm
    company = factories.make_client(
        firm,
        assigned_to=firm_a.collaborator.user,
        company_name="Boulangerie Martin",
        billing_emails=["compta@boulangerie-martin.test"],
    )
    with firm_scope(firm):
        Platform.objects.create(firm=firm, name="Plateforme Alpha")
        issued = services.issue_link(client=company, user=firm_a.collaborator.user)

    # The client, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(issued.url)
    expect(page.get_by_role("heading", name="Boulangerie Martin")).to_be_visible()
    page.get_by_role("group", name=re.compile("assujettie à la TVA")).get_by_label("Oui").check()
    # The answer makes the next questions appear (the new form takes changes once htmx has
    # settled it).
    saved(page, 1)
    establishment = page.get_by_label("Où l'entreprise est-elle établie ?")
    expect(establishment).to_be_visible()
    establishment.select_option(index=1)
    saved(page, 2)
    turnover = page.get_by_label(re.compile("Chiffre d'affaires HT"))
    turnover.fill("beaucoup")
    turnover.press("Tab")
    expect(page.get_by_text("Nombre attendu")).to_be_visible()
    page.get_by_label(re.compile("Chiffre d'affaires HT")).fill("1,2 M€")
    page.get_by_label(re.compile("Chiffre d'affaires HT")).press("Tab")
    saved(page, 3)
    page.get_by_label("Quelle plateforme agréée (PA) avez-vous choisie ?").select_option(
        label="Plateforme Alpha"
    )
    saved(page, 4)
    emails = page.get_by_label("À quelles adresses e-mail envoyer vos factures ?")
    emails.fill("factures@boulangerie-martin.test")
    emails.press("Tab")
    saved(page, 5)
    # Nothing wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=artifacts_dir / "self-service-client-390.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Envoyer au cabinet").click()
    expect(page.get_by_text("Merci, vos réponses ont été envoyées")).to_be_visible()
    page.screenshot(path=artifacts_dir / "self-service-client-sent-390.png", full_page=True)
    with firm_scope(firm):
        proposal = Proposal.objects.for_firm(firm).get(client=company)
        assert proposal.submitted_at is not None
        assert not Answer.objects.for_firm(firm).filter(client=company).exists()

    # The collaborator, on a desktop.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in_browser(page, live_server.url, firm_a.collaborator.user.email, factories.PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/connexion/"))
    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{company.pk}/")
    review = page.locator("#self-service")
    expect(review.get_by_text("Réponses du client à valider")).to_be_visible()
    expect(review.get_by_text("compta@boulangerie-martin.test")).to_be_visible()
    page.screenshot(path=artifacts_dir / "self-service-review-1440.png", full_page=True)
    rows = review.locator("tbody tr")
    expect(rows).to_have_count(5)
    vat = review.locator("tr", has_text="assujettie à la TVA")
    vat.get_by_role("button", name="Accepter").click()
    expect(vat.get_by_text("Accepté")).to_be_visible()
    mails = review.locator("tr", has_text="E-mails de facturation")
    mails.get_by_text("Modifier").click()
    mails.get_by_role("textbox").fill(
        "factures@boulangerie-martin.test\ncompta@boulangerie-martin.test"
    )
    mails.get_by_role("button", name="Enregistrer cette valeur").click()
    expect(
        review.locator("tr", has_text="E-mails de facturation").get_by_text("Modifié puis accepté")
    ).to_be_visible()
    platform = review.locator("tr", has_text="Plateforme agréée choisie")
    platform.get_by_role("button", name="Refuser").click()
    expect(
        review.locator("tr", has_text="Plateforme agréée choisie").get_by_text("Refusé")
    ).to_be_visible()
    page.screenshot(path=artifacts_dir / "self-service-reviewed-1440.png", full_page=True)
    with firm_scope(firm):
        assert Answer.objects.for_firm(firm).get(client=company, code="vat_liable").value is True
        company.refresh_from_db()
    assert company.billing_emails == [
        "factures@boulangerie-martin.test",
        "compta@boulangerie-martin.test",
    ]
