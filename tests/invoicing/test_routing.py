"""The route of each invoice after the reform: platform, e-mail or paper (invoicing.routing)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from fiscal_questionnaire.rules import derive_obligations
from invoicing.routing import (
    NEVER,
    BuyerFacts,
    Route,
    buyer_facts_from_obligations,
    decide_route,
    firm_issuing_date_from_obligations,
)

FIRM_DATE = date(2027, 9, 1)
DAY_BEFORE = date(2027, 8, 31)
DAY_AFTER = date(2027, 9, 2)

COMPANY_IN_FRANCE = BuyerFacts(vat_liable_in_france=True)
NOT_IN_SCOPE = BuyerFacts(vat_liable_in_france=False)  # consumer, not liable or foreign
UNKNOWN = BuyerFacts(vat_liable_in_france=None)

PLATFORM = Route("platform")
PLATFORM_AND_COPY = Route("platform", email_copy=True)
EMAIL = Route("email")
PAPER = Route("paper")
EMAIL_TO_CONFIRM = Route("email", to_confirm=True)
PAPER_TO_CONFIRM = Route("paper", to_confirm=True)


@pytest.mark.parametrize(
    ("issue_date", "firm_date", "buyer", "preference", "has_email", "expected"),
    [
        # A VAT-liable company in France: e-mail (or paper) before the firm's date, the
        # platform from the very day, with an e-mail copy for e-mail clients.
        (DAY_BEFORE, FIRM_DATE, COMPANY_IN_FRANCE, "email", True, EMAIL),
        (FIRM_DATE, FIRM_DATE, COMPANY_IN_FRANCE, "email", True, PLATFORM_AND_COPY),
        (DAY_AFTER, FIRM_DATE, COMPANY_IN_FRANCE, "email", True, PLATFORM_AND_COPY),
        (DAY_BEFORE, FIRM_DATE, COMPANY_IN_FRANCE, "paper", True, PAPER),
        (FIRM_DATE, FIRM_DATE, COMPANY_IN_FRANCE, "paper", True, PLATFORM),
        (FIRM_DATE, FIRM_DATE, COMPANY_IN_FRANCE, "refused", True, PLATFORM),
        (FIRM_DATE, FIRM_DATE, COMPANY_IN_FRANCE, "email", False, PLATFORM),
        # Consumers, clients not liable to VAT and foreign clients: never the platform.
        (DAY_BEFORE, FIRM_DATE, NOT_IN_SCOPE, "email", True, EMAIL),
        (FIRM_DATE, FIRM_DATE, NOT_IN_SCOPE, "email", True, EMAIL),
        (DAY_AFTER, FIRM_DATE, NOT_IN_SCOPE, "paper", True, PAPER),
        (DAY_AFTER, FIRM_DATE, NOT_IN_SCOPE, "refused", True, PAPER),
        (DAY_AFTER, FIRM_DATE, NOT_IN_SCOPE, "email", False, PAPER),
        # E-mail refused, or no billing e-mail: paper.
        (DAY_BEFORE, FIRM_DATE, COMPANY_IN_FRANCE, "refused", True, PAPER),
        (DAY_BEFORE, FIRM_DATE, COMPANY_IN_FRANCE, "email", False, PAPER),
        # The firm's own answers missing: the client's preference, to confirm...
        (DAY_BEFORE, None, COMPANY_IN_FRANCE, "email", True, EMAIL_TO_CONFIRM),
        (DAY_AFTER, None, COMPANY_IN_FRANCE, "email", True, EMAIL_TO_CONFIRM),
        (DAY_AFTER, None, COMPANY_IN_FRANCE, "paper", True, PAPER_TO_CONFIRM),
        (DAY_AFTER, None, COMPANY_IN_FRANCE, "email", False, PAPER_TO_CONFIRM),
        (DAY_AFTER, None, UNKNOWN, "email", True, EMAIL_TO_CONFIRM),
        # ...unless the client is out of the platform's reach anyway.
        (DAY_AFTER, None, NOT_IN_SCOPE, "email", True, EMAIL),
        # The client's facts unknown: to confirm once the firm's date has come, not before.
        (DAY_BEFORE, FIRM_DATE, UNKNOWN, "email", True, EMAIL),
        (FIRM_DATE, FIRM_DATE, UNKNOWN, "email", True, EMAIL_TO_CONFIRM),
        (FIRM_DATE, FIRM_DATE, UNKNOWN, "refused", True, PAPER_TO_CONFIRM),
        # A firm that never has to issue through a platform.
        (date(2030, 1, 1), NEVER, COMPANY_IN_FRANCE, "email", True, EMAIL),
    ],
)
def test_decide_route(issue_date, firm_date, buyer, preference, has_email, expected):
    route = decide_route(
        issue_date=issue_date,
        firm_issuing_date=firm_date,
        buyer=buyer,
        preference=preference,
        has_billing_email=has_email,
    )
    assert route == expected


def test_an_unknown_preference_is_refused():
    with pytest.raises(ValueError, match="unknown delivery preference"):
        decide_route(
            issue_date=FIRM_DATE,
            firm_issuing_date=FIRM_DATE,
            buyer=COMPANY_IN_FRANCE,
            preference="fax",
            has_billing_email=True,
        )


@pytest.mark.parametrize(
    ("route", "french", "english"),
    [
        (PLATFORM, "Plateforme agréée", "Approved platform (PA)"),
        (
            PLATFORM_AND_COPY,
            "Plateforme agréée + copie par e-mail",
            "Approved platform (PA) + e-mail copy",
        ),
        (EMAIL, "E-mail", "E-mail"),
        (PAPER, "Papier", "Paper"),
        (EMAIL_TO_CONFIRM, "E-mail (route à confirmer)", "E-mail (route to be confirmed)"),
        (PAPER_TO_CONFIRM, "Papier (route à confirmer)", "Paper (route to be confirmed)"),
    ],
)
def test_labels_in_french_and_english(route, french, english):
    with translation.override("fr"):
        assert route.label == french
    with translation.override("en"):
        assert route.label == english


ESTABLISHED_SME = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "vat_regime": "reel_normal_mensuel",
    "employees": 20,
    "turnover_eur": 3_000_000,
    "balance_sheet_eur": 1_000_000,
    "sells_b2b_domestic": True,
    "sells_b2c": False,
    "sells_international": False,
    "buys_international": False,
    "sells_public_sector": False,
    "activity_nature": "services",
    "vat_on_debits": False,
}


@pytest.mark.parametrize(
    ("answers", "siren", "country", "expected"),
    [
        (ESTABLISHED_SME, "542107651", "FR", True),
        ({**ESTABLISHED_SME, "exempt_operations": "only"}, "542107651", "FR", True),
        ({"vat_liable": False}, "542107651", "FR", False),
        ({"vat_liable": True, "establishment": "none_in_france"}, "542107651", "FR", False),
        ({"vat_liable": True}, "542107651", "FR", None),
        ({}, "542107651", "FR", None),
        (None, "542107651", "FR", None),
        # No SIREN (a consumer) or an address abroad: never a company established in France.
        (ESTABLISHED_SME, "", "FR", False),
        (None, "", "FR", False),
        (ESTABLISHED_SME, "542107651", "DE", False),
    ],
)
def test_buyer_facts_from_the_derived_obligations(answers, siren, country, expected):
    obligations = None if answers is None else derive_obligations(answers)
    facts = buyer_facts_from_obligations(obligations, siren=siren, country_code=country)
    assert facts == BuyerFacts(vat_liable_in_france=expected)


def test_buyer_facts_from_a_stored_obligations_row():
    class Stored:  # the attributes of fiscal_questionnaire.models.Obligations that count
        must_receive = True

    assert buyer_facts_from_obligations(Stored(), siren="542107651").vat_liable_in_france


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (ESTABLISHED_SME, date(2027, 9, 1)),
        ({**ESTABLISHED_SME, "employees": 300, "turnover_eur": 80_000_000}, date(2026, 9, 1)),
        ({**ESTABLISHED_SME, "vat_group_member": True}, date(2026, 9, 1)),
        ({**ESTABLISHED_SME, "sells_b2b_domestic": False}, NEVER),
        ({"vat_liable": True, "establishment": "france_hq"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_firm_issuing_date_from_its_obligations(answers, expected):
    obligations = None if answers is None else derive_obligations(answers)
    assert firm_issuing_date_from_obligations(obligations) == expected


def test_the_firm_issuing_date_from_a_stored_row():
    class Stored:
        must_issue = True
        issue_from = date(2026, 9, 1)

    assert firm_issuing_date_from_obligations(Stored()) == date(2026, 9, 1)


def test_from_the_derived_obligations_to_the_route():
    firm = derive_obligations(ESTABLISHED_SME)
    client = derive_obligations({**ESTABLISHED_SME, "activity_nature": "goods"})
    route = decide_route(
        issue_date=date(2027, 10, 15),
        firm_issuing_date=firm_issuing_date_from_obligations(firm),
        buyer=buyer_facts_from_obligations(client, siren="542107651"),
        preference="email",
        has_billing_email=True,
    )
    assert route == PLATFORM_AND_COPY
