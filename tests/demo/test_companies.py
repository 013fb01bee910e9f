"""The demo data generators: valid identifiers, coherent companies, the same output for a seed."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum import luhn
from stdnum.fr import siren, siret, tva

from clients.naf import naf_labels
from demo.companies import (
    ACTIVITIES,
    ASSOCIATION,
    CITIES,
    CORPORATE_TAX_FORMS,
    DELIVERY_EMAIL,
    DELIVERY_EMAIL_REFUSED,
    DELIVERY_PAPER,
    REVIEW_WINDOW_DAYS,
    DemoCompany,
    generate_companies,
    luhn_check_digit,
    vat_number_for_siren,
)

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
NAF_FORMAT = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
# ARCEP's ranges for fiction: 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49, 06 39 98.
FICTION_PHONE = re.compile(r"^(01 99 00|02 61 91|03 53 01|04 65 71|05 36 49|06 39 98) \d{2} \d{2}$")
POSTAL_CODES_OF_CITY = {name: set(codes) for name, codes in CITIES}


@pytest.fixture(scope="module")
def companies() -> list[DemoCompany]:
    return generate_companies(2000, seed=7, now=NOW)


def test_sirens_and_sirets_are_valid(companies):
    for company in companies:
        assert siren.is_valid(company.siren), company
        assert siret.is_valid(company.siret), company
        assert company.siret.startswith(company.siren)


def test_vat_numbers_are_valid_and_derived_from_the_siren(companies):
    with_vat = [company for company in companies if company.vat_number]
    assert len(with_vat) > len(companies) * 0.7
    for company in with_vat:
        assert tva.is_valid(company.vat_number), company
        assert company.vat_number == "FR" + tva.compact(company.vat_number)
        assert tva.to_siren(company.vat_number) == company.siren


def test_only_exempt_companies_lack_a_vat_number(companies):
    for company in companies:
        if not company.vat_number:
            exempt = "franchise en base de TVA" in company.tags
            assert exempt or company.legal_form in {ASSOCIATION, "SCI"}, company


def test_sirens_are_unique(companies):
    assert len({company.siren for company in companies}) == len(companies)


def test_taken_sirens_are_never_drawn():
    taken = {company.siren for company in generate_companies(500, seed=1, now=NOW)}
    again = generate_companies(500, seed=1, now=NOW, taken_sirens=taken)
    assert not taken & {company.siren for company in again}


def test_luhn_check_digit_agrees_with_stdnum():
    rng = random.Random(3)
    for _ in range(500):
        payload = str(rng.randrange(10**12, 10**13))
        assert luhn_check_digit(payload) == luhn.calc_check_digit(payload)


def test_vat_number_agrees_with_stdnum():
    for number in ("732829320", "404833048", "552100554"):
        assert vat_number_for_siren(number) == "FR" + siren.to_tva(number)


def test_naf_codes_have_the_official_format_and_a_label(companies):
    assert len(naf_labels()) == 732  # every sub-class of NAF rév. 2
    for code, label in naf_labels().items():
        assert NAF_FORMAT.match(code), code
        assert label.strip() == label and label, code
    for company in companies:
        assert company.naf_code in naf_labels()
    assert {activity.naf_code for activity in ACTIVITIES} <= set(naf_labels())


def test_addresses_are_in_real_cities_with_their_postal_code(companies):
    for company in companies:
        assert re.fullmatch(r"\d{5}", company.postal_code), company
        assert company.postal_code in POSTAL_CODES_OF_CITY[company.city], company
        assert re.match(r"^\d+( bis)? \S", company.address), company


def test_names_are_plausible(companies):
    names = [company.company_name for company in companies]
    assert len(set(names)) > len(names) * 0.8
    for name in names:
        assert "{" not in name and "lorem" not in name.lower()
        # Elision is applied: "Les Amis d'Évry", not "Les Amis de Évry".
        assert not re.search(r"\bde [AEIOUÉ]", name), name


def test_legal_forms_are_coherent_with_names_activities_and_tags(companies):
    for company in companies:
        if company.legal_form == "SCI":
            assert company.company_name.startswith("SCI ")
            assert company.naf_code in {"68.20A", "68.20B"}
        if company.naf_code in {"93.12Z", "94.99Z", "90.01Z"}:
            assert company.legal_form == ASSOCIATION
        if company.legal_form in CORPORATE_TAX_FORMS:
            assert "IS" in company.tags
    forms = {company.legal_form for company in companies}
    assert {"SARL", "SAS", "SASU", "EURL", "EI", "micro-entreprise", "SCI", ASSOCIATION} <= forms


def test_a_sole_trader_is_its_own_contact(companies):
    sole_traders = [c for c in companies if c.legal_form in {"EI", "micro-entreprise"}]

    def register_style(contact_name: str) -> str:
        first_name, last_name = contact_name.split(" ", 1)
        return f"{last_name.upper()} {first_name}"

    named_after_the_contact = [
        company
        for company in sole_traders
        if company.company_name.removesuffix(" EI") == register_style(company.contact_name)
    ]
    # About three in ten are registered under their owner's name ("MARTIN Sophie").
    assert len(named_after_the_contact) > len(sole_traders) * 0.2


def test_contacts_and_billing_addresses(companies):
    for company in companies:
        assert len(company.contact_name.split()) >= 2
        validate_email(company.contact_email)
        assert FICTION_PHONE.match(company.contact_phone), company.contact_phone
        assert 0 <= len(company.billing_emails) <= 2
        assert len(set(company.billing_emails)) == len(company.billing_emails)
        for email in company.billing_emails:
            validate_email(email)


def test_email_addresses_are_ascii(companies):
    for company in companies:
        for email in [company.contact_email, *company.billing_emails]:
            assert email.isascii(), email
    with pytest.raises(ValidationError):
        validate_email("not an address")


def test_preferences_are_spread_like_a_real_portfolio(companies):
    deliveries = [company.invoice_delivery for company in companies]
    assert set(deliveries) == {DELIVERY_EMAIL, DELIVERY_PAPER, DELIVERY_EMAIL_REFUSED}
    assert deliveries.count(DELIVERY_EMAIL) > len(companies) * 0.7
    year_ends = [company.fiscal_year_end for company in companies]
    assert set(year_ends) == {"31/12", "30/06", "31/03", "30/09"}
    assert year_ends.count("31/12") > len(companies) * 0.6


def test_last_reviews_spread_over_fourteen_months(companies):
    reviews = [company.last_reviewed_at for company in companies]
    dated = [review for review in reviews if review is not None]
    assert 0 < reviews.count(None) < len(reviews) * 0.3
    oldest = NOW - timedelta(days=REVIEW_WINDOW_DAYS + 1)
    assert all(oldest <= review < NOW and review.tzinfo is not None for review in dated)
    assert min(dated) < NOW - timedelta(days=365) and max(dated) > NOW - timedelta(days=30)


def test_the_same_seed_gives_the_same_companies():
    first = generate_companies(300, seed=42, now=NOW)
    assert first == generate_companies(300, seed=42, now=NOW)
    assert first != generate_companies(300, seed=43, now=NOW)
