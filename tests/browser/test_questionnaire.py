"""In a real browser: a collaborator answers the fiscal questionnaire; questions appear and
disappear as answers are given, each answer is saved at once and the obligations fill in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from firms.models import Role
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer
from tests import factories
from tests.auth import log_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NNBSP = "\u202f"


@pytest.fixture
def cast(transactional_db):
    firm = factories.make_firm("Cabinet Lumière")
    collaborator = factories.make_member(
        firm, Role.COLLABORATOR, user=factories.make_user(full_name="Julie Bernard")
    )
    client = factories.make_client(
        firm,
        assigned_to=collaborator.user,
        company_name="Garage Moreau",
        legal_form="SARL",
        naf_code="45.20A",
        postal_code="69007",
        city="Lyon",
        fiscal_year_end="30/06",
    )
    return firm, collaborator, client


def _screenshot(page: Page, path) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky header stays on top
    page.screenshot(path=path, full_page=True)


def _settle(page: Page) -> None:
    """Wait for htmx to finish the requests a change started."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def _yes_no(page: Page, code: str, answer: str) -> None:
    page.locator(f"#answer-{code}-{answer}").click()
    _settle(page)


def _choose(page: Page, code: str, value: str) -> None:
    page.locator(f"#answer-{code}").select_option(value)
    _settle(page)


def _type(page: Page, code: str, text: str) -> None:
    page.locator(f"#answer-{code}").fill(text)
    page.locator(f"#answer-{code}").press("Tab")
    _settle(page)


def _log_in(page: Page, live_server, user) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    log_in_browser(page, live_server.url, user.email, factories.PASSWORD)


def test_a_collaborator_answers_and_sees_the_obligations_fill_in(
    page: Page, live_server, cast, artifacts_dir
):
    firm, collaborator, client = cast
    _log_in(page, live_server, collaborator.user)

    fiscal_url = f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/fiscalite/"
    page.goto(fiscal_url)
    expect(page.get_by_role("heading", name="Questionnaire fiscal")).to_be_visible()
    page.evaluate("() => { window.stillTheSamePage = true }")  # gone if the page reloads
    questions = page.locator("[data-question]")
    expect(questions).to_have_count(1)
    expect(page.locator("#obligations-summary")).to_contain_text("pas encore commencé")
    _screenshot(page, artifacts_dir / "questionnaire-empty.png")

    # Liable to VAT: the questions for liable companies appear.
    _yes_no(page, "vat_liable", "yes")
    expect(page.locator("#question-establishment")).to_be_visible()
    expect(page.locator("#question-vat_group_member")).to_have_count(0)
    # The record suggests a head office in France; confirming saves it like any answer.
    suggestion = page.locator("#question-establishment .suggestion")
    expect(suggestion).to_contain_text("Siège en France")
    suggestion.get_by_role("button", name="Confirmer").click()
    _settle(page)
    expect(page.locator("#answer-establishment")).to_have_value("france_hq")
    expect(page.locator("#question-vat_group_member")).to_be_visible()
    summary = page.locator("#obligations-summary")
    expect(summary.locator('[data-obligation="must_receive"]')).to_contain_text(
        "à partir du 1er septembre 2026"
    )
    _screenshot(page, artifacts_dir / "questionnaire-established.png")

    _yes_no(page, "vat_group_member", "no")
    _choose(page, "exempt_operations", "none")
    _choose(page, "vat_regime", "reel_simplifie")
    expect(page.locator("#question-vat_filing_2027")).to_be_visible()
    _choose(page, "vat_filing_2027", "quarterly")
    expect(page.locator("#reference-year")).to_contain_text("30 juin 2024")
    _type(page, "employees", "12")
    _type(page, "turnover_eur", "1,5 M€")
    expect(page.locator("#answer-turnover_eur")).to_have_value(f"1{NNBSP}500{NNBSP}000")
    _type(page, "balance_sheet_eur", "750 k€")
    expect(page.locator("#answer-balance_sheet_eur")).to_have_value(f"750{NNBSP}000")
    for code, answer in (
        ("sells_b2b_domestic", "yes"),
        ("sells_b2c", "yes"),
        ("sells_international", "no"),
        ("buys_international", "yes"),
        ("sells_public_sector", "no"),
    ):
        _yes_no(page, code, answer)

    # Services: the option for VAT on debits is asked; goods only: it is not.
    _choose(page, "activity_nature", "services")
    expect(page.locator("#question-vat_on_debits")).to_be_visible()
    _choose(page, "activity_nature", "goods")
    expect(page.locator("#question-vat_on_debits")).to_have_count(0)
    _screenshot(page, artifacts_dir / "questionnaire-goods.png")
    _choose(page, "activity_nature", "mixed")
    _yes_no(page, "vat_on_debits", "no")

    expect(summary).to_contain_text("Questionnaire complet")
    expect(summary.locator('[data-obligation="size_category"]')).to_contain_text("PME")
    expect(summary.locator('[data-obligation="must_issue"]')).to_contain_text(
        "à partir du 1er septembre 2027"
    )
    expect(summary.locator('[data-obligation="e_reporting_frequency"]')).to_contain_text(
        "Mensuelle"
    )
    expect(page.locator("#question-vat_liable")).to_contain_text("Julie Bernard")
    assert page.evaluate("() => window.stillTheSamePage") is True
    _screenshot(page, artifacts_dir / "questionnaire-complete.png")

    # A number that cannot be read is refused with its message, and what was typed stays.
    _type(page, "employees", "une douzaine")
    expect(page.locator("#question-employees")).to_contain_text("Nombre attendu")
    expect(page.locator("#answer-employees")).to_have_value("une douzaine")
    _type(page, "employees", "12")

    with firm_scope(firm):
        saved = dict(
            Answer.objects.for_firm(firm).filter(client=client).values_list("code", "value")
        )
    assert saved["turnover_eur"] == 1_500_000 and saved["activity_nature"] == "mixed"
    assert saved["employees"] == 12

    summary.get_by_role("link", name="Détail et raisons").click()
    expect(
        page.get_by_role("heading", name="Obligations de facturation électronique")
    ).to_be_visible()
    expect(page.locator('tr[data-obligation="must_receive"]')).to_contain_text("CGI, art. 289 bis")
    _screenshot(page, artifacts_dir / "obligations-tab.png")

    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/")
    expect(page.locator("#obligations-summary")).to_contain_text("Questionnaire complet")
    _screenshot(page, artifacts_dir / "client-summary-obligations.png")


# Asked only of a company established in France.
FRENCH_ONLY_QUESTIONS = (
    "vat_group_member",
    "exempt_operations",
    "sells_international",
    "buys_international",
    "sells_public_sector",
)


def test_a_company_without_establishment_in_france_is_asked_its_size(
    page: Page, live_server, cast, artifacts_dir
):
    firm, collaborator, client = cast
    _log_in(page, live_server, collaborator.user)
    page.goto(f"{live_server.url}/f/{firm.slug}/clients/{client.pk}/fiscalite/")
    _yes_no(page, "vat_liable", "yes")
    _choose(page, "establishment", "none_in_france")
    for code in ("employees", "turnover_eur", "balance_sheet_eur", "size_category_override"):
        expect(page.locator(f"#question-{code}")).to_be_visible()
    for code in FRENCH_ONLY_QUESTIONS:
        expect(page.locator(f"#question-{code}")).to_have_count(0)

    _choose(page, "vat_regime", "reel_normal_mensuel")
    _yes_no(page, "sells_b2b_domestic", "yes")
    _yes_no(page, "sells_b2c", "yes")
    _choose(page, "activity_nature", "goods")
    summary = page.locator("#obligations-summary")
    reporting = summary.locator('[data-obligation="e_reporting_transactions"]')
    expect(reporting).to_contain_text("Oui")
    expect(reporting).not_to_contain_text("à partir du")  # the size is not known yet
    expect(summary).to_contain_text("Effectif")

    _type(page, "employees", "300")
    _type(page, "turnover_eur", "10 M€")
    expect(summary.locator('[data-obligation="size_category"]')).to_contain_text(
        "Entreprise de taille intermédiaire"
    )
    expect(reporting).to_contain_text("à partir du 1er septembre 2026")
    expect(summary.locator('[data-obligation="must_receive"]')).to_contain_text("Non")
    expect(summary.locator('[data-obligation="must_issue"]')).to_contain_text("Non")
    expect(summary).to_contain_text("Questionnaire complet")
    _screenshot(page, artifacts_dir / "questionnaire-not-established.png")

    # A head office in France after all: the questions for French companies come back.
    _choose(page, "establishment", "france_hq")
    for code in FRENCH_ONLY_QUESTIONS:
        expect(page.locator(f"#question-{code}")).to_be_visible()
    expect(page.locator("#question-employees")).to_be_visible()
    expect(page.locator("#answer-employees")).to_have_value("300")
