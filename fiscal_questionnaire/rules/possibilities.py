"""Reasoning over partly answered questionnaires.

"Decide whatever the given answers allow" (REGULATION.md §3): every quantity is carried as the
set of values it can still take, together with the unanswered questions that can change it. An
unanswered question can take any allowed value; a rule applied to such sets gives the set of its
possible outcomes. A quantity is decided when a single value is left.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from itertools import product

from fiscal_questionnaire.questions import QUESTIONS_BY_CODE, AnswerKind
from fiscal_questionnaire.rules.law import figure_representatives

FIGURE_REPRESENTATIVES = figure_representatives()


@dataclass(frozen=True)
class Possible:
    values: frozenset[Hashable]
    # Unanswered questions whose answer can change the value. They may include questions that
    # are hidden for now; the caller keeps only those it can ask.
    deciding_questions: frozenset[str] = frozenset()

    @property
    def decided(self) -> bool:
        return len(self.values) == 1

    @property
    def value(self) -> Hashable:
        """The value when decided, else None."""
        return next(iter(self.values)) if self.decided else None


def known(value: Hashable) -> Possible:
    return Possible(frozenset({value}))


def possible_answer(context: Mapping[str, object], code: str) -> Possible:
    """The answer to one question: the one given, or any allowed value while unanswered."""
    possible = possible_answers(context, code)
    return Possible(frozenset(values[0] for values in possible.values), possible.deciding_questions)


def possible_answers(context: Mapping[str, object], *codes: str) -> Possible:
    """The combinations (tuples) a few questions can take, honouring their visibility.

    For questions nested in one another (the 2027 filing rhythm under the VAT regime): a hidden
    question contributes None.
    """
    combinations: list[dict[str, object]] = [{}]
    for code in codes:
        question = QUESTIONS_BY_CODE[code]
        extended = []
        for partial in combinations:
            if not question.shown_when({**context, **partial}):
                values: tuple[object, ...] = (None,)
            elif context.get(code) is not None:
                values = (context[code],)
            else:
                values = _every_answer(code)
            extended.extend({**partial, code: value} for value in values)
        combinations = extended
    values = frozenset(tuple(combination[code] for code in codes) for combination in combinations)
    unanswered = frozenset(code for code in codes if context.get(code) is None)
    return Possible(values, unanswered if len(values) > 1 else frozenset())


def combine(rule: Callable[..., Hashable], *inputs: Possible) -> Possible:
    """Apply a rule to every combination of its inputs' possible values.

    An input's deciding questions are kept only if varying that input, the others fixed, can
    change the outcome: a turnover under 2 M€ makes the balance sheet irrelevant, for example.
    The inputs must not share questions, which holds for the rules we combine.
    """
    outcomes = {
        combination: rule(*combination)
        for combination in product(*(sorted(each.values, key=repr) for each in inputs))
    }
    deciding: set[str] = set()
    for position, each in enumerate(inputs):
        if each.decided:
            continue
        outcomes_with_the_others_fixed: dict[tuple, set[Hashable]] = defaultdict(set)
        for combination, outcome in outcomes.items():
            the_others = combination[:position] + combination[position + 1 :]
            outcomes_with_the_others_fixed[the_others].add(outcome)
        if any(len(each_set) > 1 for each_set in outcomes_with_the_others_fixed.values()):
            deciding |= each.deciding_questions
    return Possible(frozenset(outcomes.values()), frozenset(deciding))


def merge_assumptions(
    outcomes_by_assumption: list[dict[str, Possible]], assumed_question: str
) -> dict[str, Possible]:
    """Join the outcomes computed under each possible answer to an unanswered question.

    Wherever the outcomes disagree, that question is one of those to ask: it opens the
    questions that the assumptions answered for themselves.
    """
    merged = {}
    for key in outcomes_by_assumption[0]:
        values = frozenset().union(*(outcomes[key].values for outcomes in outcomes_by_assumption))
        deciding = frozenset().union(
            *(outcomes[key].deciding_questions for outcomes in outcomes_by_assumption)
        )
        if len(values) > 1:
            deciding |= {assumed_question}
        merged[key] = Possible(values, deciding)
    return merged


def _every_answer(code: str) -> tuple[object, ...]:
    question = QUESTIONS_BY_CODE[code]
    if question.kind is AnswerKind.BOOLEAN:
        return (True, False)
    if question.kind is AnswerKind.NUMBER:
        return FIGURE_REPRESENTATIVES[code]
    return question.allowed_values
