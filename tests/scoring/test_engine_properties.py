"""Properties of score_client over generated clients and grids (hypothesis)."""

import json
from dataclasses import replace
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fiscal_questionnaire.questions import QUESTIONS, AnswerKind
from fiscal_questionnaire.rules import derive_obligations
from fiscal_questionnaire.rules.law import SIZE_CEILINGS
from scoring.engine import (
    CHECKPOINT_LABELS,
    CRITERIA,
    LEVELS,
    PLATFORM_STATUSES,
    SOFTWARE_CATEGORIES,
    CriterionKind,
    InvalidGrid,
    ScoringInput,
    SoftwareItem,
    grid_from_dict,
    grid_to_dict,
    level_for,
    load_default_grid,
    score_client,
)

# Generated grids are parsed and clients scored many times per example; timing is not the point.
properties = settings(deadline=None)

POINTS = st.integers(min_value=0, max_value=20)
EXTRA = st.integers(min_value=0, max_value=5)


def any_answer_points(spec):
    return st.fixed_dictionaries(dict.fromkeys(spec.answer_codes, POINTS))


@st.composite
def answer_points(draw, spec):
    """Points by answer, what is not known scoring at least as much as any answer."""
    points = draw(any_answer_points(spec))
    if spec.unknown:
        points[spec.unknown] = max(points.values()) + draw(EXTRA)
    return points


@st.composite
def deadline_points(draw, spec):
    """Due later as answer_points, due soon at least as much for every status."""
    due_later = draw(answer_points(spec))
    due_soon = {status: points + draw(EXTRA) for status, points in due_later.items()}
    due_soon[spec.unknown] = max(due_soon.values()) + draw(EXTRA)
    return {
        "within_months": draw(st.integers(min_value=0, max_value=24)),
        "due_soon": due_soon,
        "due_later": due_later,
    }


@st.composite
def band_points(draw):
    drawn = draw(bands())
    unanswered = max((band["points"] for band in drawn), default=0) + draw(EXTRA)
    return {"bands": drawn, "unanswered": unanswered}


@st.composite
def bands(draw):
    """0 to 3 bands, highest first, each starting strictly below the one above."""
    drawn = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=150), st.booleans(), POINTS), max_size=3
        )
    )
    by_start = {(bound, not includes_lower): points for bound, includes_lower, points in drawn}
    return [
        {"more_than" if strictly_above else "at_least": bound, "points": points}
        for (bound, strictly_above), points in sorted(by_start.items(), reverse=True)
    ]


def criterion_data(spec):
    """A criterion's points as a grid may hold them."""
    if spec.kind is CriterionKind.BY_ANSWER:
        return st.fixed_dictionaries({"points": answer_points(spec)})
    if spec.kind is CriterionKind.BY_BAND:
        return band_points()
    if spec.kind is CriterionKind.FIXED:
        return st.fixed_dictionaries({"points": POINTS})
    if spec.kind is CriterionKind.PER_ITEM:
        return st.fixed_dictionaries({"points_each": POINTS, "cap": st.none() | POINTS})
    return deadline_points(spec)


def any_criterion_data(spec):
    """A criterion's points, whether or not a grid may hold them."""
    if spec.kind is CriterionKind.BY_ANSWER:
        return st.fixed_dictionaries({"points": any_answer_points(spec)})
    if spec.kind is CriterionKind.BY_BAND:
        return st.fixed_dictionaries({"bands": bands(), "unanswered": POINTS})
    if spec.kind is CriterionKind.BY_DEADLINE:
        return st.fixed_dictionaries(
            {
                "within_months": st.integers(min_value=0, max_value=24),
                "due_soon": any_answer_points(spec),
                "due_later": any_answer_points(spec),
            }
        )
    return criterion_data(spec)


@st.composite
def thresholds(draw):
    medium_from = draw(st.integers(min_value=1, max_value=60))
    high_from = draw(st.integers(min_value=medium_from + 1, max_value=120))
    return {"medium_from": medium_from, "high_from": high_from}


grid_dicts = st.fixed_dictionaries(
    {
        "criteria": st.fixed_dictionaries({spec.code: criterion_data(spec) for spec in CRITERIA}),
        "thresholds": thresholds(),
    }
)
grids = st.one_of(st.just(load_default_grid()), grid_dicts.map(grid_from_dict))
any_grid_dicts = st.fixed_dictionaries(
    {
        "criteria": st.fixed_dictionaries(
            {spec.code: any_criterion_data(spec) for spec in CRITERIA}
        ),
        "thresholds": thresholds(),
    }
)


def zeroed(data):
    """The grid with every point value at 0; bounds, caps, windows and thresholds kept."""
    criteria = {
        code: {key: _zero_points(key, value) for key, value in criterion.items()}
        for code, criterion in data["criteria"].items()
    }
    return grid_from_dict({"criteria": criteria, "thresholds": data["thresholds"]})


def _zero_points(key, value):
    if key == "bands":
        return [{**band, "points": 0} for band in value]
    if isinstance(value, dict):  # points by answer, due_soon, due_later
        return dict.fromkeys(value, 0)
    if key in ("points", "points_each", "unanswered"):
        return 0
    return value  # a cap or a window


# Numbers around the default band boundaries, where mistakes hide, and anything else.
NUMBERS = st.one_of(
    st.sampled_from([0, 9, 10, 19, 20, 50, 51, 100, 101, 9.99, 50.5, 100.5]),
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0, max_value=10_000, allow_nan=False),
)


def choice(*values):
    return st.none() | st.sampled_from(values)


# Every answer to each digital-profile question (REGULATION.md §4); missing or None: unanswered.
PROFILE_ANSWERS = {
    "invoice_tool": st.sampled_from(
        ["paper", "word_excel", "invoicing_software", "accounting_software", "erp", "pos"]
    ),
    "invoices_issued_per_month": NUMBERS,
    "invoices_received_per_month": NUMBERS,
    "paper_share_received": NUMBERS.filter(lambda share: share <= 100),
    "purchase_entry": st.sampled_from(["client_manual", "firm", "automated"]),
    "bank_feed": st.booleans(),
    "has_pos": st.booleans(),
    "digital_maturity": st.sampled_from(["low", "medium", "high"]),
}
profiles = st.fixed_dictionaries(
    {}, optional={code: st.none() | answers for code, answers in PROFILE_ANSWERS.items()}
)
software_items = st.builds(
    SoftwareItem,
    category=st.sampled_from(SOFTWARE_CATEGORIES),
    reform_ready=st.none() | st.booleans(),
    used_for_issuing=st.booleans(),
    used_for_receiving=st.booleans(),
    name=st.sampled_from(["", "Sage 50", "EBP"]),
)
not_ready_items = st.builds(
    SoftwareItem,
    category=st.sampled_from(SOFTWARE_CATEGORIES),
    reform_ready=st.just(False),
    used_for_issuing=st.booleans(),
    used_for_receiving=st.booleans(),
)
flags = st.sampled_from([True, False, None])
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31))
# Any combination of values, consistent or not: the arithmetic must hold for every one.
obligations = st.none() | st.fixed_dictionaries(
    {
        "in_scope": flags,
        "size_category": choice("GE", "ETI", "PME", "MICRO"),
        "must_receive": flags,
        "must_issue": flags,
        "issue_from": st.none() | days.map(date.isoformat),
        "e_reporting_transactions": flags,
        "e_reporting_payments": flags,
        "complete": st.booleans(),
        "missing": st.lists(st.sampled_from(["vat_liable", "employees", "sells_b2c"]), max_size=3),
    }
)
# As derive_obligations says it of a company outside the reform: every duty false.
out_of_scope_obligations = st.fixed_dictionaries(
    {
        "in_scope": st.just(False),
        "size_category": choice("GE", "PME"),
        "must_receive": st.just(False),
        "must_issue": st.just(False),
        "issue_from": st.none(),
        "e_reporting_transactions": st.just(False),
        "e_reporting_payments": st.just(False),
        "complete": st.booleans(),
        "missing": st.lists(st.just("size_category_override"), max_size=1),
    }
)
statuses = st.none() | st.sampled_from(PLATFORM_STATUSES)


def clients(obligation_strategy=obligations):
    return st.builds(
        ScoringInput,
        today=days,
        profile=profiles,
        software=st.lists(software_items, max_size=6),
        reception_platform=statuses,
        issuing_platform=statuses,
        obligations=obligation_strategy,
        mandate_signed=st.none() | st.booleans(),
    )


@properties
@given(clients(), grids)
def test_the_total_is_the_sum_of_the_breakdown(client, grid):
    result = score_client(client, grid)
    points = [line.points for line in result.breakdown]
    assert result.total == sum(points)
    assert all(point > 0 for point in points)
    assert len({line.criterion for line in result.breakdown}) == len(points)
    ordered = sorted(result.breakdown, key=lambda line: (-line.points, line.criterion))
    assert list(result.breakdown) == ordered
    assert result.level == level_for(result.total, grid)


@properties
@given(grids, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300))
def test_the_level_never_falls_as_the_total_rises(grid, total, other_total):
    lower, higher = sorted((total, other_total))
    assert LEVELS.index(level_for(lower, grid)) <= LEVELS.index(level_for(higher, grid))


@properties
@given(clients(), grids)
def test_compliance_is_a_percentage_of_the_applicable_checkpoints(client, grid):
    result = score_client(client, grid)
    assert 0 <= result.compliance <= 100
    assert [checkpoint.code for checkpoint in result.checkpoints] == list(CHECKPOINT_LABELS)
    applicable = [checkpoint for checkpoint in result.checkpoints if checkpoint.applies]
    if all(checkpoint.met for checkpoint in applicable):
        assert result.compliance == 100
    if not any(checkpoint.met for checkpoint in applicable):
        assert result.compliance == 0


@properties
@given(clients(), grid_dicts)
def test_a_grid_of_zeros_scores_nothing(client, data):
    result = score_client(client, zeroed(data))
    assert (result.total, result.level, result.breakdown) == (0, "low", ())


# The case that decides what "no invoicing tool" means: unready software already at the cap,
# then an unready invoicing tool. Were it counted as a tool, the total would drop by 4.
AT_THE_CAP = ScoringInput(
    today=date(2026, 11, 22),
    software=[SoftwareItem("accounting", False)] * 3,
    obligations={"in_scope": True, "must_receive": True, "must_issue": True, "complete": True},
)


@properties
@given(clients(), grids, not_ready_items, st.integers(min_value=0))
@example(AT_THE_CAP, load_default_grid(), SoftwareItem("invoicing", False), 0)
def test_recording_one_more_unready_software_never_lowers_the_total(client, grid, item, position):
    software = list(client.software)
    software.insert(position % (len(software) + 1), item)
    more = ScoringInput(
        today=client.today,
        profile=client.profile,
        software=software,
        reception_platform=client.reception_platform,
        issuing_platform=client.issuing_platform,
        obligations=client.obligations,
        mandate_signed=client.mandate_signed,
    )
    assert score_client(more, grid).total >= score_client(client, grid).total


@properties
@given(clients(out_of_scope_obligations), grids)
def test_a_company_out_of_scope_scores_nothing_and_is_compliant(client, grid):
    result = score_client(client, grid)
    assert (result.total, result.breakdown, result.compliance) == (0, (), 100)


@properties
@given(grid_dicts)
def test_a_grid_survives_storage_as_json(data):
    grid = grid_from_dict(data)
    assert grid_to_dict(grid) == data
    assert grid_from_dict(json.loads(json.dumps(grid_to_dict(grid)))) == grid


# --- Answering a question never raises the score --------------------------------------------------


def _around_the_size_ceilings():
    """Figures on either side of every size threshold (décret 2008-1354), where sizes change."""
    values = {"employees": [0], "turnover_eur": [0], "balance_sheet_eur": [0]}
    for ceiling in SIZE_CEILINGS:
        values["employees"] += [ceiling.staff_below - 1, ceiling.staff_below]
        values["turnover_eur"] += [ceiling.turnover_at_most, ceiling.turnover_at_most + 1]
        values["balance_sheet_eur"] += [
            ceiling.balance_sheet_at_most,
            ceiling.balance_sheet_at_most + 1,
        ]
    return values


AROUND_THE_CEILINGS = _around_the_size_ceilings()


def every_answer(question):
    """The answers to try for a question: all of them, or for a figure, both sides of every
    size threshold and one drawn among the rest."""
    if question.kind is AnswerKind.BOOLEAN:
        return st.just((True, False))
    if question.kind is AnswerKind.CHOICE:
        return st.just(question.allowed_values)
    drawn = st.integers(min_value=0, max_value=3_000_000_000) | st.floats(
        min_value=0, max_value=3e9, allow_nan=False
    )
    return drawn.map(lambda figure: (*AROUND_THE_CEILINGS[question.code], figure))


QUESTION_ANSWERS = {question.code: every_answer(question) for question in QUESTIONS}
# Answers as stored: a question may be missing, or present with None (an answer taken back).
questionnaires = st.fixed_dictionaries(
    {},
    optional={
        code: st.none() | answers.flatmap(st.sampled_from)
        for code, answers in QUESTION_ANSWERS.items()
    },
)


def scored(client, answers, grid):
    """The score as the app computes it: obligations derived from the answers, none at all
    (questionnaire never answered) without any answer."""
    obligations = derive_obligations(answers) if answers else None
    return score_client(replace(client, obligations=obligations), grid)


@properties
@given(st.data(), clients(st.none()), questionnaires, grids)
def test_answering_any_question_whatever_the_answer_never_raises_the_score(
    data, client, answers, grid
):
    """Every unanswered question of the fiscal questionnaire and of the digital profile, with
    every answer (a drawn one for figures), from any partly answered client, under any grid."""
    before = scored(client, answers, grid)
    answered = []
    for code, values in QUESTION_ANSWERS.items():
        if answers.get(code) is None:
            for value in data.draw(values, label=code):
                answered.append((code, value, scored(client, {**answers, code: value}, grid)))
    for code, values in PROFILE_ANSWERS.items():
        if client.profile.get(code) is None:
            value = data.draw(values, label=code)
            profile = {**client.profile, code: value}
            answered.append((code, value, scored(replace(client, profile=profile), answers, grid)))
    for code, value, after in answered:
        assert after.total <= before.total, (code, value, before.breakdown, after.breakdown)
        assert LEVELS.index(after.level) <= LEVELS.index(before.level)


def test_a_blank_client_answering_question_after_question_only_goes_down():
    """The issue's story, told the other way round: 13, then 26, then 39 as answers came."""
    grid = load_default_grid()
    client = ScoringInput(today=date(2026, 11, 22))
    answers = {}
    steps = [
        ("profile", "invoice_tool", "paper"),
        ("questionnaire", "vat_liable", True),
        ("questionnaire", "establishment", "france_hq"),
        ("profile", "digital_maturity", "low"),
        ("questionnaire", "sells_b2b_domestic", True),
        ("questionnaire", "employees", 12),
        ("questionnaire", "turnover_eur", 1_800_000),
        ("profile", "paper_share_received", 5),
    ]
    totals = [scored(client, answers, grid).total]
    for kind, code, value in steps:
        if kind == "questionnaire":
            answers = {**answers, code: value}
        else:
            client = replace(client, profile={**client.profile, code: value})
        totals.append(scored(client, answers, grid).total)
    assert totals == sorted(totals, reverse=True)
    assert totals[0] == 52 and totals[-1] < totals[0]


def follows_the_unknown_rule(data):
    """What is not known scores at least every answer; due soon at least due later."""
    for spec in CRITERIA:
        criterion = data["criteria"][spec.code]
        if spec.kind is CriterionKind.BY_ANSWER and spec.unknown:
            columns = [criterion["points"]]
        elif spec.kind is CriterionKind.BY_DEADLINE:
            columns = [criterion["due_soon"], criterion["due_later"]]
            soon, later = criterion["due_soon"], criterion["due_later"]
            if any(later[status] > soon[status] for status in later):
                return False
        elif spec.kind is CriterionKind.BY_BAND:
            worst = max((band["points"] for band in criterion["bands"]), default=0)
            if worst > criterion["unanswered"]:
                return False
            continue
        else:
            continue
        if any(max(column.values()) > column[spec.unknown] for column in columns):
            return False
    return True


@properties
@given(any_grid_dicts)
def test_a_grid_is_refused_exactly_when_an_answer_would_outscore_the_unknown(data):
    try:
        grid_from_dict(data)
    except InvalidGrid as refused:
        assert not follows_the_unknown_rule(data)
        assert refused.criterion in data["criteria"]
        assert refused.paths and set(refused.paths) <= set(_cell_paths(data))
    else:
        assert follows_the_unknown_rule(data)


def _cell_paths(data):
    return [path for path, _ in _leaves(data)]


def _leaves(node, prefix=""):
    items = enumerate(node) if isinstance(node, list) else node.items()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict | list):
            yield from _leaves(value, path)
        else:
            yield path, value
