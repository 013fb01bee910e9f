"""What the client sheet shows of the questionnaire and the obligations, as plain rows.

The templates stay simple: each question comes with its current text, who answered and when, a
suggestion from the client record, an error; each obligation with its value, its date, the
reasons that explain it and their legal references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clients.concurrency import loaded_token
from clients.models import Client
from fiscal_questionnaire.answer_formats import input_text, shown_answer
from fiscal_questionnaire.models import Answer, Obligations, ReportingFrequency, SizeCategory
from fiscal_questionnaire.questions import (
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    QUESTIONS_BY_CODE,
    AnswerKind,
    Question,
    visible_questions,
)
from fiscal_questionnaire.suggestions import Suggestion, suggestions_for
from french_formats.dates import french_date

# The size questions share one note on the reference financial year.
SIZE_FIGURES = ("employees", "turnover_eur", "balance_sheet_eur")
FISCAL_YEAR_END = re.compile(r"^(\d{1,2})/(\d{1,2})$")
SIZE_REFERENCE_YEAR = 2024  # the last year whose closing can fall before 1 Jan 2025


@dataclass
class QuestionRow:
    question: Question
    text: str  # the value in its input: "1 500 000", "true", "france_hq"
    answer: Answer | None
    suggestion: Suggestion | None
    needed: bool  # its answer would decide an obligation still open
    error: str = ""
    first_size_figure: bool = False

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def is_boolean(self) -> bool:
        return self.question.kind is AnswerKind.BOOLEAN

    @property
    def is_number(self) -> bool:
        return self.question.kind is AnswerKind.NUMBER

    @property
    def shown(self) -> str:
        return shown_answer(self.code, self.answer.value) if self.answer else ""


@dataclass
class Questionnaire:
    rows: list[QuestionRow]
    reference_year: str  # the sentence that explains which financial year the figures are from
    version: int = QUESTIONNAIRE_VERSION
    outdated: list[QuestionRow] = field(default_factory=list)
    # The answers the form was loaded with, signed: a save writes only what the person changed
    # from them (see clients.concurrency).
    loaded: str = ""

    @property
    def answered_count(self) -> int:
        return sum(1 for row in self.rows if row.answer is not None)


def questionnaire(
    client: Client,
    answers: Mapping[str, Answer],
    obligations: Obligations | None,
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
) -> Questionnaire:
    """The visible questions, in catalogue order, for the answers stored.

    ``errors`` and ``typed`` put back what a collaborator typed that could not be saved, with
    its message, so nothing typed is lost.
    """
    errors = errors or {}
    typed = typed or {}
    values = {code: answer.value for code, answer in answers.items()}
    suggestions = suggestions_for(client, values)
    needed = set(obligations.missing) if obligations else {"vat_liable"}
    rows = []
    for code in visible_questions(values):
        answer = answers.get(code)
        text = typed[code] if code in typed else _input_value(answer)
        rows.append(
            QuestionRow(
                question=QUESTIONS_BY_CODE[code],
                text=text,
                answer=answer,
                suggestion=suggestions.get(code),
                needed=code in needed,
                error=errors.get(code, ""),
                first_size_figure=code == SIZE_FIGURES[0],
            )
        )
    return Questionnaire(
        rows=rows,
        reference_year=reference_year_note(client.fiscal_year_end),
        outdated=[row for row in rows if row.answer is not None and row.answer.is_outdated],
        loaded=loaded_token(loaded_scope(client), values),
    )


def loaded_scope(client: Client) -> str:
    """Names the client's answers in the questionnaire form's hidden ``loaded`` field."""
    return f"answers:{client.pk}"


def _input_value(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if isinstance(answer.value, bool):
        return "true" if answer.value else "false"
    return input_text(answer.value)


def reference_year_end(fiscal_year_end: str) -> date | None:
    """The closing date of the last financial year closed before 1 Jan 2025, from "JJ/MM"."""
    match = FISCAL_YEAR_END.match(fiscal_year_end.strip())
    if match is None:
        return None
    try:
        return date(SIZE_REFERENCE_YEAR, int(match[2]), int(match[1]))
    except ValueError:
        return None


def reference_year_note(fiscal_year_end: str) -> str:
    closing = reference_year_end(fiscal_year_end)
    if closing:
        shown = french_date(closing) if get_language() == "fr" else date_format(closing)
        closed = _("l'exercice clos le %(date)s") % {"date": shown}
    else:
        closed = _("le dernier exercice clos")
    return _(
        "Chiffres de %(closed)s (dernier exercice clos avant le 1er janvier 2025 : c'est lui "
        "qui fixe la catégorie de l'entreprise pour la réforme). Pour une entreprise créée "
        "depuis, ceux de son premier exercice clos. Saisie libre : « 1 500 000 », "
        "« 1,5 M€ », « 750 k€ »."
    ) % {"closed": closed}


# --- Obligations --------------------------------------------------------------------------------

# Which reasons explain which line; "wave" reasons date every obligation of issuing and reporting.
WAVE_RULES = ("wave_first_large_company", "wave_first_vat_group", "wave_second")
EVERY_LINE = ("not_vat_liable", "established_abroad")
LINE_RULES: dict[str, tuple[str, ...]] = {
    "in_scope": ("reception_required", "abroad_sells_b2c", "abroad_no_b2c"),
    "size_category": ("size_from_override", "size_from_thresholds", "size_undecided_same_wave"),
    "must_receive": ("reception_required", "exempt_only_reception_disputed"),
    "must_issue": (
        "exempt_only_nothing_to_issue",
        "exempt_partly",
        "issuing_required",
        "issuing_not_required",
        *WAVE_RULES,
    ),
    "e_reporting_transactions": (
        "exempt_only_nothing_to_issue",
        "exempt_partly",
        "transactions_reported",
        "transactions_not_reported",
        "abroad_sells_b2c",
        "abroad_no_b2c",
        *WAVE_RULES,
    ),
    "e_reporting_payments": (
        "exempt_only_nothing_to_issue",
        "payments_reported",
        "payments_not_reported_goods",
        "payments_not_reported_debits",
        *WAVE_RULES,
    ),
    "e_reporting_frequency": (
        "frequency_franchise",
        "frequency_reel_normal_mensuel",
        "frequency_reel_normal_trimestriel",
        "frequency_simplified_before_2027",
        "frequency_simplified_then_monthly",
        "frequency_simplified_then_quarterly",
    ),
    "chorus_pro": ("public_sector_chorus_pro", "exempt_only_nothing_to_issue"),
}
LINE_LABELS = {
    "in_scope": _("Dans le champ de la réforme"),
    "size_category": _("Catégorie d'entreprise"),
    "must_receive": _("Réception des factures électroniques"),
    "must_issue": _("Émission des factures électroniques"),
    "e_reporting_transactions": _("E-reporting des transactions"),
    "e_reporting_payments": _("E-reporting des paiements"),
    "e_reporting_frequency": _("Fréquence de l'e-reporting"),
    "chorus_pro": _("Chorus Pro (clients publics)"),
}
START_FIELDS = {
    "must_receive": "receive_from",
    "must_issue": "issue_from",
    "e_reporting_transactions": "e_reporting_transactions_from",
    "e_reporting_payments": "e_reporting_payments_from",
}
NO_PUBLIC_CUSTOMER = {
    "rule": "no_public_customer",
    "text": _("Pas de client public déclaré : Chorus Pro ne le concerne pas."),
    "reference": "Code de la commande publique, art. L. 2192-1 et s.",
}


@dataclass
class ObligationLine:
    key: str
    label: str
    value: str  # "Oui", "Non", "À déterminer", "PME", …
    tone: str  # the badge: "ok", "danger", "warn", "brand" or "" (neutral)
    start: date | None
    reasons: list[dict[str, str]]

    @property
    def start_text(self) -> str:
        if not self.start:
            return ""
        # French dates keep their "1er"; other languages get Django's own wording.
        shown = french_date(self.start) if get_language() == "fr" else date_format(self.start)
        return _("à partir du %(date)s") % {"date": shown}


def obligation_lines(obligations: Obligations) -> list[ObligationLine]:
    """One line per obligation, with its reasons (a reason may explain several lines)."""
    lines = []
    for key, label in LINE_LABELS.items():
        rules = (*EVERY_LINE, *LINE_RULES[key])
        reasons = [reason for reason in obligations.reasons if reason.get("rule") in rules]
        if key == "chorus_pro" and obligations.chorus_pro is False and not reasons:
            reasons = [NO_PUBLIC_CUSTOMER]
        value, tone = _shown_line(obligations, key)
        start = getattr(obligations, START_FIELDS[key]) if key in START_FIELDS else None
        lines.append(ObligationLine(key, label, value, tone, start, reasons))
    return lines


def _shown_line(obligations: Obligations, key: str) -> tuple[str, str]:
    if key == "size_category":
        if obligations.size_category:
            return SizeCategory(obligations.size_category).label, "brand"
        # Outside the reform the size matters no more, unless it is still asked (a liable
        # company not established in France is asked its size even when it sells nothing
        # to consumers in France).
        size_asked = any(code in obligations.missing for code in SIZE_FIGURES)
        if obligations.in_scope is False and not size_asked:
            return _("Sans objet"), ""
        return _("À déterminer"), "warn"
    if key == "e_reporting_frequency":
        if obligations.e_reporting_frequency:
            return ReportingFrequency(obligations.e_reporting_frequency).label, "brand"
        if obligations.e_reporting_transactions is False:
            return _("Sans objet"), ""
        return _("À déterminer"), "warn"
    value = getattr(obligations, key)
    if value is None:
        return _("À déterminer"), "warn"
    return (_("Oui"), "brand") if value else (_("Non"), "")


def missing_questions(obligations: Obligations | None) -> list[Question]:
    """The questions to answer next, in catalogue order (the first one when nothing is known)."""
    if obligations is None:
        return [QUESTIONS[0]]
    return [QUESTIONS_BY_CODE[code] for code in obligations.missing if code in QUESTIONS_BY_CODE]
