"""The scoring criteria: stable codes, French labels and the answers each one gives points to.

This catalogue is what the grid editor shows as rows; the points themselves live in a ``Grid``.
Codes are stored in the database (grids as JSON, breakdowns of scores): never rename one.
"""

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class CriterionKind(StrEnum):
    """How a criterion turns a client's data into points; each kind has its own JSON shape."""

    BY_ANSWER = "by_answer"  # {"points": {answer: points}}
    BY_BAND = (
        "by_band"  # {"bands": [{"more_than"|"at_least": bound, "points": p}], "unanswered": p}
    )
    FIXED = "fixed"  # {"points": p} when the condition holds
    PER_ITEM = "per_item"  # {"points_each": p, "cap": p or null}
    BY_DEADLINE = "by_deadline"  # {"within_months": n, "due_soon": {...}, "due_later": {...}}


class Section(StrEnum):
    PROFILE = "Profil numérique"
    EQUIPMENT = "Équipement"
    OBLIGATIONS = "Obligations"


@dataclass(frozen=True, slots=True)
class Answer:
    code: str
    label: str  # French, shown in the grid editor and as the answer of a breakdown line


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    code: str
    label: str  # French
    section: Section
    kind: CriterionKind
    answers: tuple[Answer, ...] = ()  # BY_ANSWER and BY_DEADLINE only
    unit: str = ""  # BY_BAND only: what the number counts, in French
    # The answer a client is scored as while nothing is known (UNANSWERED, NO_PLATFORM): the
    # grid must give it at least the points of every other answer (grid.py). BY_BAND criteria
    # always have theirs, "unanswered".
    unknown: str = ""

    @property
    def answer_codes(self) -> tuple[str, ...]:
        return tuple(answer.code for answer in self.answers)


# The answer a missing digital-profile value is scored as (REGULATION.md §4: missing = unanswered).
UNANSWERED = "unanswered"
UNANSWERED_LABEL = "Non renseigné"
# The answer a client with no approved platform (PA) recorded is scored as.
NO_PLATFORM = "none"
# The two columns of points of the issuing platform, by how soon issuing becomes compulsory.
DEADLINE_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {"due_soon": "émission proche", "due_later": "émission plus lointaine"}
)

# Ordered: each status is further along than the previous one (SPEC.md §3.4).
PLATFORM_STATUSES: tuple[str, ...] = (
    "considered",
    "chosen",
    "contract_signed",
    "connected",
    "tested",
)
PLATFORM_CHOSEN: frozenset[str] = frozenset(PLATFORM_STATUSES[1:])
PLATFORM_CONNECTED: frozenset[str] = frozenset(PLATFORM_STATUSES[3:])

PLATFORM_ANSWERS = (
    Answer(NO_PLATFORM, "Aucune PA"),
    Answer("considered", "PA envisagée, pas encore choisie"),
    Answer("chosen", "PA choisie, contrat non signé"),
    Answer("contract_signed", "Contrat signé, PA non connectée"),
    Answer("connected", "PA connectée, non testée"),
    Answer("tested", "PA connectée et testée"),
)

SOFTWARE_CATEGORIES: tuple[str, ...] = (
    "accounting",
    "invoicing",
    "erp",
    "point_of_sale",
    "purchasing",
    "payroll",
    "other",
)

CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec(
        "invoice_tool",
        "Production des factures",
        Section.PROFILE,
        CriterionKind.BY_ANSWER,
        answers=(
            Answer("paper", "Factures papier"),
            Answer("word_excel", "Factures sous Word ou Excel"),
            Answer("pos", "Caisse uniquement"),
            Answer("invoicing_software", "Logiciel de facturation"),
            Answer("accounting_software", "Logiciel comptable"),
            Answer("erp", "ERP / gestion commerciale"),
            Answer(UNANSWERED, UNANSWERED_LABEL),
        ),
        unknown=UNANSWERED,
    ),
    CriterionSpec(
        "invoices_issued_per_month",
        "Volume de factures émises",
        Section.PROFILE,
        CriterionKind.BY_BAND,
        unit="factures émises / mois",
    ),
    CriterionSpec(
        "paper_share_received",
        "Factures d'achat reçues sur papier",
        Section.PROFILE,
        CriterionKind.BY_BAND,
        unit="%",
    ),
    CriterionSpec(
        "purchase_entry",
        "Saisie des factures d'achat",
        Section.PROFILE,
        CriterionKind.BY_ANSWER,
        answers=(
            Answer("client_manual", "Saisie manuelle par le client"),
            Answer("firm", "Saisie par le cabinet"),
            Answer("automated", "Saisie automatisée"),
            Answer(UNANSWERED, UNANSWERED_LABEL),
        ),
        unknown=UNANSWERED,
    ),
    CriterionSpec(
        "digital_maturity",
        "Maturité numérique",
        Section.PROFILE,
        CriterionKind.BY_ANSWER,
        answers=(
            Answer("low", "Maturité faible"),
            Answer("medium", "Maturité moyenne"),
            Answer("high", "Maturité élevée"),
            Answer(UNANSWERED, "Non renseignée"),
        ),
        unknown=UNANSWERED,
    ),
    CriterionSpec(
        "no_invoicing_tool",
        "Aucun outil de facturation utilisable",
        Section.EQUIPMENT,
        CriterionKind.FIXED,
    ),
    CriterionSpec(
        "software_not_ready",
        "Logiciels non prêts pour la réforme",
        Section.EQUIPMENT,
        CriterionKind.PER_ITEM,
    ),
    CriterionSpec(
        "software_readiness_unknown",
        "Logiciels à la compatibilité inconnue",
        Section.EQUIPMENT,
        CriterionKind.PER_ITEM,
    ),
    CriterionSpec(
        "reception_platform",
        "Plateforme agréée de réception",
        Section.EQUIPMENT,
        CriterionKind.BY_ANSWER,
        answers=PLATFORM_ANSWERS,
        unknown=NO_PLATFORM,
    ),
    CriterionSpec(
        "issuing_platform",
        "Plateforme agréée d'émission",
        Section.EQUIPMENT,
        CriterionKind.BY_DEADLINE,
        answers=PLATFORM_ANSWERS,
        unknown=NO_PLATFORM,
    ),
    CriterionSpec(
        "questionnaire_incomplete",
        "Questionnaire fiscal incomplet",
        Section.OBLIGATIONS,
        CriterionKind.FIXED,
    ),
    CriterionSpec(
        "size_undecided",
        "Catégorie d'entreprise non déterminée",
        Section.OBLIGATIONS,
        CriterionKind.FIXED,
    ),
    CriterionSpec(
        "mandate_not_signed",
        "Mandat de délégation non signé",
        Section.OBLIGATIONS,
        CriterionKind.FIXED,
    ),
)

CRITERIA_BY_CODE: MappingProxyType[str, CriterionSpec] = MappingProxyType(
    {spec.code: spec for spec in CRITERIA}
)
# Answer labels by criterion, then answer code: read once per breakdown line, so kept flat.
ANSWER_LABELS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        spec.code: MappingProxyType({answer.code: answer.label for answer in spec.answers})
        for spec in CRITERIA
        if spec.answers
    }
)
