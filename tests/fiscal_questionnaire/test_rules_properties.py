"""Properties of derive_obligations over generated questionnaires (hypothesis)."""

from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from fiscal_questionnaire.questions import (
    QUESTION_CODES,
    QUESTIONS,
    AnswerKind,
    visible_answers,
    visible_questions,
)
from fiscal_questionnaire.rules import RESULT_KEYS, derive_obligations
from fiscal_questionnaire.rules.law import (
    FIRST_WAVE_CATEGORIES,
    SIZE_CEILINGS,
    figure_representatives,
)

OBLIGATION_STARTS = {
    "must_receive": "receive_from",
    "must_issue": "issue_from",
    "e_reporting_transactions": "e_reporting_transactions_from",
    "e_reporting_payments": "e_reporting_payments_from",
}
BOOLEAN_FIELDS = ("in_scope", *OBLIGATION_STARTS, "chorus_pro")
DECIDED_FIELDS = RESULT_KEYS[:12]  # everything but complete, missing and reasons

# Numbers near every threshold, where mistakes hide, and anything else.
THRESHOLDS = [
    limit
    for ceiling in SIZE_CEILINGS
    for limit in (ceiling.staff_below, ceiling.turnover_at_most, ceiling.balance_sheet_at_most)
]
NUMBERS = st.one_of(
    st.sampled_from([offset + limit for limit in THRESHOLDS for offset in (-1, 0, 1)] + [0]),
    st.integers(min_value=0, max_value=10**10),
    st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False),
)


def answer_values(question):
    if question.kind is AnswerKind.BOOLEAN:
        return st.booleans()
    if question.kind is AnswerKind.NUMBER:
        return NUMBERS
    return st.sampled_from(question.allowed_values)


# Any subset of questions answered, some explicitly null, hidden ones included.
answer_sets = st.fixed_dictionaries(
    {},
    optional={
        question.code: st.one_of(st.none(), answer_values(question)) for question in QUESTIONS
    },
)
# Every question answered.
full_answer_sets = st.fixed_dictionaries(
    {question.code: answer_values(question) for question in QUESTIONS}
)
# Every question answered but perhaps the optional manual size, so that the figures count.
answer_sets_but_the_optional = st.fixed_dictionaries(
    {
        question.code: st.one_of(st.none(), answer_values(question))
        if question.optional
        else answer_values(question)
        for question in QUESTIONS
    }
)


@given(answer_sets)
def test_result_has_exactly_the_listed_keys(answers):
    assert tuple(derive_obligations(answers)) == RESULT_KEYS


@given(answer_sets)
def test_a_company_that_must_issue_must_receive(answers):
    result = derive_obligations(answers)
    if result["must_issue"] is True:
        assert result["must_receive"] is True


@given(answer_sets)
def test_out_of_scope_means_no_obligation_at_all(answers):
    result = derive_obligations(answers)
    if result["in_scope"] is False:
        assert all(result[obligation] is False for obligation in BOOLEAN_FIELDS[1:])
        assert all(result[start] is None for start in OBLIGATION_STARTS.values())
        assert result["e_reporting_frequency"] is None


@given(answer_sets)
def test_complete_exactly_when_nothing_is_missing(answers):
    result = derive_obligations(answers)
    assert result["complete"] is (result["missing"] == [])


@given(answer_sets)
def test_a_start_date_only_for_a_true_obligation(answers):
    result = derive_obligations(answers)
    for obligation, start in OBLIGATION_STARTS.items():
        if result[obligation] is not True:
            assert result[start] is None
        elif result[start] is not None:
            assert date.fromisoformat(result[start]) >= date(2026, 9, 1)


@given(answer_sets)
def test_a_frequency_only_when_transactions_are_e_reported(answers):
    result = derive_obligations(answers)
    if result["e_reporting_transactions"] is not True:
        assert result["e_reporting_frequency"] is None


@given(answer_sets)
def test_a_complete_result_leaves_nothing_undecided(answers):
    result = derive_obligations(answers)
    if result["complete"]:
        assert all(result[field] is not None for field in BOOLEAN_FIELDS)
        for obligation, start in OBLIGATION_STARTS.items():
            assert (result[start] is not None) is result[obligation]
        if result["e_reporting_transactions"]:
            assert result["e_reporting_frequency"] is not None


@given(answer_sets)
def test_missing_lists_only_visible_unanswered_questions_in_catalogue_order(answers):
    result = derive_obligations(answers)
    askable = [code for code in visible_questions(answers) if code not in visible_answers(answers)]
    assert [code for code in askable if code in result["missing"]] == result["missing"]


@given(answer_sets)
def test_derivation_is_deterministic(answers):
    first = derive_obligations(answers)
    assert derive_obligations(answers) == first
    assert derive_obligations(dict(reversed(list(answers.items())))) == first


@given(answer_sets)
def test_reasons_are_french_sentences_with_references(answers):
    for reason in derive_obligations(answers)["reasons"]:
        assert set(reason) == {"rule", "text", "reference"}
        assert all(isinstance(value, str) and value for value in reason.values())


@given(answer_sets, full_answer_sets)
def test_more_answers_never_change_what_was_decided(answers, more_answers):
    """Whatever the unanswered questions turn out to be, a decided value holds.

    Except the manual size category: it is a correction that overrides the figures on purpose.
    """
    result = derive_obligations(answers)
    answered_later = {
        code: value
        for code, value in more_answers.items()
        if answers.get(code) is None and code != "size_category_override"
    }
    later = derive_obligations({**answers, **answered_later})
    for field in DECIDED_FIELDS:
        if result[field] is not None:
            assert later[field] == result[field], field
    if result["complete"]:
        assert {field: later[field] for field in DECIDED_FIELDS} == {
            field: result[field] for field in DECIDED_FIELDS
        }
        assert later["complete"] is True


@given(answer_sets)
def test_the_size_is_read_alike_wherever_the_company_is_established(answers):
    """The same size answers give the same category in France and abroad."""
    liable = {**answers, "vat_liable": True}
    abroad = derive_obligations({**liable, "establishment": "none_in_france"})
    in_france = derive_obligations({**liable, "establishment": "france_hq"})
    assert abroad["size_category"] == in_france["size_category"]


@given(answer_sets)
def test_not_established_in_france_reports_on_the_calendar_of_its_size(answers):
    """Abroad, a known size always dates the e-reporting: 2026 for GE and ETI, else 2027
    (a VAT group answer left behind changes nothing); an undecided date means an open size."""
    result = derive_obligations({**answers, "vat_liable": True, "establishment": "none_in_france"})
    assert result["must_receive"] is False and result["must_issue"] is False
    assert result["e_reporting_payments"] is False
    assert result["in_scope"] == result["e_reporting_transactions"]
    if result["e_reporting_transactions"] is not True:
        return
    start = result["e_reporting_transactions_from"]
    if result["size_category"] is not None:
        first_wave = result["size_category"] in FIRST_WAVE_CATEGORIES
        assert start == ("2026-09-01" if first_wave else "2027-09-01")
    if start is None:
        assert result["size_category"] is None
        assert {"employees", "turnover_eur", "balance_sheet_eur"} & set(result["missing"])


@given(full_answer_sets)
def test_answering_every_question_completes_the_questionnaire(answers):
    result = derive_obligations(answers)
    assert result["complete"] is True
    assert result["missing"] == []


@given(answer_sets_but_the_optional, st.sampled_from(QUESTION_CODES))
def test_a_missing_question_is_one_left_unanswered(answers, removed_code):
    answers = {**answers, removed_code: None}
    unanswered = {code for code, value in answers.items() if value is None}
    assert set(derive_obligations(answers)["missing"]) <= unanswered


@given(answer_sets_but_the_optional, st.sampled_from(QUESTION_CODES))
def test_a_missing_question_can_change_the_result(answers, removed_code):
    """No question is asked for nothing: some answer to it changes a decided field.

    Only when removing the answer hides no other answer (removing the activity would hide the
    VAT-on-debits option, which would then be asked too). Answers hidden once it is removed are
    forgotten, as the engine does: an answer may reveal a question that is then unanswered.
    """
    still_visible = set(visible_answers(answers)) - {removed_code}
    answers = visible_answers({**answers, removed_code: None})
    assume(set(answers) == still_visible)
    if derive_obligations(answers)["missing"] != [removed_code]:
        return
    question = next(question for question in QUESTIONS if question.code == removed_code)
    outcomes = {
        tuple(derive_obligations({**answers, removed_code: value})[key] for key in DECIDED_FIELDS)
        for value in every_answer(question)
    }
    assert len(outcomes) > 1


def every_answer(question):
    if question.kind is AnswerKind.BOOLEAN:
        return (True, False)
    if question.kind is AnswerKind.NUMBER:
        return figure_representatives()[question.code]
    return question.allowed_values
