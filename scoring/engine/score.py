"""score_client: a client's urgency score, its breakdown, and its compliance checkpoints.

What is not known never lowers urgency: it counts at its worst plausible value, so answering a
question, whatever the answer, can only confirm or lower the score (the property is tested in
tests/scoring/test_engine_properties.py against ``derive_obligations``). Concretely:

- an obligation not known yet (None: a question is still open, or the questionnaire was never
  answered) counts as applying: a criterion is left out only once the questionnaire rules it out;
- an unanswered digital-profile question scores its "unanswered" points, which a grid must set at
  least as high as any answer's (``grid_from_dict`` refuses lower ones); a client with no approved
  platform (PA) recorded scores "none", at least as high as any status;
- an issuing start not decided yet counts as due soon, and a grid's "due soon" points must be at
  least its "due later" ones;
- questionnaire_incomplete and size_undecided score the unknowns themselves: answering removes
  them, never adds them.

When each criterion counts (REGULATION.md §3):

| criterion                                   | counts when                                      |
|---------------------------------------------|--------------------------------------------------|
| invoice_tool, invoices_issued_per_month     | must_issue or e_reporting_transactions not false |
| no_invoicing_tool, issuing_platform         | must_issue not false                             |
| paper_share_received, purchase_entry        | must_receive not false                           |
| reception_platform                          | must_receive not false                           |
| digital_maturity, software_*, size_undecided| in_scope not false                               |
| questionnaire_incomplete, mandate_not_signed| in_scope not false                               |

So a company known to be out of scope scores 0 whatever the grid. Software readiness is the
catalogue's knowledge, not a question about the client: recording software, or learning that one
is not ready, may raise the score, as it should.
"""

import calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from scoring.engine.compliance import Checkpoint, checkpoints_and_percent
from scoring.engine.criteria import (
    ANSWER_LABELS,
    CRITERIA_BY_CODE,
    NO_PLATFORM,
    UNANSWERED,
)
from scoring.engine.facts import ClientFacts, client_facts
from scoring.engine.grid import LEVELS, Grid, Level, Number, level_for
from scoring.engine.inputs import ScoringInput, SoftwareItem
from scoring.engine.wording import count_of, french_date, french_number, with_unit

LABELS = {code: spec.label for code, spec in CRITERIA_BY_CODE.items()}
_CRITERION, _POINTS = itemgetter(0), itemgetter(3)  # of a BreakdownLine


class BreakdownLine(NamedTuple):
    criterion: str  # code of CRITERIA
    label: str  # French label of the criterion
    answer: str  # French, what the client's data says ("Factures papier")
    points: int  # always > 0: criteria that give nothing are left out


@dataclass(frozen=True, slots=True)
class ScoreResult:
    total: int
    level: Level
    compliance: int  # percent of the applicable checkpoints met, 0 to 100
    breakdown: tuple[BreakdownLine, ...]  # by points descending, then criterion code
    checkpoints: tuple[Checkpoint, ...]  # always all seven, in CHECKPOINT_LABELS order


def score_client(client: ScoringInput, grid: Grid) -> ScoreResult:
    """Score one client under a grid: total, urgency level, breakdown and compliance.

    Pure and cheap (a few microseconds): it reads only its arguments. Raises ValueError or
    TypeError on a digital profile answer the questionnaire cannot produce.
    """
    facts = client_facts(client)
    lines = []
    for rule in _CRITERION_RULES:
        line = rule(client, grid, facts)
        if line is not None:
            lines.append(line)
    # By points descending, then criterion code (unique in a breakdown): two sorts, the second
    # stable, by keys read in C.
    lines.sort(key=_CRITERION)
    lines.sort(key=_POINTS, reverse=True)
    total = sum(map(_POINTS, lines))
    client_checkpoints, compliance = checkpoints_and_percent(client, facts)
    return ScoreResult(
        total=total,
        level=level_for(total, grid),
        compliance=compliance,
        breakdown=tuple(lines),
        checkpoints=client_checkpoints,
    )


def result_to_dict(result: ScoreResult) -> dict[str, Any]:
    """The JSON form of a result, as stored with the client and shown in the badge's tooltip."""
    return {
        "total": result.total,
        "level": result.level,
        "compliance": result.compliance,
        "breakdown": breakdown_to_list(result.breakdown),
        "checkpoints": checkpoints_to_list(result.checkpoints),
    }


def breakdown_to_list(lines: Iterable[BreakdownLine]) -> list[dict[str, Any]]:
    """The JSON form of a breakdown (``result_to_dict``'s "breakdown")."""
    return [
        {"criterion": criterion, "label": label, "answer": answer, "points": points}
        for criterion, label, answer, points in lines
    ]


def checkpoints_to_list(all_checkpoints: Iterable[Checkpoint]) -> list[dict[str, Any]]:
    """The JSON form of the checkpoints (``result_to_dict``'s "checkpoints")."""
    return [
        {"code": code, "label": label, "applies": applies, "met": met}
        for code, label, applies, met in all_checkpoints
    ]


def spread(results: Iterable[ScoreResult]) -> dict[str, int]:
    """How many results fall in each urgency level (the grid editor's preview)."""
    counts: dict[str, int] = dict.fromkeys(LEVELS, 0)
    for result in results:
        counts[result.level] += 1
    return counts


def _line(criterion: str, points: int, answer: str) -> BreakdownLine | None:
    return BreakdownLine(criterion, LABELS[criterion], answer, points) if points else None


# --- Digital profile -----------------------------------------------------------------------------


def _invoice_tool(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    # How invoices are made matters to a company that issues them, and to one that only sells to
    # consumers, since it e-reports those sales (a till is one of the answers).
    if facts.must_issue is False and facts.reports_transactions is False:
        return None
    return _choice_line("invoice_tool", client.profile, grid.invoice_tool.points)


def _invoices_issued(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.must_issue is False and facts.reports_transactions is False:
        return None
    criterion = grid.invoices_issued_per_month
    volume = _profile_number(client.profile, "invoices_issued_per_month")
    if volume is None:
        return _line("invoices_issued_per_month", criterion.unanswered, "Volume non renseigné")
    points = criterion.points_for(volume)
    if not points:
        return None
    answer = f"{french_number(volume)} factures émises / mois"
    return BreakdownLine(
        "invoices_issued_per_month", LABELS["invoices_issued_per_month"], answer, points
    )


def _paper_share(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.must_receive is False:
        return None
    criterion = grid.paper_share_received
    share = _profile_number(client.profile, "paper_share_received")
    if share is None:
        return _line("paper_share_received", criterion.unanswered, "Part papier non renseignée")
    points = criterion.points_for(share)
    if not points:
        return None
    answer = f"{with_unit(share, '%')} des factures d'achat reçues sur papier"
    return BreakdownLine("paper_share_received", LABELS["paper_share_received"], answer, points)


def _purchase_entry(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.must_receive is False:
        return None
    return _choice_line("purchase_entry", client.profile, grid.purchase_entry.points)


def _digital_maturity(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.in_scope is False:
        return None
    return _choice_line("digital_maturity", client.profile, grid.digital_maturity.points)


def _choice_line(
    criterion: str, profile: Mapping[str, object], points: Mapping[str, int]
) -> BreakdownLine | None:
    value = profile.get(criterion)
    if value is None:
        answer = UNANSWERED
    elif isinstance(value, str) and value != UNANSWERED and value in points:
        answer = value
    else:
        raise ValueError(f"Unknown answer {value!r} to the digital profile question {criterion!r}")
    return _line(criterion, points[answer], ANSWER_LABELS[criterion][answer])


def _profile_number(profile: Mapping[str, object], code: str) -> Number | None:
    value = profile.get(code)
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    raise TypeError(f"The digital profile answer {code!r} must be a number, not {value!r}")


# --- Equipment -----------------------------------------------------------------------------------


def _no_invoicing_tool(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    # A tool known not to be ready is no tool for the reform. Counting it as one would also let
    # a client lose points by recording one more unready software once the unready cap is hit.
    if facts.must_issue is False:
        return None
    tools = facts.invoicing_tools
    if any(tool.reform_ready is not False for tool in tools):
        return None
    if tools:
        answer = _with_names("Seuls des outils non prêts sont recensés", tools)
    else:
        answer = "Aucun outil de facturation recensé"
    return _line("no_invoicing_tool", grid.no_invoicing_tool.points, answer)


def _software_not_ready(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    if facts.in_scope is False:
        return None
    items = facts.not_ready
    points = grid.software_not_ready.points_for(len(items))
    if not points:
        return None
    answer = _with_names(count_of(len(items), "logiciel non prêt", "logiciels non prêts"), items)
    return BreakdownLine("software_not_ready", LABELS["software_not_ready"], answer, points)


def _software_readiness_unknown(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    # Its own criterion with its own (optional) cap, not sharing software_not_ready's: an
    # unknown is a question for the collaborator to settle, and stays visible as such.
    if facts.in_scope is False:
        return None
    items = facts.readiness_unknown
    points = grid.software_readiness_unknown.points_for(len(items))
    if not points:
        return None
    count = count_of(len(items), "logiciel", "logiciels")
    answer = _with_names(f"Compatibilité inconnue pour {count}", items)
    return BreakdownLine(
        "software_readiness_unknown", LABELS["software_readiness_unknown"], answer, points
    )


def _reception_platform(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    if facts.must_receive is False:
        return None
    status = client.reception_platform or NO_PLATFORM
    points = grid.reception_platform.points[status]
    if not points:
        return None
    answer = ANSWER_LABELS["reception_platform"][status]
    if facts.must_receive is None:
        answer = f"{answer} ; obligation de réception à confirmer"
    return BreakdownLine("reception_platform", LABELS["reception_platform"], answer, points)


def _issuing_platform(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.must_issue is False:
        return None
    criterion = grid.issuing_platform
    status = client.issuing_platform or NO_PLATFORM
    # A duty not known yet has no start yet either.
    start = facts.issue_from if facts.must_issue else None
    # An undecided start (the size is unknown) counts as due soon rather than risk under-rating
    # a client whose wave may be the nearer one.
    due_soon = start is None or start <= _months_after(client.today, criterion.within_months)
    points = (criterion.due_soon if due_soon else criterion.due_later)[status]
    if not points:
        return None
    if facts.must_issue is None:
        deadline = "obligation d'émission à confirmer"
    elif start is None:
        deadline = "émission obligatoire, date encore à déterminer"
    elif start <= client.today:
        deadline = f"émission obligatoire depuis le {french_date(start)}"
    else:
        within = "d'ici" if due_soon else "dans plus de"
        months = criterion.within_months
        deadline = f"émission obligatoire le {french_date(start)}, {within} {months} mois"
    answer = f"{ANSWER_LABELS['issuing_platform'][status]} ; {deadline}"
    return BreakdownLine("issuing_platform", LABELS["issuing_platform"], answer, points)


def _with_names(text: str, items: Sequence[SoftwareItem]) -> str:
    names = [item.name for item in items if item.name]
    return f"{text} : {', '.join(names)}" if names else text


@lru_cache(maxsize=64)
def _months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month: 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Obligations ---------------------------------------------------------------------------------


def _questionnaire_incomplete(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    if facts.decided:
        return None
    if not facts.answered:
        answer = "Questionnaire fiscal jamais rempli"
    elif facts.missing_count:
        answer = count_of(facts.missing_count, "question à compléter", "questions à compléter")
    else:
        answer = "Questionnaire fiscal incomplet"
    return _line("questionnaire_incomplete", grid.questionnaire_incomplete.points, answer)


def _size_undecided(client: ScoringInput, grid: Grid, facts: ClientFacts) -> BreakdownLine | None:
    if facts.in_scope is False or facts.size_category is not None:
        return None
    answer = "Taille (microentreprise, PME, ETI ou GE) à déterminer"
    return _line("size_undecided", grid.size_undecided.points, answer)


def _mandate_not_signed(
    client: ScoringInput, grid: Grid, facts: ClientFacts
) -> BreakdownLine | None:
    # None: the firm does not track mandates (yet); no points for what nobody recorded.
    if client.mandate_signed is not False or facts.in_scope is False:
        return None
    return _line("mandate_not_signed", grid.mandate_not_signed.points, "Mandat non signé")


_CRITERION_RULES: tuple[Callable[[ScoringInput, Grid, ClientFacts], BreakdownLine | None], ...] = (
    _invoice_tool,
    _invoices_issued,
    _paper_share,
    _purchase_entry,
    _digital_maturity,
    _no_invoicing_tool,
    _software_not_ready,
    _software_readiness_unknown,
    _reception_platform,
    _issuing_platform,
    _questionnaire_incomplete,
    _size_undecided,
    _mandate_not_signed,
)
