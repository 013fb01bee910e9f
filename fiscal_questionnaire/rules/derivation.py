"""derive_obligations: from questionnaire answers to a company's obligations (REGULATION.md §3)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from fiscal_questionnaire.questions import (
    ESTABLISHMENTS_IN_FRANCE,
    QUESTION_CODES,
    QUESTIONS_BY_CODE,
    ensure_valid_answers,
    visible_answers,
    visible_questions,
)
from fiscal_questionnaire.rules import law
from fiscal_questionnaire.rules.possibilities import (
    Possible,
    combine,
    known,
    merge_assumptions,
    possible_answer,
    possible_answers,
)
from fiscal_questionnaire.rules.reasons import explain

RESULT_KEYS: tuple[str, ...] = (
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
)


@dataclass(frozen=True)
class Situation:
    """Every result field as a Possible, for one known legal situation, and how it was reached."""

    fields: dict[str, Possible]
    size: Possible  # the size category the wave date was computed from
    wave: Possible  # the start of issuing and e-reporting


def derive_obligations(answers: Mapping[str, object]) -> dict[str, object]:
    """The company's e-invoicing obligations, as far as the answers decide them.

    ``answers`` maps question codes (questions.py) to values, ``None`` meaning unanswered.
    Raises ``InvalidAnswers`` on an unknown code, a wrong type or a value outside the allowed
    ones. Answers to questions that are hidden (say, staff figures of a company not liable to
    VAT) are ignored. Booleans are None while undecided, dates are ISO strings and a ``*_from``
    is None unless its obligation is true; ``missing`` lists, in catalogue order, the questions
    to ask next to decide what is still None; ``reasons`` explains in French what is decided.
    """
    ensure_valid_answers(answers)
    counted = visible_answers(answers)
    fields, situation = _possible_fields(counted)
    result: dict[str, object] = {key: _public_value(possible) for key, possible in fields.items()}
    missing = _missing_questions(counted, fields)
    result["complete"] = not missing
    result["missing"] = missing
    result["reasons"] = explain(counted, result, situation) if situation else []
    return {key: result[key] for key in RESULT_KEYS}


def _possible_fields(context: Mapping[str, object]) -> tuple[dict[str, Possible], Situation | None]:
    """The result fields as Possibles; the Situation too when liability and establishment are known.

    While those two structural answers are missing, each possible answer is assumed in turn and
    the outcomes are merged.
    """
    vat_liable = context.get("vat_liable")
    if vat_liable is None:
        assumptions = [
            _possible_fields({**context, "vat_liable": value})[0] for value in (True, False)
        ]
        return merge_assumptions(assumptions, "vat_liable"), None
    if vat_liable is False:
        situation = _not_liable()
        return situation.fields, situation
    establishment = context.get("establishment")
    if establishment is None:
        assumptions = [
            _established_situation({**context, "establishment": value}).fields
            for value in QUESTIONS_BY_CODE["establishment"].allowed_values
        ]
        return merge_assumptions(assumptions, "establishment"), None
    situation = _established_situation(context)
    return situation.fields, situation


def _established_situation(context: Mapping[str, object]) -> Situation:
    if context["establishment"] in ESTABLISHMENTS_IN_FRANCE:
        return _established_in_france(context)
    return _established_abroad(context)


def _not_liable() -> Situation:
    """Outside the reform: every obligation false."""
    fields = {
        "in_scope": known(False),
        "size_category": known(None),
        **_no_reception_nor_issuing(),
        "e_reporting_transactions": known(False),
        "e_reporting_transactions_from": known(None),
        "e_reporting_payments": known(False),
        "e_reporting_payments_from": known(None),
        "e_reporting_frequency": known(None),
        "chorus_pro": known(False),
    }
    return Situation(fields, size=known(None), wave=known(None))


def _established_in_france(context: Mapping[str, object]) -> Situation:
    size = _size_category(context)
    wave = combine(law.wave_date, size, possible_answer(context, "vat_group_member"))
    exempt_operations = possible_answer(context, "exempt_operations")
    must_issue = combine(
        law.issues_invoices, possible_answer(context, "sells_b2b_domestic"), exempt_operations
    )
    reports_transactions = combine(
        law.reports_transactions,
        possible_answer(context, "sells_b2c"),
        possible_answer(context, "sells_international"),
        possible_answer(context, "buys_international"),
        exempt_operations,
    )
    reports_payments = combine(
        law.reports_payments,
        possible_answers(context, "activity_nature", "vat_on_debits"),
        exempt_operations,
    )
    fields = {
        "in_scope": known(True),
        "size_category": size,
        "must_receive": known(True),
        "receive_from": known(law.RECEPTION_START),
        "must_issue": must_issue,
        "issue_from": combine(law.obligation_start, must_issue, wave),
        **_e_reporting_fields(context, reports_transactions, reports_payments, wave),
        "chorus_pro": possible_answer(context, "sells_public_sector"),
    }
    return Situation(fields, size=size, wave=wave)


def _established_abroad(context: Mapping[str, object]) -> Situation:
    """No reception nor issuing; e-reporting of B2C sales in France, dated by the size.

    The size comes from the same questions as for a French company (the override, else the
    figures), and the date from the same calendar, VAT group aside: a company without any
    establishment in France is not a member of a French VAT group. As in France, the date is
    decided as soon as every size still possible shares it.
    """
    size = _size_category(context)
    wave = combine(lambda category: law.wave_date(category, vat_group_member=False), size)
    sells_b2c = possible_answer(context, "sells_b2c")
    fields = {
        "in_scope": sells_b2c,
        "size_category": size,
        **_no_reception_nor_issuing(),
        **_e_reporting_fields(context, sells_b2c, known(False), wave),
        "chorus_pro": known(False),
    }
    return Situation(fields, size=size, wave=wave)


def _no_reception_nor_issuing() -> dict[str, Possible]:
    return {
        "must_receive": known(False),
        "receive_from": known(None),
        "must_issue": known(False),
        "issue_from": known(None),
    }


def _e_reporting_fields(
    context: Mapping[str, object],
    reports_transactions: Possible,
    reports_payments: Possible,
    wave: Possible,
) -> dict[str, Possible]:
    return {
        "e_reporting_transactions": reports_transactions,
        "e_reporting_transactions_from": combine(law.obligation_start, reports_transactions, wave),
        "e_reporting_payments": reports_payments,
        "e_reporting_payments_from": combine(law.obligation_start, reports_payments, wave),
        "e_reporting_frequency": combine(
            law.e_reporting_frequency,
            reports_transactions,
            possible_answers(context, "vat_regime", "vat_filing_2027"),
            wave,
        ),
    }


def _size_category(context: Mapping[str, object]) -> Possible:
    # The override wins; unanswered, it simply means "use the figures".
    override = context.get("size_category_override")
    if override is not None:
        return known(override)
    return combine(
        law.size_category_from_figures,
        possible_answer(context, "employees"),
        possible_answer(context, "turnover_eur"),
        possible_answer(context, "balance_sheet_eur"),
    )


def _missing_questions(counted: Mapping[str, object], fields: Mapping[str, Possible]) -> list[str]:
    deciding: set[str] = set()
    for possible in fields.values():
        if not possible.decided:
            deciding |= possible.deciding_questions
    askable = set(visible_questions(counted)) - set(counted)
    return [code for code in QUESTION_CODES if code in deciding and code in askable]


def _public_value(possible: Possible) -> object:
    value = possible.value
    return value.isoformat() if isinstance(value, date) else value
