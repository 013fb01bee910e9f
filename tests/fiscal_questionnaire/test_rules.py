"""derive_obligations and the questionnaire catalogue, rule by rule (REGULATION.md §1–3)."""

import math

import pytest

from fiscal_questionnaire.questions import (
    QUESTION_CODES,
    QUESTIONS,
    InvalidAnswers,
    validate_answers,
    visible_answers,
    visible_questions,
)
from fiscal_questionnaire.rules import RESULT_KEYS, derive_obligations
from fiscal_questionnaire.rules.reasons import REASONS

FIRST_WAVE = "2026-09-01"
SECOND_WAVE = "2027-09-01"

# A small French company, every relevant question answered: the base most cases vary.
FRENCH_COMPANY = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "vat_regime": "reel_normal_mensuel",
    "employees": 50,
    "turnover_eur": 10_000_000,
    "balance_sheet_eur": 5_000_000,
    "sells_b2b_domestic": True,
    "sells_b2c": False,
    "sells_international": False,
    "buys_international": False,
    "sells_public_sector": False,
    "activity_nature": "goods",
}
LARGE_FIGURES = {"employees": 6_000, "turnover_eur": 3e9, "balance_sheet_eur": 3e9}
MICRO_FIGURES = {"employees": 3, "turnover_eur": 300_000, "balance_sheet_eur": 100_000}
ABROAD = {
    "vat_liable": True,
    "establishment": "none_in_france",
    "vat_regime": "reel_normal_trimestriel",
    "sells_b2b_domestic": True,
    "activity_nature": "services",
    "vat_on_debits": False,
}
ALL_OBLIGATIONS_FALSE = {
    "must_receive": False,
    "receive_from": None,
    "must_issue": False,
    "issue_from": None,
    "e_reporting_transactions": False,
    "e_reporting_transactions_from": None,
    "e_reporting_payments": False,
    "e_reporting_payments_from": None,
    "e_reporting_frequency": None,
    "chorus_pro": False,
}


def french_company(**changes):
    return {**FRENCH_COMPANY, **changes}


def rules_of(result):
    return [reason["rule"] for reason in result["reasons"]]


def assert_includes(result, expected):
    assert {key: result[key] for key in expected} == expected


# --- Result shape -----------------------------------------------------------------------------


def test_result_has_exactly_the_keys_of_the_regulation():
    result = derive_obligations(FRENCH_COMPANY)
    assert list(result) == [
        "in_scope",
        "size_category",
        "must_receive",
        "receive_from",
        "must_issue",
        "issue_from",
        "e_reporting_transactions",
        "e_reporting_transactions_from",
        "e_reporting_payments",
        "e_reporting_payments_from",
        "e_reporting_frequency",
        "chorus_pro",
        "complete",
        "missing",
        "reasons",
    ]
    assert tuple(result) == RESULT_KEYS


def test_a_fully_answered_french_company():
    result = derive_obligations(FRENCH_COMPANY)
    assert {key: value for key, value in result.items() if key != "reasons"} == {
        "in_scope": True,
        "size_category": "PME",
        "must_receive": True,
        "receive_from": FIRST_WAVE,
        "must_issue": True,
        "issue_from": SECOND_WAVE,
        "e_reporting_transactions": False,
        "e_reporting_transactions_from": None,
        "e_reporting_payments": False,
        "e_reporting_payments_from": None,
        "e_reporting_frequency": None,
        "chorus_pro": False,
        "complete": True,
        "missing": [],
    }
    assert rules_of(result) == [
        "reception_required",
        "size_from_thresholds",
        "wave_second",
        "issuing_required",
        "transactions_not_reported",
        "payments_not_reported_goods",
    ]


def test_every_reason_is_a_french_sentence_with_a_reference():
    result = derive_obligations(french_company(sells_b2c=True, sells_public_sector=True))
    assert result["reasons"]
    for reason in result["reasons"]:
        assert set(reason) == {"rule", "text", "reference"}
        assert reason["rule"] in REASONS
        assert reason["text"][0].isupper()
        assert reason["text"].endswith(".")
        assert reason["reference"]


@pytest.mark.parametrize("rule", sorted(REASONS))
def test_every_reason_template_cites_a_text(rule):
    _text, references = REASONS[rule]
    assert references
    assert all(reference.parts() for reference in references)


# --- Size category: exact thresholds (décret 2008-1354) --------------------------------------

M = 1_000_000


@pytest.mark.parametrize(
    ("employees", "turnover", "balance_sheet", "category"),
    [
        pytest.param(0, 0, 0, "MICRO", id="nothing-at-all-micro"),
        pytest.param(9, 2 * M, 100 * M, "MICRO", id="9-staff-turnover-2M-exactly-micro"),
        pytest.param(9.5, 2 * M, 100 * M, "MICRO", id="9.5-work-units-micro"),
        pytest.param(10, 2 * M, 2 * M, "PME", id="10-staff-pme"),
        pytest.param(9, 2 * M + 1, 2 * M + 1, "PME", id="9-staff-2M+1-both-pme"),
        pytest.param(9, 2 * M + 1, 2 * M, "MICRO", id="9-staff-turnover-2M+1-balance-2M-micro"),
        pytest.param(249, 50 * M, 100 * M, "PME", id="249-staff-turnover-50M-exactly-pme"),
        pytest.param(250, 50 * M, 43 * M, "ETI", id="250-staff-eti"),
        pytest.param(249, 50 * M + 1, 43 * M, "PME", id="249-staff-turnover-50M+1-balance-43M-pme"),
        pytest.param(249, 50 * M + 1, 43 * M + 1, "ETI", id="249-staff-50M+1-and-43M+1-eti"),
        pytest.param(249, 100 * M, 43 * M + 1, "ETI", id="249-staff-balance-43M+1-eti"),
        pytest.param(4_999, 1_500 * M, 3_000 * M, "ETI", id="4999-staff-turnover-1500M-eti"),
        pytest.param(5_000, 1_500 * M, 2_000 * M, "GE", id="5000-staff-ge"),
        pytest.param(
            4_999, 1_500 * M + 1, 2_000 * M, "ETI", id="turnover-1500M+1-balance-2000M-eti"
        ),
        pytest.param(4_999, 3_000 * M, 2_000 * M + 1, "GE", id="turnover-3000M-balance-2000M+1-ge"),
        pytest.param(4_999, 1_500 * M + 1, 2_000 * M + 1, "GE", id="1500M+1-and-2000M+1-ge"),
    ],
)
def test_size_category_thresholds(employees, turnover, balance_sheet, category):
    result = derive_obligations(
        french_company(employees=employees, turnover_eur=turnover, balance_sheet_eur=balance_sheet)
    )
    assert result["size_category"] == category
    assert result["complete"] is True
    expected_wave = FIRST_WAVE if category in {"GE", "ETI"} else SECOND_WAVE
    assert result["issue_from"] == expected_wave


@pytest.mark.parametrize(
    ("changes", "size_category", "wave"),
    [
        pytest.param(LARGE_FIGURES, "GE", FIRST_WAVE, id="ge-2026"),
        pytest.param({"employees": 300}, "ETI", FIRST_WAVE, id="eti-2026"),
        pytest.param({}, "PME", SECOND_WAVE, id="pme-2027"),
        pytest.param(MICRO_FIGURES, "MICRO", SECOND_WAVE, id="micro-2027"),
        pytest.param({"vat_group_member": True}, "PME", FIRST_WAVE, id="pme-in-vat-group-2026"),
        pytest.param(
            {**MICRO_FIGURES, "vat_group_member": True},
            "MICRO",
            FIRST_WAVE,
            id="micro-in-vat-group-2026",
        ),
        pytest.param(
            {**LARGE_FIGURES, "size_category_override": "PME"},
            "PME",
            SECOND_WAVE,
            id="override-pme-beats-ge-figures",
        ),
        pytest.param(
            {**MICRO_FIGURES, "size_category_override": "ETI"},
            "ETI",
            FIRST_WAVE,
            id="override-eti-beats-micro-figures",
        ),
        pytest.param(
            {
                "employees": None,
                "turnover_eur": None,
                "balance_sheet_eur": None,
                "size_category_override": "GE",
            },
            "GE",
            FIRST_WAVE,
            id="override-without-figures",
        ),
    ],
)
def test_wave_date_follows_size_and_vat_group(changes, size_category, wave):
    result = derive_obligations(
        french_company(sells_b2c=True, activity_nature="services", vat_on_debits=False, **changes)
    )
    assert_includes(
        result,
        {
            "size_category": size_category,
            "issue_from": wave,
            "e_reporting_transactions_from": wave,
            "e_reporting_payments_from": wave,
            "complete": True,
        },
    )


def test_vat_group_reason_is_given_for_a_small_member():
    result = derive_obligations(french_company(vat_group_member=True))
    assert "wave_first_vat_group" in rules_of(result)
    reason = next(each for each in result["reasons"] if each["rule"] == "wave_first_vat_group")
    assert "256 C" in reason["reference"]


def test_override_reason_says_the_category_was_set_by_hand():
    result = derive_obligations(french_company(size_category_override="MICRO"))
    assert "size_from_override" in rules_of(result)
    assert "size_from_thresholds" not in rules_of(result)


# --- Partial figures: decide what the figures allow ---------------------------------------------


@pytest.mark.parametrize(
    ("figures", "size_category", "wave", "missing"),
    [
        pytest.param(
            {"employees": 5, "turnover_eur": 30 * M},
            None,
            SECOND_WAVE,
            ["balance_sheet_eur"],
            id="5-staff-30M-micro-or-pme-wave-decided",
        ),
        pytest.param(
            {"employees": 100, "balance_sheet_eur": 100 * M},
            None,
            None,
            ["turnover_eur"],
            id="100-staff-balance-100M-pme-or-eti-wave-undecided",
        ),
        pytest.param(
            {"employees": 5},
            None,
            None,
            ["turnover_eur", "balance_sheet_eur"],
            id="only-staff-known-any-size",
        ),
        pytest.param(
            {}, None, None, ["employees", "turnover_eur", "balance_sheet_eur"], id="no-figures"
        ),
        pytest.param(
            {"employees": 300, "turnover_eur": 10 * M},
            "ETI",
            FIRST_WAVE,
            [],
            id="300-staff-turnover-10M-eti-balance-irrelevant",
        ),
        pytest.param(
            {"turnover_eur": 3_000 * M, "balance_sheet_eur": 3_000 * M},
            "GE",
            FIRST_WAVE,
            [],
            id="figures-above-eti-ceilings-ge-staff-irrelevant",
        ),
        pytest.param(
            {"employees": 5_000},
            "GE",
            FIRST_WAVE,
            [],
            id="5000-staff-ge-money-irrelevant",
        ),
        pytest.param(
            {"employees": 5, "turnover_eur": 1 * M},
            "MICRO",
            SECOND_WAVE,
            [],
            id="5-staff-1M-micro-balance-irrelevant",
        ),
    ],
)
def test_partial_figures(figures, size_category, wave, missing):
    answers = {
        key: value
        for key, value in FRENCH_COMPANY.items()
        if key not in {"employees", "turnover_eur", "balance_sheet_eur"}
    }
    result = derive_obligations({**answers, **figures})
    assert_includes(
        result,
        {
            "size_category": size_category,
            "issue_from": wave,
            "missing": missing,
            "complete": not missing,
        },
    )
    assert result["must_issue"] is True


def test_undecided_size_sharing_one_wave_is_explained():
    result = derive_obligations(
        french_company(employees=5, turnover_eur=30 * M, balance_sheet_eur=None)
    )
    reason = next(each for each in result["reasons"] if each["rule"] == "size_undecided_same_wave")
    assert "PME ou microentreprise" in reason["text"]


@pytest.mark.parametrize(
    ("changes", "issue_from", "missing"),
    [
        pytest.param({}, None, ["vat_group_member"], id="pme-group-unknown-undecided"),
        pytest.param(LARGE_FIGURES, FIRST_WAVE, [], id="ge-group-unknown-irrelevant"),
        pytest.param({"sells_b2b_domestic": False}, None, [], id="nothing-dated-group-irrelevant"),
    ],
)
def test_vat_group_is_asked_only_when_it_changes_a_date(changes, issue_from, missing):
    result = derive_obligations(french_company(vat_group_member=None, **changes))
    assert result["issue_from"] == issue_from
    assert result["missing"] == missing


# --- Exempt operations ------------------------------------------------------------------------


def test_partly_exempt_company_keeps_its_obligations_for_taxable_operations():
    result = derive_obligations(
        french_company(
            exempt_operations="partly",
            sells_b2c=True,
            activity_nature="services",
            vat_on_debits=False,
        )
    )
    assert_includes(
        result,
        {
            "must_receive": True,
            "must_issue": True,
            "e_reporting_transactions": True,
            "e_reporting_payments": True,
            "complete": True,
        },
    )
    assert "exempt_partly" in rules_of(result)


def test_only_exempt_company_receives_but_issues_and_reports_nothing():
    result = derive_obligations(
        french_company(
            exempt_operations="only",
            sells_b2c=True,
            sells_international=True,
            activity_nature="services",
            vat_on_debits=False,
            sells_public_sector=True,
        )
    )
    assert_includes(
        result,
        {
            "in_scope": True,
            "must_receive": True,
            "receive_from": FIRST_WAVE,
            "must_issue": False,
            "issue_from": None,
            "e_reporting_transactions": False,
            "e_reporting_transactions_from": None,
            "e_reporting_payments": False,
            "e_reporting_payments_from": None,
            "e_reporting_frequency": None,
            "chorus_pro": True,
            "complete": True,
        },
    )
    disputed = next(
        each for each in result["reasons"] if each["rule"] == "exempt_only_reception_disputed"
    )
    assert "discuté" in disputed["text"]
    assert "confirmer avec le client" in disputed["text"]
    assert "261" in disputed["reference"]


def test_only_exempt_company_is_not_asked_what_cannot_matter():
    result = derive_obligations(
        {
            "vat_liable": True,
            "establishment": "france_fixed_establishment",
            "exempt_operations": "only",
        }
    )
    # Sales, regime and activity change nothing; the size is still worth knowing, and Chorus Pro.
    assert result["missing"] == [
        "employees",
        "turnover_eur",
        "balance_sheet_eur",
        "sells_public_sector",
    ]
    assert_includes(
        result, {"must_receive": True, "must_issue": False, "e_reporting_payments": False}
    )


# --- Issuing, e-reporting, Chorus Pro ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "must_issue"),
    [
        pytest.param({"sells_b2b_domestic": True}, True, id="sells-b2b-issues"),
        pytest.param({"sells_b2b_domestic": False}, False, id="no-b2b-no-issuing"),
    ],
)
def test_issuing(changes, must_issue):
    result = derive_obligations(french_company(**changes))
    assert result["must_issue"] is must_issue
    assert result["issue_from"] == (SECOND_WAVE if must_issue else None)
    assert result["must_receive"] is True


@pytest.mark.parametrize(
    ("changes", "reports"),
    [
        pytest.param({"sells_b2c": True}, True, id="b2c"),
        pytest.param({"sells_international": True}, True, id="international-sales"),
        pytest.param({"buys_international": True}, True, id="international-purchases"),
        pytest.param({}, False, id="domestic-b2b-only"),
    ],
)
def test_e_reporting_of_transactions(changes, reports):
    result = derive_obligations(french_company(**changes))
    assert result["e_reporting_transactions"] is reports
    assert result["e_reporting_transactions_from"] == (SECOND_WAVE if reports else None)
    assert result["e_reporting_frequency"] == ("three_per_month" if reports else None)


@pytest.mark.parametrize(
    ("activity", "vat_on_debits", "reports", "missing"),
    [
        pytest.param("services", False, True, [], id="services-vat-on-receipt"),
        pytest.param("mixed", False, True, [], id="mixed-vat-on-receipt"),
        pytest.param("services", True, False, [], id="services-vat-on-debits"),
        pytest.param("mixed", True, False, [], id="mixed-vat-on-debits"),
        pytest.param("goods", None, False, [], id="goods"),
        pytest.param("goods", True, False, [], id="goods-stale-debits-answer-ignored"),
        pytest.param("services", None, None, ["vat_on_debits"], id="services-debits-unanswered"),
    ],
)
def test_e_reporting_of_payments(activity, vat_on_debits, reports, missing):
    result = derive_obligations(
        french_company(activity_nature=activity, vat_on_debits=vat_on_debits)
    )
    assert result["e_reporting_payments"] is reports
    assert result["e_reporting_payments_from"] == (SECOND_WAVE if reports else None)
    assert result["missing"] == missing


@pytest.mark.parametrize("sells_public_sector", [True, False])
def test_chorus_pro_follows_public_sector_customers(sells_public_sector):
    result = derive_obligations(french_company(sells_public_sector=sells_public_sector))
    assert result["chorus_pro"] is sells_public_sector
    assert ("public_sector_chorus_pro" in rules_of(result)) is sells_public_sector


# --- E-reporting frequency --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "filing_2027", "size", "frequency", "reason"),
    [
        pytest.param(
            "franchise", None, MICRO_FIGURES, "bimonthly", "frequency_franchise", id="franchise"
        ),
        pytest.param(
            "reel_normal_mensuel",
            None,
            {},
            "three_per_month",
            "frequency_reel_normal_mensuel",
            id="reel-normal-monthly",
        ),
        pytest.param(
            "reel_normal_trimestriel",
            None,
            {},
            "monthly",
            "frequency_reel_normal_trimestriel",
            id="reel-normal-quarterly",
        ),
        pytest.param(
            "reel_simplifie",
            None,
            LARGE_FIGURES,
            "monthly",
            "frequency_simplified_before_2027",
            id="simplified-2026-wave",
        ),
        pytest.param(
            "reel_simplifie",
            "monthly",
            LARGE_FIGURES,
            "monthly",
            "frequency_simplified_before_2027",
            id="simplified-2026-wave-2027-filing-irrelevant",
        ),
        pytest.param(
            "reel_simplifie",
            "monthly",
            {},
            "three_per_month",
            "frequency_simplified_then_monthly",
            id="simplified-2027-wave-monthly-filing",
        ),
        pytest.param(
            "reel_simplifie",
            "quarterly",
            {},
            "monthly",
            "frequency_simplified_then_quarterly",
            id="simplified-2027-wave-quarterly-filing",
        ),
        pytest.param(
            "reel_simplifie",
            "quarterly",
            {"vat_group_member": True},
            "monthly",
            "frequency_simplified_before_2027",
            id="simplified-vat-group-2026-wave",
        ),
    ],
)
def test_e_reporting_frequency(regime, filing_2027, size, frequency, reason):
    result = derive_obligations(
        french_company(vat_regime=regime, vat_filing_2027=filing_2027, sells_b2c=True, **size)
    )
    assert result["e_reporting_frequency"] == frequency
    assert result["complete"] is True
    assert reason in rules_of(result)


def test_simplified_regime_from_2027_without_the_2027_filing_rhythm_is_undecided():
    result = derive_obligations(french_company(vat_regime="reel_simplifie", sells_b2c=True))
    assert result["e_reporting_frequency"] is None
    assert result["e_reporting_transactions"] is True
    assert result["missing"] == ["vat_filing_2027"]
    assert result["complete"] is False


def test_quarterly_2027_filing_decides_the_frequency_whatever_the_wave():
    # 2026 wave: monthly (simplified regime); 2027 wave: quarterly filing, hence monthly too.
    result = derive_obligations(
        french_company(
            vat_regime="reel_simplifie",
            vat_filing_2027="quarterly",
            sells_b2c=True,
            vat_group_member=None,
        )
    )
    assert result["e_reporting_frequency"] == "monthly"
    assert result["e_reporting_transactions_from"] is None
    assert result["missing"] == ["vat_group_member"]


def test_monthly_2027_filing_with_an_unknown_wave_is_undecided():
    result = derive_obligations(
        french_company(
            vat_regime="reel_simplifie",
            vat_filing_2027="monthly",
            sells_b2c=True,
            vat_group_member=None,
        )
    )
    assert result["e_reporting_frequency"] is None
    assert result["missing"] == ["vat_group_member"]


# --- Not established in France ----------------------------------------------------------------

ABROAD_NOTHING_BUT_E_REPORTING = {
    "must_receive": False,
    "receive_from": None,
    "must_issue": False,
    "issue_from": None,
    "e_reporting_payments": False,
    "e_reporting_payments_from": None,
    "chorus_pro": False,
}
SIZE_FIGURES = ["employees", "turnover_eur", "balance_sheet_eur"]


@pytest.mark.parametrize(
    ("figures", "size_category", "e_reporting_from"),
    [
        pytest.param(LARGE_FIGURES, "GE", FIRST_WAVE, id="ge-2026"),
        pytest.param(
            {"employees": 300, "turnover_eur": 10 * M, "balance_sheet_eur": 5 * M},
            "ETI",
            FIRST_WAVE,
            id="eti-2026",
        ),
        pytest.param(
            {"employees": 50, "turnover_eur": 10 * M, "balance_sheet_eur": 5 * M},
            "PME",
            SECOND_WAVE,
            id="pme-2027",
        ),
        pytest.param(MICRO_FIGURES, "MICRO", SECOND_WAVE, id="micro-2027"),
        pytest.param(
            {"employees": 9, "turnover_eur": 2 * M + 1, "balance_sheet_eur": 2 * M},
            "MICRO",
            SECOND_WAVE,
            id="micro-at-the-balance-sheet-ceiling-2027",
        ),
        pytest.param(
            {"employees": 249, "turnover_eur": 50 * M + 1, "balance_sheet_eur": 43 * M + 1},
            "ETI",
            FIRST_WAVE,
            id="just-above-the-pme-ceilings-eti-2026",
        ),
    ],
)
def test_not_established_e_reporting_is_dated_by_the_size_figures(
    figures, size_category, e_reporting_from
):
    result = derive_obligations({**ABROAD, "sells_b2c": True, **figures})
    assert_includes(
        result,
        {
            "in_scope": True,
            "size_category": size_category,
            **ABROAD_NOTHING_BUT_E_REPORTING,
            "e_reporting_transactions": True,
            "e_reporting_transactions_from": e_reporting_from,
            "e_reporting_frequency": "monthly",
            "complete": True,
            "missing": [],
        },
    )
    assert rules_of(result) == [
        "established_abroad",
        "size_from_thresholds",
        "abroad_sells_b2c",
        "frequency_reel_normal_trimestriel",
    ]
    dated = next(each for each in result["reasons"] if each["rule"] == "abroad_sells_b2c")
    day = "1er septembre 2026" if e_reporting_from == FIRST_WAVE else "1er septembre 2027"
    assert f"à partir du {day}" in dated["text"]


@pytest.mark.parametrize(
    ("changes", "expected", "missing"),
    [
        pytest.param(
            {"sells_b2c": True, "size_category_override": "PME"},
            {
                "in_scope": True,
                "size_category": "PME",
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": SECOND_WAVE,
            },
            [],
            id="b2c-override-pme-2027",
        ),
        pytest.param(
            {"sells_b2c": True, "size_category_override": "GE"},
            {
                "in_scope": True,
                "size_category": "GE",
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": FIRST_WAVE,
            },
            [],
            id="b2c-override-ge-2026",
        ),
        pytest.param(
            {"sells_b2c": True, "size_category_override": "ETI", **MICRO_FIGURES},
            {
                "size_category": "ETI",
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": FIRST_WAVE,
            },
            [],
            id="b2c-override-eti-beats-micro-figures",
        ),
        pytest.param(
            {"sells_b2c": True},
            {
                "in_scope": True,
                "size_category": None,
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": None,
            },
            SIZE_FIGURES,
            id="b2c-size-unknown-date-undecided",
        ),
        pytest.param(
            {"sells_b2c": True, "employees": 5, "turnover_eur": 30 * M},
            {
                "size_category": None,
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": SECOND_WAVE,
            },
            ["balance_sheet_eur"],
            id="b2c-micro-or-pme-date-decided",
        ),
        pytest.param(
            {"sells_b2c": True, "employees": 100, "balance_sheet_eur": 100 * M},
            {
                "size_category": None,
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": None,
            },
            ["turnover_eur"],
            id="b2c-pme-or-eti-date-undecided",
        ),
        pytest.param(
            {"sells_b2c": True, "employees": 5_000},
            {
                "size_category": "GE",
                "e_reporting_transactions": True,
                "e_reporting_transactions_from": FIRST_WAVE,
            },
            [],
            id="b2c-5000-staff-ge-money-irrelevant",
        ),
        pytest.param(
            {"sells_b2c": False, **MICRO_FIGURES},
            {
                "in_scope": False,
                "size_category": "MICRO",
                "e_reporting_transactions": False,
                "e_reporting_transactions_from": None,
            },
            [],
            id="no-b2c-out-of-scope",
        ),
        pytest.param(
            {"sells_b2c": False},
            {
                "in_scope": False,
                "size_category": None,
                "e_reporting_transactions": False,
                "e_reporting_transactions_from": None,
            },
            SIZE_FIGURES,
            id="no-b2c-size-still-asked",
        ),
        pytest.param(
            {},
            {
                "in_scope": None,
                "e_reporting_transactions": None,
                "e_reporting_transactions_from": None,
            },
            [*SIZE_FIGURES, "sells_b2c"],
            id="b2c-unanswered",
        ),
    ],
)
def test_not_established_in_france(changes, expected, missing):
    result = derive_obligations({**ABROAD, **changes})
    assert_includes(result, expected)
    assert_includes(result, {**ABROAD_NOTHING_BUT_E_REPORTING, "missing": missing})
    assert result["reasons"][0]["rule"] == "established_abroad"


def test_not_established_undecided_size_sharing_one_date_is_explained():
    result = derive_obligations(
        {**ABROAD, "sells_b2c": True, "employees": 5, "turnover_eur": 30 * M}
    )
    assert rules_of(result)[:3] == [
        "established_abroad",
        "size_undecided_same_wave",
        "abroad_sells_b2c",
    ]
    dated = next(each for each in result["reasons"] if each["rule"] == "abroad_sells_b2c")
    assert "1er septembre 2027" in dated["text"]
    assert "PME" in dated["text"]


def test_not_established_with_an_unknown_size_says_the_date_is_to_be_found():
    result = derive_obligations({**ABROAD, "sells_b2c": True})
    dated = next(each for each in result["reasons"] if each["rule"] == "abroad_sells_b2c")
    assert "dépend de sa taille" in dated["text"]


def test_not_established_is_never_in_a_french_vat_group():
    # A PME member of a French VAT group issues and reports from 2026; a PME without any
    # establishment in France reports from 2027, whatever was answered about a group.
    figures = {"employees": 50, "turnover_eur": 10 * M, "balance_sheet_eur": 5 * M}
    result = derive_obligations({**ABROAD, "sells_b2c": True, "vat_group_member": True, **figures})
    assert result["e_reporting_transactions_from"] == SECOND_WAVE
    assert "wave_first_vat_group" not in rules_of(result)


@pytest.mark.parametrize(
    ("regime", "filing_2027", "figures", "frequency"),
    [
        pytest.param("reel_simplifie", None, LARGE_FIGURES, "monthly", id="simplified-2026"),
        pytest.param(
            "reel_simplifie", "monthly", MICRO_FIGURES, "three_per_month", id="simplified-2027"
        ),
        pytest.param("reel_simplifie", None, MICRO_FIGURES, None, id="simplified-2027-unknown"),
    ],
)
def test_not_established_frequency_follows_the_date_from_the_size(
    regime, filing_2027, figures, frequency
):
    result = derive_obligations(
        {
            **ABROAD,
            "sells_b2c": True,
            "vat_regime": regime,
            "vat_filing_2027": filing_2027,
            **figures,
        }
    )
    assert result["e_reporting_frequency"] == frequency
    assert result["missing"] == ([] if frequency else ["vat_filing_2027"])


def test_not_established_ignores_questions_meant_for_french_companies():
    result = derive_obligations(
        {
            **ABROAD,
            "sells_b2c": True,
            "sells_public_sector": True,
            "exempt_operations": "only",
            "sells_international": True,
            **LARGE_FIGURES,
        }
    )
    assert_includes(
        result,
        {
            "size_category": "GE",
            "chorus_pro": False,
            "e_reporting_transactions": True,
            "e_reporting_transactions_from": FIRST_WAVE,
            "e_reporting_frequency": "monthly",
            "missing": [],
        },
    )
    assert "exempt_only_nothing_to_issue" not in rules_of(result)


# --- Not liable to VAT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stale_answers",
    [
        pytest.param({}, id="alone"),
        pytest.param(
            {**FRENCH_COMPANY, "sells_b2c": True, "sells_public_sector": True, "vat_liable": False},
            id="with-answers-given-before-it-was-known",
        ),
    ],
)
def test_not_liable_is_out_of_scope_with_no_obligation(stale_answers):
    result = derive_obligations({**stale_answers, "vat_liable": False})
    assert_includes(
        result,
        {
            "in_scope": False,
            "size_category": None,
            **ALL_OBLIGATIONS_FALSE,
            "complete": True,
            "missing": [],
        },
    )
    assert rules_of(result) == ["not_vat_liable"]


# --- Missing questions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "missing"),
    [
        pytest.param({}, ["vat_liable"], id="nothing-answered"),
        pytest.param({"vat_liable": None}, ["vat_liable"], id="null-means-unanswered"),
        pytest.param(
            {"establishment": "france_hq", "sells_b2c": True},
            ["vat_liable"],
            id="answers-before-liability",
        ),
        pytest.param(
            {"vat_liable": True},
            [
                "establishment",
                "vat_regime",
                "employees",
                "turnover_eur",
                "balance_sheet_eur",
                "sells_b2b_domestic",
                "sells_b2c",
                "activity_nature",
            ],
            id="liable-only",
        ),
        pytest.param(
            {"vat_liable": True, "establishment": "france_hq"},
            [
                "vat_group_member",
                "exempt_operations",
                "vat_regime",
                "employees",
                "turnover_eur",
                "balance_sheet_eur",
                "sells_b2b_domestic",
                "sells_b2c",
                "sells_international",
                "buys_international",
                "sells_public_sector",
                "activity_nature",
            ],
            id="french-company-only",
        ),
        pytest.param(
            {**FRENCH_COMPANY, "vat_regime": None, "sells_b2c": True},
            ["vat_regime"],
            id="regime-needed-for-frequency",
        ),
        pytest.param(
            {**FRENCH_COMPANY, "vat_regime": None}, [], id="regime-irrelevant-without-e-reporting"
        ),
        pytest.param(
            {**FRENCH_COMPANY, "establishment": None}, ["establishment"], id="establishment-unknown"
        ),
    ],
)
def test_missing_questions(answers, missing):
    result = derive_obligations(answers)
    assert result["missing"] == missing
    assert result["complete"] is (not missing)


def test_liability_known_but_not_establishment_decides_nothing_yet():
    result = derive_obligations({**FRENCH_COMPANY, "establishment": None})
    assert_includes(
        result,
        {
            "in_scope": None,
            "must_receive": None,
            "receive_from": None,
            "must_issue": None,
            "reasons": [],
        },
    )


def test_nothing_answered_decides_nothing():
    result = derive_obligations({})
    assert all(result[key] is None for key in RESULT_KEYS[:12])
    assert result["reasons"] == []


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(FRENCH_COMPANY, id="french-company"),
        pytest.param({**ABROAD, "sells_b2c": True, **MICRO_FIGURES}, id="not-established"),
        pytest.param({**ABROAD, "sells_b2c": True}, id="not-established-without-figures"),
    ],
)
def test_the_manual_size_is_optional_for_every_liable_company(answers):
    result = derive_obligations(answers)
    assert "size_category_override" in visible_questions(answers)
    assert "size_category_override" not in result["missing"]


# --- Invalid answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        pytest.param({"vat_liabel": True}, "vat_liabel", id="unknown-code"),
        pytest.param({"vat_liable": "true"}, "vat_liable", id="bool-as-string"),
        pytest.param({"vat_liable": 1}, "vat_liable", id="bool-as-number"),
        pytest.param({"employees": True}, "employees", id="number-as-bool"),
        pytest.param({"employees": "12"}, "employees", id="number-as-string"),
        pytest.param({"employees": -1}, "employees", id="negative-staff"),
        pytest.param({"turnover_eur": -0.01}, "turnover_eur", id="negative-turnover"),
        pytest.param({"turnover_eur": math.nan}, "turnover_eur", id="nan-turnover"),
        pytest.param(
            {"balance_sheet_eur": math.inf}, "balance_sheet_eur", id="infinite-balance-sheet"
        ),
        pytest.param({"establishment": "paris"}, "establishment", id="value-outside-choices"),
        pytest.param(
            {"size_category_override": "micro"}, "size_category_override", id="override-wrong-case"
        ),
        pytest.param({"vat_regime": True}, "vat_regime", id="choice-as-bool"),
        pytest.param({"exempt_operations": ["only"]}, "exempt_operations", id="choice-as-list"),
    ],
)
def test_invalid_answers_are_refused(answers, code):
    errors = validate_answers({**FRENCH_COMPANY, **answers})
    assert list(errors) == [code]
    assert errors[code]
    with pytest.raises(InvalidAnswers) as raised:
        derive_obligations({**FRENCH_COMPANY, **answers})
    assert list(raised.value.errors) == [code]


def test_every_problem_is_reported_at_once():
    errors = validate_answers({"unknown": 1, "vat_liable": "oui", "employees": -3})
    assert set(errors) == {"unknown", "vat_liable", "employees"}


def test_answers_must_be_a_mapping():
    with pytest.raises(InvalidAnswers):
        derive_obligations([("vat_liable", True)])


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({}, id="empty"),
        pytest.param(dict.fromkeys(QUESTION_CODES), id="all-null"),
        pytest.param(
            {"employees": 0, "turnover_eur": 12.5, "balance_sheet_eur": 10**12}, id="numbers"
        ),
        pytest.param({"vat_liable": False, "employees": 12}, id="hidden-but-well-typed"),
    ],
)
def test_valid_answers_pass(answers):
    assert validate_answers(answers) == {}


# --- The catalogue ----------------------------------------------------------------------------


def test_catalogue_codes_are_those_of_the_regulation_in_order():
    assert QUESTION_CODES == (
        "vat_liable",
        "establishment",
        "vat_group_member",
        "exempt_operations",
        "vat_regime",
        "vat_filing_2027",
        "employees",
        "turnover_eur",
        "balance_sheet_eur",
        "size_category_override",
        "sells_b2b_domestic",
        "sells_b2c",
        "sells_international",
        "buys_international",
        "sells_public_sector",
        "activity_nature",
        "vat_on_debits",
    )
    for question in QUESTIONS:
        assert question.label
        assert question.help_text
        assert bool(question.choices) is (question.kind == "choice")


@pytest.mark.parametrize(
    ("answers", "visible"),
    [
        pytest.param({}, ["vat_liable"], id="nothing-answered"),
        pytest.param(
            {"vat_liable": False, "vat_regime": "reel_simplifie"}, ["vat_liable"], id="not-liable"
        ),
        pytest.param(
            {"vat_liable": True},
            [
                "vat_liable",
                "establishment",
                "vat_regime",
                "employees",
                "turnover_eur",
                "balance_sheet_eur",
                "size_category_override",
                "sells_b2b_domestic",
                "sells_b2c",
                "activity_nature",
            ],
            id="liable",
        ),
        pytest.param(
            {"vat_liable": True, "establishment": "none_in_france", "vat_regime": "reel_simplifie"},
            [
                "vat_liable",
                "establishment",
                "vat_regime",
                "vat_filing_2027",
                "employees",
                "turnover_eur",
                "balance_sheet_eur",
                "size_category_override",
                "sells_b2b_domestic",
                "sells_b2c",
                "activity_nature",
            ],
            id="abroad-simplified",
        ),
        pytest.param(
            {
                "vat_liable": True,
                "establishment": "france_fixed_establishment",
                "activity_nature": "mixed",
            },
            [code for code in QUESTION_CODES if code != "vat_filing_2027"],
            id="french-mixed-activity",
        ),
        pytest.param(
            {**FRENCH_COMPANY, "activity_nature": "goods"},
            [code for code in QUESTION_CODES if code not in {"vat_filing_2027", "vat_on_debits"}],
            id="french-goods",
        ),
    ],
)
def test_visible_questions(answers, visible):
    assert visible_questions(answers) == visible


def test_visible_answers_drop_hidden_and_unanswered_ones():
    answers = {
        "vat_liable": True,
        "establishment": "none_in_france",
        "employees": 12,
        "sells_public_sector": True,
        "sells_b2c": None,
    }
    assert visible_answers(answers) == {
        "vat_liable": True,
        "establishment": "none_in_france",
        "employees": 12,
    }
