"""score_client and the scoring grid, criterion by criterion (REGULATION.md §5, SPEC.md §3.5)."""

import copy
import json
from dataclasses import fields
from datetime import date

import pytest

from scoring.default_grid import DEFAULT_GRID
from scoring.engine import (
    CHECKPOINT_LABELS,
    CRITERIA,
    CriterionKind,
    Grid,
    InvalidGrid,
    ScoringInput,
    SoftwareItem,
    band_descriptions,
    grid_from_dict,
    grid_to_dict,
    level_for,
    load_default_grid,
    result_to_dict,
    score_client,
    spread,
)

TODAY = date(2026, 11, 22)
GRID = load_default_grid()

# A French SME whose duties are all known: it receives, issues from the second wave (within
# twelve months of TODAY) and e-reports its payments.
SME_OBLIGATIONS = {
    "in_scope": True,
    "size_category": "PME",
    "must_receive": True,
    "receive_from": "2026-09-01",
    "must_issue": True,
    "issue_from": "2027-09-01",
    "e_reporting_transactions": False,
    "e_reporting_transactions_from": None,
    "e_reporting_payments": True,
    "e_reporting_payments_from": "2027-09-01",
    "e_reporting_frequency": None,
    "chorus_pro": False,
    "complete": True,
    "missing": [],
    "reasons": [],
}
# What derive_obligations says of a company not liable to VAT.
OUT_OF_SCOPE_OBLIGATIONS = {
    **SME_OBLIGATIONS,
    "in_scope": False,
    "size_category": None,
    "must_receive": False,
    "receive_from": None,
    "must_issue": False,
    "issue_from": None,
    "e_reporting_transactions": False,
    "e_reporting_payments": False,
    "e_reporting_payments_from": None,
}
# Established abroad, selling to consumers in France: e-reporting only.
ABROAD_B2C_OBLIGATIONS = {
    **OUT_OF_SCOPE_OBLIGATIONS,
    "in_scope": True,
    "size_category": "GE",
    "e_reporting_transactions": True,
    "e_reporting_transactions_from": "2026-09-01",
}
# Only exempt operations: receives, issues and reports nothing.
ALL_EXEMPT_OBLIGATIONS = {
    **OUT_OF_SCOPE_OBLIGATIONS,
    "in_scope": True,
    "size_category": "MICRO",
    "must_receive": True,
    "receive_from": "2026-09-01",
}

READY_INVOICING = SoftwareItem("invoicing", True, used_for_issuing=True, name="Facturo")
# The best answer to every digital-profile question: no points at all.
CALM_PROFILE = {
    "invoice_tool": "invoicing_software",
    "invoices_issued_per_month": 5,
    "paper_share_received": 0,
    "purchase_entry": "automated",
    "digital_maturity": "high",
}
# The worst answer to every digital-profile question.
WORST_PROFILE = {
    "invoice_tool": "paper",
    "invoices_issued_per_month": 500,
    "paper_share_received": 90,
    "purchase_entry": "client_manual",
    "digital_maturity": "low",
}


def calm_client(**changes):
    """A client with nothing left to do (0 points, every checkpoint met), with changes."""
    inputs = {
        "today": TODAY,
        "profile": CALM_PROFILE,
        "software": (READY_INVOICING,),
        "reception_platform": "tested",
        "issuing_platform": "tested",
        "obligations": SME_OBLIGATIONS,
        "mandate_signed": True,
    }
    return ScoringInput(**{**inputs, **changes})


def with_profile(**answers):
    return calm_client(profile={**CALM_PROFILE, **answers})


def with_obligations(**duties):
    return calm_client(obligations={**SME_OBLIGATIONS, **duties})


def not_ready(category="accounting", name=""):
    return SoftwareItem(category, False, name=name)


def unknown_readiness(category="accounting", name=""):
    return SoftwareItem(category, None, name=name)


def points_of(client, grid=GRID):
    return {line.criterion: line.points for line in score_client(client, grid).breakdown}


def grid_with(**criteria):
    return grid_from_dict({"criteria": criteria})


# --- Every criterion ------------------------------------------------------------------------------

CRITERION_CASES = [
    ("calm client", calm_client(), {}),
    # Digital profile.
    ("paper invoices", with_profile(invoice_tool="paper"), {"invoice_tool": 8}),
    ("Word or Excel", with_profile(invoice_tool="word_excel"), {"invoice_tool": 6}),
    ("point of sale only", with_profile(invoice_tool="pos"), {"invoice_tool": 3}),
    ("accounting software", with_profile(invoice_tool="accounting_software"), {}),
    ("ERP", with_profile(invoice_tool="erp"), {}),
    (
        "invoice tool unanswered: the worst answer",
        with_profile(invoice_tool=None),
        {"invoice_tool": 8},
    ),
    (
        "101 invoices a month",
        with_profile(invoices_issued_per_month=101),
        {"invoices_issued_per_month": 4},
    ),
    (
        "100.5 invoices a month",
        with_profile(invoices_issued_per_month=100.5),
        {"invoices_issued_per_month": 4},
    ),
    (
        "100 invoices a month",
        with_profile(invoices_issued_per_month=100),
        {"invoices_issued_per_month": 2},
    ),
    (
        "20 invoices a month",
        with_profile(invoices_issued_per_month=20),
        {"invoices_issued_per_month": 2},
    ),
    ("19 invoices a month", with_profile(invoices_issued_per_month=19), {}),
    (
        "volume unanswered: the highest band",
        with_profile(invoices_issued_per_month=None),
        {"invoices_issued_per_month": 4},
    ),
    ("51 % on paper", with_profile(paper_share_received=51), {"paper_share_received": 4}),
    ("50.5 % on paper", with_profile(paper_share_received=50.5), {"paper_share_received": 4}),
    ("50 % on paper", with_profile(paper_share_received=50), {"paper_share_received": 2}),
    ("10 % on paper", with_profile(paper_share_received=10), {"paper_share_received": 2}),
    ("9.9 % on paper", with_profile(paper_share_received=9.9), {}),
    (
        "paper share unanswered: the highest band",
        with_profile(paper_share_received=None),
        {"paper_share_received": 4},
    ),
    (
        "purchases entered by the client",
        with_profile(purchase_entry="client_manual"),
        {"purchase_entry": 2},
    ),
    ("purchases entered by the firm", with_profile(purchase_entry="firm"), {}),
    (
        "purchase entry unanswered: the worst answer",
        with_profile(purchase_entry=None),
        {"purchase_entry": 2},
    ),
    ("low maturity", with_profile(digital_maturity="low"), {"digital_maturity": 5}),
    ("medium maturity", with_profile(digital_maturity="medium"), {"digital_maturity": 2}),
    (
        "maturity unanswered: the worst answer",
        with_profile(digital_maturity=None),
        {"digital_maturity": 5},
    ),
    # Equipment.
    ("no software", calm_client(software=()), {"no_invoicing_tool": 4}),
    (
        "only a payroll package, not ready",
        calm_client(software=(not_ready("payroll"),)),
        {"no_invoicing_tool": 4},
    ),
    (
        "an invoicing tool, not ready",
        calm_client(software=(not_ready("invoicing"),)),
        {"software_not_ready": 4, "no_invoicing_tool": 4},
    ),
    (
        "an invoicing tool of unknown readiness",
        calm_client(software=(unknown_readiness("erp"),)),
        {"software_readiness_unknown": 2},
    ),
    (
        "accounting software used for issuing",
        calm_client(software=(SoftwareItem("accounting", True, used_for_issuing=True),)),
        {},
    ),
    (
        "accounting software not used for issuing",
        calm_client(software=(SoftwareItem("accounting", True),)),
        {"no_invoicing_tool": 4},
    ),
    *[
        (
            f"{count} software not ready",
            calm_client(software=(READY_INVOICING, *[not_ready()] * count)),
            {"software_not_ready": points},
        )
        for count, points in ((1, 4), (2, 8), (3, 12), (4, 12))
    ],
    (
        "five software of unknown readiness: no cap",
        calm_client(software=(READY_INVOICING, *[unknown_readiness()] * 5)),
        {"software_readiness_unknown": 10},
    ),
    (
        "unknown readiness does not share the unready cap",
        calm_client(software=(READY_INVOICING, *[not_ready()] * 3, *[unknown_readiness()] * 2)),
        {"software_not_ready": 12, "software_readiness_unknown": 4},
    ),
    ("no reception PA", calm_client(reception_platform=None), {"reception_platform": 8}),
    (
        "reception PA considered",
        calm_client(reception_platform="considered"),
        {"reception_platform": 8},
    ),
    ("reception PA chosen", calm_client(reception_platform="chosen"), {"reception_platform": 4}),
    (
        "reception PA under contract",
        calm_client(reception_platform="contract_signed"),
        {"reception_platform": 2},
    ),
    ("reception PA connected", calm_client(reception_platform="connected"), {}),
    ("no issuing PA, due soon", calm_client(issuing_platform=None), {"issuing_platform": 8}),
    ("issuing PA considered", calm_client(issuing_platform="considered"), {"issuing_platform": 8}),
    ("issuing PA chosen", calm_client(issuing_platform="chosen"), {}),
    # Obligations.
    (
        "questionnaire never answered",
        calm_client(obligations=None),
        {"questionnaire_incomplete": 6, "size_undecided": 3},
    ),
    (
        "questionnaire incomplete",
        with_obligations(complete=False, missing=["vat_regime", "sells_b2c"]),
        {"questionnaire_incomplete": 6},
    ),
    ("size undecided", with_obligations(size_category=None), {"size_undecided": 3}),
    ("mandate not signed", calm_client(mandate_signed=False), {"mandate_not_signed": 3}),
    ("mandates not tracked", calm_client(mandate_signed=None), {}),
]


@pytest.mark.parametrize(
    ("client", "expected"),
    [pytest.param(client, expected, id=name) for name, client, expected in CRITERION_CASES],
)
def test_each_criterion_scores_its_points_and_nothing_else(client, expected):
    assert points_of(client) == expected


# --- How the obligations gate the criteria --------------------------------------------------------

OBLIGATION_CASES = [
    (
        "out of scope: nothing, whatever the rest",
        ScoringInput(
            today=TODAY,
            profile=WORST_PROFILE,
            software=(not_ready("invoicing"), unknown_readiness()),
            obligations=OUT_OF_SCOPE_OBLIGATIONS,
            mandate_signed=False,
        ),
        {},
    ),
    (
        "out of scope with a question still open: nothing",
        calm_client(
            obligations={**OUT_OF_SCOPE_OBLIGATIONS, "complete": False, "missing": ["sells_b2c"]},
            mandate_signed=False,
        ),
        {},
    ),
    (
        "abroad, selling to consumers: how sales are invoiced counts, not purchases nor PAs",
        ScoringInput(
            today=TODAY,
            profile=WORST_PROFILE,
            obligations=ABROAD_B2C_OBLIGATIONS,
            mandate_signed=False,
        ),
        {
            "invoice_tool": 8,
            "invoices_issued_per_month": 4,
            "digital_maturity": 5,
            "mandate_not_signed": 3,
        },
    ),
    (
        "only exempt operations: receives, so purchases and the reception PA count",
        ScoringInput(
            today=TODAY,
            profile=WORST_PROFILE,
            obligations=ALL_EXEMPT_OBLIGATIONS,
            mandate_signed=True,
        ),
        {
            "reception_platform": 8,
            "paper_share_received": 4,
            "purchase_entry": 2,
            "digital_maturity": 5,
        },
    ),
    (
        "reception undecided: the reception PA counts as if reception were due",
        calm_client(
            reception_platform=None,
            obligations={
                **SME_OBLIGATIONS,
                "must_receive": None,
                "complete": False,
                "missing": ["establishment"],
            },
        ),
        {"questionnaire_incomplete": 6, "reception_platform": 8},
    ),
    (
        "reception undecided, PA connected: nothing left to do for it",
        calm_client(
            reception_platform="connected",
            obligations={
                **SME_OBLIGATIONS,
                "must_receive": None,
                "complete": False,
                "missing": ["establishment"],
            },
        ),
        {"questionnaire_incomplete": 6},
    ),
    (
        "issuing undecided: the issuing PA counts as due soon, the invoicing tool counts",
        calm_client(
            today=date(2026, 1, 1),  # even when the second wave is more than 12 months away
            software=(),
            issuing_platform=None,
            obligations={
                **SME_OBLIGATIONS,
                "must_issue": None,
                "issue_from": None,
                "complete": False,
                "missing": ["sells_b2b_domestic"],
            },
        ),
        {"questionnaire_incomplete": 6, "no_invoicing_tool": 4, "issuing_platform": 8},
    ),
    (
        "never answered: every criterion counts, PAs included",
        ScoringInput(today=TODAY, profile=WORST_PROFILE, mandate_signed=False),
        {
            "invoice_tool": 8,
            "issuing_platform": 8,
            "reception_platform": 8,
            "questionnaire_incomplete": 6,
            "digital_maturity": 5,
            "invoices_issued_per_month": 4,
            "no_invoicing_tool": 4,
            "paper_share_received": 4,
            "mandate_not_signed": 3,
            "size_undecided": 3,
            "purchase_entry": 2,
        },
    ),
    (
        "known not to receive: neither purchases nor the reception PA count",
        ScoringInput(
            today=TODAY,
            obligations={**SME_OBLIGATIONS, "must_receive": False, "receive_from": None},
            software=(READY_INVOICING,),
            issuing_platform="tested",
        ),
        {"invoice_tool": 8, "invoices_issued_per_month": 4, "digital_maturity": 5},
    ),
]


def test_a_client_we_know_nothing_about_scores_every_unknown_at_its_worst():
    # Issue: a blank client scored "Moyenne · 13" and each answer raised it.
    blank = score_client(ScoringInput(today=TODAY), GRID)
    assert (blank.total, blank.level) == (52, "high")
    assert {line.criterion: line.points for line in blank.breakdown} == {
        "invoice_tool": 8,
        "invoices_issued_per_month": 4,
        "paper_share_received": 4,
        "purchase_entry": 2,
        "digital_maturity": 5,
        "no_invoicing_tool": 4,
        "reception_platform": 8,
        "issuing_platform": 8,
        "questionnaire_incomplete": 6,
        "size_undecided": 3,
    }
    worst_answers = ScoringInput(today=TODAY, profile=WORST_PROFILE)
    assert score_client(worst_answers, GRID).total == blank.total
    calm_answers = ScoringInput(today=TODAY, profile=CALM_PROFILE)
    assert score_client(calm_answers, GRID).total == blank.total - 23


@pytest.mark.parametrize(
    ("client", "expected"),
    [pytest.param(client, expected, id=name) for name, client, expected in OBLIGATION_CASES],
)
def test_criteria_follow_the_obligations(client, expected):
    assert points_of(client) == expected


def test_an_out_of_scope_company_is_fully_compliant_with_nothing_to_do():
    result = score_client(ScoringInput(today=TODAY, obligations=OUT_OF_SCOPE_OBLIGATIONS), GRID)
    assert (result.total, result.level, result.compliance) == (0, "low", 100)
    assert [checkpoint.code for checkpoint in result.checkpoints if checkpoint.applies] == [
        "obligations_decided"
    ]


# --- Issuing within twelve months -----------------------------------------------------------------

ISSUING_CASES = [
    ("one day more than 12 months ahead", date(2026, 8, 31), "2027-09-01", 4),
    ("exactly 12 months ahead", date(2026, 9, 1), "2027-09-01", 8),
    ("one day less than 12 months ahead", date(2026, 9, 2), "2027-09-01", 8),
    ("already due", date(2026, 11, 22), "2026-09-01", 8),
    ("start not decided yet", date(2026, 1, 1), None, 8),
    ("12 months before a 28 February", date(2026, 2, 28), "2027-02-28", 8),
    ("12 months and a day before a 28 February", date(2026, 2, 27), "2027-02-28", 4),
    ("a year after 28 February is not 29 February", date(2027, 2, 28), "2028-02-29", 4),
    ("a year after 29 February is 28 February", date(2028, 2, 29), "2029-02-28", 8),
    ("a year after 29 February is before 1 March", date(2028, 2, 29), "2029-03-01", 4),
]


@pytest.mark.parametrize(
    ("today", "issue_from", "points"),
    [pytest.param(*case[1:], id=case[0]) for case in ISSUING_CASES],
)
def test_issuing_pa_is_more_urgent_within_twelve_months(today, issue_from, points):
    client = calm_client(
        today=today,
        issuing_platform=None,
        obligations={**SME_OBLIGATIONS, "issue_from": issue_from},
    )
    assert points_of(client) == {"issuing_platform": points}


def test_issuing_pa_considered_but_due_later_scores_the_later_points():
    client = calm_client(today=date(2026, 1, 1), issuing_platform="considered")
    assert points_of(client) == {"issuing_platform": 4}


# --- French answers -------------------------------------------------------------------------------

ANSWER_CASES = [
    ("paper", with_profile(invoice_tool="paper"), "invoice_tool", "Factures papier"),
    (
        "volume",
        with_profile(invoices_issued_per_month=1200),
        "invoices_issued_per_month",
        "1\u202f200 factures émises / mois",
    ),
    (
        "paper share",
        with_profile(paper_share_received=50.5),
        "paper_share_received",
        "50,5\u00a0% des factures d'achat reçues sur papier",
    ),
    (
        "unready software, named",
        calm_client(software=(READY_INVOICING, not_ready(name="Sage 50"), not_ready(name="EBP"))),
        "software_not_ready",
        "2 logiciels non prêts : Sage 50, EBP",
    ),
    (
        "unknown readiness",
        calm_client(software=(READY_INVOICING, unknown_readiness())),
        "software_readiness_unknown",
        "Compatibilité inconnue pour 1 logiciel",
    ),
    (
        "no tool",
        calm_client(software=()),
        "no_invoicing_tool",
        "Aucun outil de facturation recensé",
    ),
    (
        "only unready tools",
        calm_client(software=(not_ready("invoicing", name="Ciel Facture"),)),
        "no_invoicing_tool",
        "Seuls des outils non prêts sont recensés : Ciel Facture",
    ),
    (
        "reception PA chosen",
        calm_client(reception_platform="chosen"),
        "reception_platform",
        "PA choisie, contrat non signé",
    ),
    (
        "issuing due soon",
        calm_client(issuing_platform=None),
        "issuing_platform",
        "Aucune PA ; émission obligatoire le 1er septembre 2027, d'ici 12 mois",
    ),
    (
        "issuing due later",
        calm_client(today=date(2026, 1, 1), issuing_platform=None),
        "issuing_platform",
        "Aucune PA ; émission obligatoire le 1er septembre 2027, dans plus de 12 mois",
    ),
    (
        "issuing already due",
        calm_client(
            issuing_platform=None, obligations={**SME_OBLIGATIONS, "issue_from": "2026-09-01"}
        ),
        "issuing_platform",
        "Aucune PA ; émission obligatoire depuis le 1er septembre 2026",
    ),
    (
        "reception not known to be due",
        calm_client(reception_platform=None, obligations=None),
        "reception_platform",
        "Aucune PA ; obligation de réception à confirmer",
    ),
    (
        "issuing not known to be due",
        calm_client(issuing_platform="considered", obligations=None),
        "issuing_platform",
        "PA envisagée, pas encore choisie ; obligation d'émission à confirmer",
    ),
    (
        "issuing due, its start not known",
        calm_client(issuing_platform=None, obligations={**SME_OBLIGATIONS, "issue_from": None}),
        "issuing_platform",
        "Aucune PA ; émission obligatoire, date encore à déterminer",
    ),
    (
        "never answered",
        calm_client(obligations=None),
        "questionnaire_incomplete",
        "Questionnaire fiscal jamais rempli",
    ),
    (
        "questions missing",
        with_obligations(complete=False, missing=["a", "b", "c"]),
        "questionnaire_incomplete",
        "3 questions à compléter",
    ),
]


@pytest.mark.parametrize(
    ("client", "criterion", "answer"),
    [pytest.param(*case[1:], id=case[0]) for case in ANSWER_CASES],
)
def test_breakdown_answers_read_as_french(client, criterion, answer):
    answers = {line.criterion: line.answer for line in score_client(client, GRID).breakdown}
    assert answers[criterion] == answer


def test_breakdown_runs_from_most_points_to_fewest_then_by_criterion():
    client = calm_client(
        profile={**CALM_PROFILE, "invoice_tool": "paper", "purchase_entry": "client_manual"},
        reception_platform=None,
        issuing_platform=None,
        obligations={**SME_OBLIGATIONS, "size_category": None},
    )
    result = score_client(client, GRID)
    assert [(line.criterion, line.points) for line in result.breakdown] == [
        ("invoice_tool", 8),
        ("issuing_platform", 8),
        ("reception_platform", 8),
        ("size_undecided", 3),
        ("purchase_entry", 2),
    ]
    assert result.breakdown[0].label == "Production des factures"


# --- Levels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "level"),
    [(0, "low"), (9, "low"), (10, "medium"), (28, "medium"), (29, "high"), (500, "high")],
)
def test_default_thresholds(total, level):
    assert level_for(total, GRID) == level


THRESHOLD_CASES = [
    (
        "9 points: low",
        calm_client(software=(), profile={**CALM_PROFILE, "digital_maturity": "low"}),
        9,
        "low",
    ),
    (
        "10 points: medium",
        calm_client(software=(), profile={**CALM_PROFILE, "invoice_tool": "word_excel"}),
        10,
        "medium",
    ),
    (
        "28 points: medium",
        calm_client(
            profile={
                **CALM_PROFILE,
                "invoice_tool": "paper",
                "digital_maturity": "medium",
                "purchase_entry": "client_manual",
            },
            reception_platform=None,
            issuing_platform=None,
        ),
        28,
        "medium",
    ),
    (
        "29 points: high",
        calm_client(
            profile={**CALM_PROFILE, "invoice_tool": "paper", "purchase_entry": "client_manual"},
            reception_platform=None,
            issuing_platform=None,
            mandate_signed=False,
        ),
        29,
        "high",
    ),
]


@pytest.mark.parametrize(
    ("client", "total", "level"),
    [pytest.param(*case[1:], id=case[0]) for case in THRESHOLD_CASES],
)
def test_clients_on_either_side_of_each_threshold(client, total, level):
    result = score_client(client, GRID)
    assert (result.total, result.level) == (total, level)


# --- Editing the grid -----------------------------------------------------------------------------

PAPER_CLIENT = with_profile(invoice_tool="paper", invoices_issued_per_month=120)


def test_changing_one_answers_points_changes_the_total_by_the_difference():
    edited = grid_with(invoice_tool={"points": {"paper": 11, "unanswered": 11}})
    assert score_client(PAPER_CLIENT, edited).total == score_client(PAPER_CLIENT, GRID).total + 3
    word_client = with_profile(invoice_tool="word_excel")
    assert score_client(word_client, edited).total == score_client(word_client, GRID).total


def test_zero_points_remove_the_line():
    edited = grid_with(invoice_tool={"points": {"paper": 0}})
    assert edited.invoice_tool.points["unanswered"] == 8  # still the most: the grid is valid
    assert points_of(PAPER_CLIENT, edited) == {"invoices_issued_per_month": 4}


def test_raising_the_thresholds_lowers_the_level():
    client = THRESHOLD_CASES[3][1]  # 29 points
    assert score_client(client, GRID).level == "high"
    raised = grid_from_dict({"thresholds": {"medium_from": 30, "high_from": 50}})
    assert score_client(client, raised).level == "low"
    assert score_client(client, raised).total == 29


def test_moving_a_band_boundary_moves_the_client_between_bands():
    edited = grid_with(
        invoices_issued_per_month={
            "bands": [{"more_than": 150, "points": 4}, {"at_least": 20, "points": 2}]
        }
    )
    assert points_of(PAPER_CLIENT)["invoices_issued_per_month"] == 4
    assert points_of(PAPER_CLIENT, edited)["invoices_issued_per_month"] == 2


def test_an_unanswered_band_criterion_scores_its_own_points():
    edited = grid_with(paper_share_received={"unanswered": 6})
    client = with_profile(paper_share_received=None)
    assert points_of(client) == {"paper_share_received": 4}
    assert points_of(client, edited) == {"paper_share_received": 6}
    line = score_client(client, edited).breakdown[0]
    assert line.answer == "Part papier non renseignée"


def test_shortening_the_issuing_window_makes_a_deadline_later():
    edited = grid_with(issuing_platform={"within_months": 6})
    client = calm_client(issuing_platform=None)  # due 1 Sept 2027, 9 months after TODAY
    assert points_of(client) == {"issuing_platform": 8}
    assert points_of(client, edited) == {"issuing_platform": 4}


def test_a_cap_can_be_removed_or_set():
    five_unready = calm_client(software=(READY_INVOICING, *[not_ready()] * 5))
    uncapped = grid_with(software_not_ready={"cap": None})
    assert points_of(five_unready, uncapped) == {"software_not_ready": 20}
    capped = grid_with(software_readiness_unknown={"cap": 3})
    five_unknown = calm_client(software=(READY_INVOICING, *[unknown_readiness()] * 5))
    assert points_of(five_unknown, capped) == {"software_readiness_unknown": 3}


def test_a_partial_grid_takes_the_default_for_what_it_leaves_out():
    grid = grid_with(invoice_tool={"points": {"paper": 7}})
    assert grid.invoice_tool.points["paper"] == 7
    assert grid.invoice_tool.points["word_excel"] == 6
    assert grid.mandate_not_signed == GRID.mandate_not_signed
    assert (grid.medium_from, grid.high_from) == (10, 29)


def test_the_default_grid_is_regulation_section_5_and_round_trips_through_json():
    assert grid_to_dict(GRID) == DEFAULT_GRID
    assert grid_from_dict(json.loads(json.dumps(grid_to_dict(GRID)))) == GRID
    assert (GRID.medium_from, GRID.high_from) == (10, 29)


def test_the_grid_has_one_field_per_criterion_of_the_catalogue():
    codes = [spec.code for spec in CRITERIA]
    assert [field.name for field in fields(Grid)] == [*codes, "medium_from", "high_from"]
    assert list(DEFAULT_GRID["criteria"]) == codes
    for spec in CRITERIA:
        assert spec.label[0].isupper()
        has_answers = spec.kind in (CriterionKind.BY_ANSWER, CriterionKind.BY_DEADLINE)
        assert bool(spec.answers) == has_answers, spec.code


@pytest.mark.parametrize(
    ("criterion", "unit", "expected"),
    [
        (
            "invoices_issued_per_month",
            "factures émises / mois",
            ("plus de 100 factures émises / mois", "de 20 à 100 factures émises / mois"),
        ),
        ("paper_share_received", "%", ("plus de 50\u00a0%", "de 10 à 50\u00a0%")),
    ],
)
def test_band_descriptions_of_the_default_grid(criterion, unit, expected):
    assert band_descriptions(GRID.criterion(criterion).bands, unit) == expected


def test_band_descriptions_of_inclusive_and_exclusive_bounds():
    grid = grid_with(
        invoices_issued_per_month={
            "bands": [
                {"at_least": 200, "points": 6},
                {"more_than": 100, "points": 4},
                {"at_least": 50, "points": 3},
                {"more_than": 20, "points": 2},
            ],
            "unanswered": 6,
        }
    )
    assert band_descriptions(grid.invoices_issued_per_month.bands, "factures") == (
        "200 factures ou plus",
        "plus de 100 et moins de 200 factures",
        "de 50 à 100 factures",
        "plus de 20 et moins de 50 factures",
    )


# --- Invalid grids --------------------------------------------------------------------------------

INVALID_GRIDS = [
    ("not an object", [], "grid", "doit être un objet"),
    ("unknown top-level key", {"version": 2}, "grid", "clé inconnue « version »"),
    ("criteria not an object", {"criteria": []}, "grid", "doit être un objet"),
    (
        "unknown criterion",
        {"criteria": {"bank_feed": {"points": 2}}},
        "bank_feed",
        "critère inconnu",
    ),
    (
        "negative points",
        {"criteria": {"invoice_tool": {"points": {"paper": -3}}}},
        "invoice_tool",
        "reçu : -3",
    ),
    (
        "decimal points",
        {"criteria": {"invoice_tool": {"points": {"paper": 2.5}}}},
        "invoice_tool",
        "nombre entier",
    ),
    (
        "points as text",
        {"criteria": {"no_invoicing_tool": {"points": "4"}}},
        "no_invoicing_tool",
        "nombre entier",
    ),
    (
        "a tick box as points",
        {"criteria": {"mandate_not_signed": {"points": True}}},
        "mandate_not_signed",
        "nombre entier",
    ),
    (
        "absurd points",
        {"criteria": {"size_undecided": {"points": 5000}}},
        "size_undecided",
        "de 0 à 1\u202f000",
    ),
    (
        "unknown answer",
        {"criteria": {"invoice_tool": {"points": {"fax": 2}}}},
        "invoice_tool",
        "réponse inconnue « fax »",
    ),
    (
        "unknown key in a criterion",
        {"criteria": {"no_invoicing_tool": {"bonus": 1}}},
        "no_invoicing_tool",
        "clé inconnue « bonus »",
    ),
    (
        "criterion not an object",
        {"criteria": {"size_undecided": 3}},
        "size_undecided",
        "doit être un objet",
    ),
    (
        "bands not a list",
        {"criteria": {"paper_share_received": {"bands": {"more_than": 50}}}},
        "paper_share_received",
        "liste",
    ),
    (
        "band with both bounds",
        {
            "criteria": {
                "paper_share_received": {"bands": [{"more_than": 50, "at_least": 50, "points": 4}]}
            }
        },
        "paper_share_received",
        "soit « more_than » soit « at_least »",
    ),
    (
        "band without points",
        {"criteria": {"paper_share_received": {"bands": [{"more_than": 50}]}}},
        "paper_share_received",
        "les points de la tranche 1",
    ),
    (
        "negative bound",
        {"criteria": {"invoices_issued_per_month": {"bands": [{"at_least": -1, "points": 1}]}}},
        "invoices_issued_per_month",
        "nombre positif",
    ),
    (
        "bound not a number",
        {
            "criteria": {
                "invoices_issued_per_month": {"bands": [{"at_least": float("nan"), "points": 1}]}
            }
        },
        "invoices_issued_per_month",
        "nombre positif",
    ),
    (
        "bands lowest first",
        {
            "criteria": {
                "paper_share_received": {
                    "bands": [{"at_least": 10, "points": 2}, {"more_than": 50, "points": 4}]
                }
            }
        },
        "paper_share_received",
        "la tranche 2 doit commencer sous la tranche 1",
    ),
    (
        "the same band twice",
        {
            "criteria": {
                "paper_share_received": {
                    "bands": [{"at_least": 10, "points": 2}, {"at_least": 10, "points": 4}]
                }
            }
        },
        "paper_share_received",
        "la tranche 2 doit commencer sous la tranche 1",
    ),
    (
        "negative cap",
        {"criteria": {"software_not_ready": {"cap": -1}}},
        "software_not_ready",
        "le plafond",
    ),
    (
        "negative window",
        {"criteria": {"issuing_platform": {"within_months": -1}}},
        "issuing_platform",
        "le délai en mois",
    ),
    (
        "unknown status",
        {"criteria": {"issuing_platform": {"due_soon": {"signed": 2}}}},
        "issuing_platform",
        "réponse inconnue « signed » dans « due_soon »",
    ),
    (
        "thresholds out of order",
        {"thresholds": {"medium_from": 20, "high_from": 15}},
        "thresholds",
        "doit être supérieur",
    ),
    (
        "thresholds equal",
        {"thresholds": {"medium_from": 20, "high_from": 20}},
        "thresholds",
        "doit être supérieur",
    ),
    ("medium from zero", {"thresholds": {"medium_from": 0}}, "thresholds", "au moins 1 point"),
    ("threshold as text", {"thresholds": {"high_from": "29"}}, "thresholds", "nombre entier"),
    (
        "unknown threshold",
        {"thresholds": {"low_from": 0}},
        "thresholds",
        "clé inconnue « low_from »",
    ),
]


@pytest.mark.parametrize(
    ("data", "criterion", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in INVALID_GRIDS],
)
def test_invalid_grids_are_refused_naming_the_criterion(data, criterion, message):
    with pytest.raises(InvalidGrid) as refused:
        grid_from_dict(data)
    assert refused.value.criterion == criterion
    assert message in str(refused.value)


def test_the_refusal_names_the_criterion_and_the_answer_in_french_without_codes():
    with pytest.raises(InvalidGrid) as refused:
        grid_from_dict({"criteria": {"invoice_tool": {"points": {"paper": -1}}}})
    assert str(refused.value) == (
        "Critère « Production des factures » : les points pour « Factures papier » doivent "
        "être un nombre entier de 0 à 1\u202f000 (reçu : -1)"
    )
    assert refused.value.paths == ("criteria.invoice_tool.points.paper",)


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        pytest.param(
            {"criteria": {"issuing_platform": {"due_later": {"chosen": 1001}}}},
            ("criteria.issuing_platform.due_later.chosen",),
            id="points of a deadline column",
        ),
        pytest.param(
            {
                "criteria": {
                    "paper_share_received": {
                        "bands": [{"at_least": 10, "points": 2}, {"more_than": 50, "points": 4}]
                    }
                }
            },
            (
                "criteria.paper_share_received.bands.0.at_least",
                "criteria.paper_share_received.bands.1.more_than",
            ),
            id="bands out of order",
        ),
        pytest.param(
            {"criteria": {"software_not_ready": {"cap": -1}}},
            ("criteria.software_not_ready.cap",),
            id="a cap",
        ),
        pytest.param(
            {"thresholds": {"medium_from": 30, "high_from": 20}},
            ("thresholds.medium_from", "thresholds.high_from"),
            id="thresholds",
        ),
        pytest.param(
            {"criteria": {"no_invoicing_tool": {"bonus": 1}}}, (), id="a key the grid lacks"
        ),
    ],
)
def test_a_refusal_points_at_the_values_at_fault(data, paths):
    with pytest.raises(InvalidGrid) as refused:
        grid_from_dict(data)
    assert refused.value.paths == paths


# --- What is not known counts at least as much as any answer --------------------------------------

UNKNOWN_BELOW_AN_ANSWER = [
    (
        "an answer above unanswered",
        {"invoice_tool": {"points": {"paper": 9}}},
        "« Non renseigné » vaut 8 points, moins que « Factures papier » (9 points)",
        ("points.unanswered", "points.paper"),
    ),
    (
        "unanswered lowered below an answer",
        {"digital_maturity": {"points": {"unanswered": 0}}},
        "« Non renseignée » vaut 0 point, moins que « Maturité faible » (5 points)",
        ("points.unanswered", "points.low"),
    ),
    (
        "a band above unanswered",
        {"invoices_issued_per_month": {"unanswered": 3}},
        "« Non renseigné » vaut 3 points, moins que la tranche « plus de 100 factures émises "
        "/ mois » (4 points)",
        ("unanswered", "bands.0.points"),
    ),
    (
        "a reception PA status above no PA",
        {"reception_platform": {"points": {"none": 1}}},
        "« Aucune PA » vaut 1 point, moins que « PA envisagée, pas encore choisie » (8 points)",
        ("points.none", "points.considered"),
    ),
    (
        "an issuing PA status above no PA",
        {"issuing_platform": {"due_later": {"chosen": 5}}},
        "« Aucune PA » (émission plus lointaine) vaut 4 points, moins que « PA choisie, contrat "
        "non signé » (5 points)",
        ("due_later.none", "due_later.chosen"),
    ),
    (
        "due later above due soon",
        {"issuing_platform": {"due_later": {"none": 9, "considered": 9}}},
        "« Aucune PA » vaut 8 points en émission proche, moins qu'en émission plus lointaine "
        "(9 points)",
        ("due_soon.none", "due_later.none"),
    ),
]


@pytest.mark.parametrize(
    ("criteria", "message", "fields"),
    [pytest.param(*case[1:], id=case[0]) for case in UNKNOWN_BELOW_AN_ANSWER],
)
def test_a_grid_may_not_score_an_answer_above_what_is_not_known(criteria, message, fields):
    with pytest.raises(InvalidGrid) as refused:
        grid_from_dict({"criteria": criteria})
    (criterion,) = criteria
    assert refused.value.criterion == criterion
    assert refused.value.fields == fields
    assert message in str(refused.value)
    why = ("jamais augmenter son urgence", "date d'émission encore inconnue compte comme proche")
    assert any(reason in str(refused.value) for reason in why)


def test_what_is_not_known_may_score_as_much_as_the_worst_answer_or_more():
    grid = grid_with(
        invoice_tool={"points": {"paper": 9, "unanswered": 9}},
        paper_share_received={"unanswered": 10},
        issuing_platform={"due_soon": {"none": 8, "considered": 8, "chosen": 0}},
    )
    assert grid.invoice_tool.points["unanswered"] == 9
    assert grid.paper_share_received.unanswered == 10


def test_grid_from_dict_does_not_change_what_it_is_given():
    data = {"criteria": {"invoice_tool": {"points": {"paper": 7}}}}
    before = copy.deepcopy(data)
    default_before = copy.deepcopy(DEFAULT_GRID)
    grid_from_dict(data)
    assert data == before
    assert default_before == DEFAULT_GRID


# --- Compliance -----------------------------------------------------------------------------------

COMPLIANCE_CASES = [
    ("calm client", calm_client(), {}, 100),
    (
        "reception PA chosen, not connected",
        calm_client(reception_platform="chosen"),
        {"reception_platform_connected": (True, False)},
        86,
    ),
    (
        "no PA at all",
        calm_client(reception_platform=None, issuing_platform=None),
        {
            "reception_platform_chosen": (True, False),
            "reception_platform_connected": (True, False),
            "issuing_platform_chosen": (True, False),
            "e_reporting_handled": (True, False),
        },
        43,
    ),
    (
        "e-reporting through the connected reception PA",
        calm_client(reception_platform="connected", issuing_platform="contract_signed"),
        {},
        100,
    ),
    (
        "issuing PA only considered",
        calm_client(issuing_platform="considered", reception_platform="contract_signed"),
        {
            "reception_platform_connected": (True, False),
            "issuing_platform_chosen": (True, False),
            "e_reporting_handled": (True, False),
        },
        57,
    ),
    (
        "invoicing tool not ready",
        calm_client(software=(not_ready("invoicing"),)),
        {"issuing_software_ready": (True, False)},
        86,
    ),
    (
        "invoicing tool of unknown readiness",
        calm_client(software=(READY_INVOICING, unknown_readiness("erp"))),
        {"issuing_software_ready": (True, False)},
        86,
    ),
    (
        "no invoicing tool",
        calm_client(software=()),
        {"issuing_software_ready": (True, False)},
        86,
    ),
    (
        "does not issue: issuing checkpoints do not apply",
        calm_client(
            issuing_platform=None,
            software=(),
            obligations={**SME_OBLIGATIONS, "must_issue": False, "issue_from": None},
        ),
        {
            "issuing_platform_chosen": (False, False),
            "issuing_software_ready": (False, False),
        },
        100,
    ),
    (
        "no e-reporting: its checkpoint does not apply",
        calm_client(
            reception_platform="chosen",
            issuing_platform="chosen",
            obligations={**SME_OBLIGATIONS, "e_reporting_payments": False},
        ),
        {
            "reception_platform_connected": (True, False),
            "e_reporting_handled": (False, False),
        },
        83,
    ),
    (
        "mandate not signed",
        calm_client(mandate_signed=False),
        {"mandate_signed": (True, False)},
        86,
    ),
    (
        "mandates not tracked",
        calm_client(mandate_signed=None),
        {"mandate_signed": (False, False)},
        100,
    ),
    (
        "questionnaire incomplete",
        with_obligations(complete=False, missing=["vat_regime"]),
        {"obligations_decided": (True, False)},
        86,
    ),
    (
        "questionnaire never answered: everything applies",
        calm_client(obligations=None, reception_platform=None, issuing_platform=None),
        {
            "obligations_decided": (True, False),
            "reception_platform_chosen": (True, False),
            "reception_platform_connected": (True, False),
            "issuing_platform_chosen": (True, False),
            "e_reporting_handled": (True, False),
        },
        29,
    ),
    (
        "out of scope",
        calm_client(
            obligations=OUT_OF_SCOPE_OBLIGATIONS,
            reception_platform=None,
            issuing_platform=None,
            software=(),
            mandate_signed=False,
        ),
        {
            "reception_platform_chosen": (False, False),
            "reception_platform_connected": (False, False),
            "issuing_platform_chosen": (False, False),
            "issuing_software_ready": (False, False),
            "e_reporting_handled": (False, False),
            "mandate_signed": (False, False),
        },
        100,
    ),
    (
        "out of scope, a question still open: decided all the same",
        calm_client(
            obligations={**OUT_OF_SCOPE_OBLIGATIONS, "complete": False, "missing": ["sells_b2c"]},
            mandate_signed=None,
        ),
        {
            "reception_platform_chosen": (False, True),
            "reception_platform_connected": (False, True),
            "issuing_platform_chosen": (False, True),
            "issuing_software_ready": (False, True),
            "e_reporting_handled": (False, True),
            "mandate_signed": (False, False),
        },
        100,
    ),
    (
        "abroad, selling to consumers",
        calm_client(
            obligations=ABROAD_B2C_OBLIGATIONS, reception_platform=None, issuing_platform="chosen"
        ),
        {
            "reception_platform_chosen": (False, False),
            "reception_platform_connected": (False, False),
            "issuing_platform_chosen": (False, True),
            "issuing_software_ready": (False, True),
            "e_reporting_handled": (True, False),
        },
        67,
    ),
]


@pytest.mark.parametrize(
    ("client", "differences", "compliance"),
    [pytest.param(*case[1:], id=case[0]) for case in COMPLIANCE_CASES],
)
def test_compliance_checkpoints(client, differences, compliance):
    """Every checkpoint applies and is met, except the differences given as (applies, met)."""
    result = score_client(client, GRID)
    expected = {code: differences.get(code, (True, True)) for code in CHECKPOINT_LABELS}
    actual = {
        checkpoint.code: (checkpoint.applies, checkpoint.met) for checkpoint in result.checkpoints
    }
    assert actual == expected
    assert result.compliance == compliance


def test_checkpoints_come_in_a_fixed_order_with_french_labels():
    result = score_client(calm_client(), GRID)
    assert [checkpoint.code for checkpoint in result.checkpoints] == list(CHECKPOINT_LABELS)
    assert [checkpoint.label for checkpoint in result.checkpoints][:2] == [
        "Obligations déterminées",
        "PA de réception choisie",
    ]


# --- Inputs, purity, JSON -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        pytest.param(
            lambda: calm_client(reception_platform="signed"),
            ValueError,
            "reception_platform",
            id="unknown PA status",
        ),
        pytest.param(
            lambda: SoftwareItem("spreadsheet", True),
            ValueError,
            "spreadsheet",
            id="unknown software category",
        ),
        pytest.param(
            lambda: score_client(with_profile(invoice_tool="fax"), GRID),
            ValueError,
            "invoice_tool",
            id="unknown profile answer",
        ),
        pytest.param(
            lambda: score_client(with_profile(invoice_tool="unanswered"), GRID),
            ValueError,
            "invoice_tool",
            id="the unanswered marker is not an answer",
        ),
        pytest.param(
            lambda: score_client(with_profile(invoices_issued_per_month="120"), GRID),
            TypeError,
            "invoices_issued_per_month",
            id="a volume as text",
        ),
        pytest.param(
            lambda: score_client(with_profile(paper_share_received=True), GRID),
            TypeError,
            "paper_share_received",
            id="a share as a tick box",
        ),
        pytest.param(
            lambda: score_client(with_obligations(must_issue="yes"), GRID),
            TypeError,
            "must_issue",
            id="an obligation that is not a boolean",
        ),
    ],
)
def test_inputs_the_cartography_cannot_produce_are_refused(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_scoring_changes_nothing_it_is_given():
    obligations = copy.deepcopy(SME_OBLIGATIONS)
    profile = dict(WORST_PROFILE)
    client = calm_client(profile=profile, obligations=obligations)
    first = score_client(client, GRID)
    assert profile == WORST_PROFILE
    assert obligations == SME_OBLIGATIONS
    assert score_client(client, GRID) == first


def test_a_result_as_json():
    result = score_client(with_profile(invoice_tool="paper"), GRID)
    stored = json.loads(json.dumps(result_to_dict(result)))
    assert stored == {
        "total": 8,
        "level": "low",
        "compliance": 100,
        "breakdown": [
            {
                "criterion": "invoice_tool",
                "label": "Production des factures",
                "answer": "Factures papier",
                "points": 8,
            }
        ],
        "checkpoints": [
            {"code": code, "label": label, "applies": True, "met": True}
            for code, label in CHECKPOINT_LABELS.items()
        ],
    }


def test_spread_counts_clients_per_level():
    results = [score_client(client, GRID) for _name, client, *_ in THRESHOLD_CASES]
    assert spread(results) == {"low": 1, "medium": 2, "high": 1}
    assert spread([]) == {"low": 0, "medium": 0, "high": 0}
