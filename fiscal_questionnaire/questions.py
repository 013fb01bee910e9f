"""The fiscal questionnaire as data (REGULATION.md §2).

Each question carries its code (the key answers are stored under), its type and allowed values,
the French label and help text shown to the collaborator, and the condition under which it is
shown. The web form and the rules engine both read this catalogue, so a question is defined once.

An answer of ``None`` (JSON ``null``) means "not answered yet", for every question.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks a label for the translation catalogues (``makemessages``) and returns it as it is:
    this module stays plain Python, and the pages translate the labels where they show them."""
    return message


# The version of this catalogue. Raise it when a question is added or removed, or when its
# wording, values or meaning change: every stored answer keeps the version it was given under,
# and a client with answers from an older version must be reviewed (the "à revoir" filter).
QUESTIONNAIRE_VERSION = 1


class AnswerKind(StrEnum):
    BOOLEAN = "boolean"
    CHOICE = "choice"
    NUMBER = "number"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    code: str
    kind: AnswerKind
    label: str
    help_text: str
    # Whether the question is shown, given the answers of the questions before it. A condition
    # only ever reads earlier questions, so visibility can be computed in catalogue order.
    shown_when: Callable[[Mapping[str, object]], bool]
    choices: tuple[Choice, ...] = ()
    # An optional question is never required to decide an obligation (the manual size override).
    optional: bool = False

    @property
    def allowed_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


# Head office or fixed establishment in France: the companies the reception duty applies to.
ESTABLISHMENTS_IN_FRANCE = frozenset({"france_hq", "france_fixed_establishment"})
SERVICE_ACTIVITIES = frozenset({"services", "mixed"})
SIMPLIFIED_REGIME = "reel_simplifie"


def always(answers: Mapping[str, object]) -> bool:
    return True


def is_vat_liable(answers: Mapping[str, object]) -> bool:
    return answers.get("vat_liable") is True


def is_established_in_france(answers: Mapping[str, object]) -> bool:
    return is_vat_liable(answers) and answers.get("establishment") in ESTABLISHMENTS_IN_FRANCE


def is_on_simplified_regime(answers: Mapping[str, object]) -> bool:
    return is_vat_liable(answers) and answers.get("vat_regime") == SIMPLIFIED_REGIME


def sells_services(answers: Mapping[str, object]) -> bool:
    return is_vat_liable(answers) and answers.get("activity_nature") in SERVICE_ACTIVITIES


QUESTIONS: tuple[Question, ...] = (
    Question(
        code="vat_liable",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("L'entreprise est-elle assujettie à la TVA ?"),
        help_text=(
            gettext_noop(
                "Une association à gestion désintéressée sans activité lucrative, par exemple, "
                "n'est pas assujettie."
            )
        ),
        shown_when=always,
    ),
    Question(
        code="establishment",
        kind=AnswerKind.CHOICE,
        label=gettext_noop("Où l'entreprise est-elle établie ?"),
        help_text=gettext_noop(
            "Siège ou établissement stable en France, ou aucun établissement en France."
        ),
        shown_when=is_vat_liable,
        choices=(
            Choice("france_hq", gettext_noop("Siège en France")),
            Choice("france_fixed_establishment", gettext_noop("Établissement stable en France")),
            Choice("none_in_france", gettext_noop("Aucun établissement en France")),
        ),
    ),
    Question(
        code="vat_group_member",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("Membre d'un assujetti unique (groupe TVA, art. 256 C) ?"),
        help_text=(
            gettext_noop(
                "Les membres d'un groupe TVA émettent dès le 1er septembre 2026, quelle que soit "
                "leur taille."
            )
        ),
        shown_when=is_established_in_france,
    ),
    Question(
        code="exempt_operations",
        kind=AnswerKind.CHOICE,
        label=(
            gettext_noop(
                "Réalise-t-elle des opérations exonérées (art. 261 à 261 E : santé, enseignement, "
                "banque, assurance…) ?"
            )
        ),
        help_text=gettext_noop(
            "Les opérations exonérées ne sont ni facturées électroniquement ni déclarées."
        ),
        shown_when=is_established_in_france,
        choices=(
            Choice("none", gettext_noop("Aucune")),
            Choice("partly", gettext_noop("Une partie de ses opérations")),
            Choice("only", gettext_noop("Uniquement des opérations exonérées")),
        ),
    ),
    Question(
        code="vat_regime",
        kind=AnswerKind.CHOICE,
        label=gettext_noop("Régime de TVA"),
        help_text=gettext_noop("Il fixe la fréquence de l'e-reporting des transactions."),
        shown_when=is_vat_liable,
        choices=(
            Choice("franchise", gettext_noop("Franchise en base")),
            Choice("reel_simplifie", gettext_noop("Réel simplifié")),
            Choice("reel_normal_mensuel", gettext_noop("Réel normal, déclarations mensuelles")),
            Choice(
                "reel_normal_trimestriel", gettext_noop("Réel normal, déclarations trimestrielles")
            ),
        ),
    ),
    Question(
        code="vat_filing_2027",
        kind=AnswerKind.CHOICE,
        label=gettext_noop("Rythme de déclaration à partir de 2027 (fin du régime simplifié)"),
        help_text=gettext_noop("Le régime simplifié disparaît le 1er janvier 2027."),
        shown_when=is_on_simplified_regime,
        choices=(
            Choice("monthly", gettext_noop("Mensuel")),
            Choice("quarterly", gettext_noop("Trimestriel")),
        ),
    ),
    # The size figures are asked of every liable company, established in France or not: the
    # size also dates the e-reporting of a company without any establishment in France.
    Question(
        code="employees",
        kind=AnswerKind.NUMBER,
        label=gettext_noop("Effectif (ETP) du dernier exercice clos avant le 1er janvier 2025"),
        help_text=(
            gettext_noop(
                "En unités de travail annuel, pour l'entité juridique (SIREN) et non pour le "
                "groupe. Pour une entreprise plus jeune, le premier exercice clos ensuite."
            )
        ),
        shown_when=is_vat_liable,
    ),
    Question(
        code="turnover_eur",
        kind=AnswerKind.NUMBER,
        label=gettext_noop("Chiffre d'affaires HT de cet exercice (€)"),
        help_text=gettext_noop("Hors taxes, pour l'entité juridique (SIREN)."),
        shown_when=is_vat_liable,
    ),
    Question(
        code="balance_sheet_eur",
        kind=AnswerKind.NUMBER,
        label=gettext_noop("Total du bilan de cet exercice (€)"),
        help_text=gettext_noop("Pour l'entité juridique (SIREN)."),
        shown_when=is_vat_liable,
    ),
    Question(
        code="size_category_override",
        kind=AnswerKind.CHOICE,
        label=gettext_noop("Catégorie retenue manuellement (avec justification)"),
        help_text=gettext_noop("Facultatif : remplace la catégorie calculée à partir des seuils."),
        shown_when=is_vat_liable,
        choices=(
            Choice("GE", gettext_noop("Grande entreprise")),
            Choice("ETI", gettext_noop("Entreprise de taille intermédiaire")),
            Choice("PME", gettext_noop("Petite ou moyenne entreprise")),
            Choice("MICRO", gettext_noop("Microentreprise")),
        ),
        optional=True,
    ),
    Question(
        code="sells_b2b_domestic",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("Vend-elle à des entreprises assujetties établies en France ?"),
        help_text=gettext_noop("Ces ventes devront être facturées électroniquement."),
        shown_when=is_vat_liable,
    ),
    Question(
        code="sells_b2c",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("Vend-elle à des particuliers ou à des non-assujettis ?"),
        help_text=gettext_noop(
            "Ces ventes sont déclarées en e-reporting (totaux journaliers par taux)."
        ),
        shown_when=is_vat_liable,
    ),
    Question(
        code="sells_international",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("Vend-elle à des entreprises établies hors de France ?"),
        help_text=gettext_noop("Ces ventes sont déclarées en e-reporting, facture par facture."),
        shown_when=is_established_in_france,
    ),
    Question(
        code="buys_international",
        kind=AnswerKind.BOOLEAN,
        label=(
            gettext_noop(
                "Achète-t-elle auprès d'entreprises établies hors de France "
                "(hors importations de biens) ?"
            )
        ),
        help_text=gettext_noop("Ces achats sont déclarés en e-reporting, facture par facture."),
        shown_when=is_established_in_france,
    ),
    Question(
        code="sells_public_sector",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("A-t-elle des clients publics (Chorus Pro) ?"),
        help_text=gettext_noop(
            "Les factures aux entités publiques restent déposées sur Chorus Pro."
        ),
        shown_when=is_established_in_france,
    ),
    Question(
        code="activity_nature",
        kind=AnswerKind.CHOICE,
        label=gettext_noop("Nature de l'activité"),
        help_text=gettext_noop(
            "Les prestations de services peuvent entraîner un e-reporting des paiements."
        ),
        shown_when=is_vat_liable,
        choices=(
            Choice("goods", gettext_noop("Livraisons de biens")),
            Choice("services", gettext_noop("Prestations de services")),
            Choice("mixed", gettext_noop("Biens et services")),
        ),
    ),
    Question(
        code="vat_on_debits",
        kind=AnswerKind.BOOLEAN,
        label=gettext_noop("Option pour le paiement de la TVA d'après les débits ?"),
        help_text=(
            gettext_noop(
                "Sans cette option, la TVA sur les services est due à l'encaissement et les "
                "paiements reçus sont déclarés en e-reporting."
            )
        ),
        shown_when=sells_services,
    ),
)

QUESTIONS_BY_CODE: dict[str, Question] = {question.code: question for question in QUESTIONS}
QUESTION_CODES: tuple[str, ...] = tuple(QUESTIONS_BY_CODE)


def visible_questions(answers: Mapping[str, object]) -> list[str]:
    """The codes of the questions to show, in catalogue order, given the answers so far.

    A question's condition reads only the answers of visible questions, so an answer left
    behind by a hidden question (say, the staff count of a company that turned out not to be
    liable) never makes another question appear.
    """
    counted = visible_answers(answers)
    return [question.code for question in QUESTIONS if question.shown_when(counted)]


def visible_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """The answers that count: those given (not ``None``) to questions that are shown."""
    counted: dict[str, object] = {}
    for question in QUESTIONS:
        value = answers.get(question.code)
        if value is not None and question.shown_when(counted):
            counted[question.code] = value
    return counted


class InvalidAnswers(ValueError):
    """Answers that do not fit the catalogue; ``errors`` maps each faulty code to a message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        details = "; ".join(f"{code}: {message}" for code, message in self.errors.items())
        super().__init__(f"Réponses invalides ({details})")


def validate_answers(answers: Mapping[str, object]) -> dict[str, str]:
    """Check answers against the catalogue; return {code: French message} for each problem.

    Rejects unknown codes, a boolean that is not a real JSON boolean, a number that is not a
    finite number ≥ 0 (a boolean is not a number), and a choice outside the allowed values.
    ``None`` is accepted everywhere: it means "not answered yet".
    """
    errors: dict[str, str] = {}
    for code, value in answers.items():
        question = QUESTIONS_BY_CODE.get(code) if isinstance(code, str) else None
        if question is None:
            errors[str(code)] = "Question inconnue."
        elif value is not None:
            message = _answer_error(question, value)
            if message:
                errors[code] = message
    return errors


def ensure_valid_answers(answers: Mapping[str, object]) -> None:
    """Raise ``InvalidAnswers`` unless the answers fit the catalogue."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"answers": "Un objet {code: réponse} est attendu."})
    errors = validate_answers(answers)
    if errors:
        raise InvalidAnswers(errors)


def _answer_error(question: Question, value: object) -> str:
    if question.kind is AnswerKind.BOOLEAN:
        return "" if isinstance(value, bool) else "Réponse attendue : true ou false."
    if question.kind is AnswerKind.NUMBER:
        # bool is a subclass of int in Python: true must not pass for 1 employee.
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and math.isfinite(value) and value >= 0:
            return ""
        return "Nombre positif ou nul attendu."
    if isinstance(value, str) and value in question.allowed_values:
        return ""
    return (
        f"Valeur {value!r} non prévue ; valeurs possibles : {', '.join(question.allowed_values)}."
    )
