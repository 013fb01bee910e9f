"""Answers as people type and read them, in French: "1 500 000", "1,5 M€", "oui", "Siège en France".

``parse_answer`` turns what a collaborator typed into the JSON value the catalogue expects, and
``shown_answer`` turns a stored value back into the words shown on the sheet and in the history.
Pure functions, no Django.
"""

from __future__ import annotations

from fiscal_questionnaire.questions import (
    QUESTIONS_BY_CODE,
    AnswerKind,
    InvalidAnswers,
    Question,
    gettext_noop,
    validate_answers,
)
from french_formats.numbers import format_number, parse_french_number

NUMBER_EXPECTED = gettext_noop("Nombre attendu, par exemple 1 500 000 ou 1,5 M€.")
YES_OR_NO_EXPECTED = gettext_noop("Réponse attendue : oui ou non.")

YES_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "1"})
NO_WORDS = frozenset({"non", "n", "faux", "false", "no", "0"})


def parse_answer(question: Question, raw: object) -> object:
    """The value to store for what was typed; ``None`` when the answer is left empty.

    Raises ``InvalidAnswers`` with the catalogue's message (or a French hint on the expected
    format) when the text cannot be read or the value is not allowed. Values that are already
    typed (``True``, ``12``) go through the catalogue's checks unchanged.
    """
    value = _read(question, raw)
    errors = validate_answers({question.code: value})
    if errors:
        raise InvalidAnswers(errors)
    return value


def _read(question: Question, raw: object) -> object:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if not text:
        return None
    if question.kind is AnswerKind.BOOLEAN:
        word = text.lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise InvalidAnswers({question.code: YES_OR_NO_EXPECTED})
    if question.kind is AnswerKind.NUMBER:
        number = parse_french_number(text)
        if number is None:
            raise InvalidAnswers({question.code: NUMBER_EXPECTED})
        return number
    return text


def shown_answer(code: str, value: object) -> str:
    """A stored value as the collaborator reads it: "Oui", "Siège en France", "1 500 000 €"."""
    question = QUESTIONS_BY_CODE.get(code)
    if value is None or question is None:
        return "" if value is None else str(value)
    if question.kind is AnswerKind.BOOLEAN:
        return "Oui" if value else "Non"
    if question.kind is AnswerKind.NUMBER and isinstance(value, int | float):
        text = format_number(value)
        return f"{text} €" if code.endswith("_eur") else text
    labels = {choice.value: choice.label for choice in question.choices}
    return labels.get(str(value), str(value))


def input_text(value: object) -> str:
    """A stored number as it is put back in its text box (no currency sign)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return "" if value is None else str(value)
