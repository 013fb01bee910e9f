"""Answered fiscal questionnaires for the demo portfolio (seed_demo).

``demo_answers`` is pure: from the generated companies (clients/demo_data.py) it draws answers
that fit each one: associations outside the scope, micro-entrepreneurs under the franchise,
exempt health practices, small and mid-size companies, a few ETI, one member of a VAT group and
one foreign company. About one client in ten has not started the questionnaire and about one in
seven has left it half-way, so the client list filters show something.

``seed_questionnaires`` writes them in bulk, with the obligations derived from them and one
history entry per client, without a query per client.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from clients import history
from clients.models import Client, HistoryEntry
from demo.companies import ASSOCIATION, DemoCompany
from firms.models import Firm
from fiscal_questionnaire.answer_formats import shown_answer
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import (
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    QUESTIONS_BY_CODE,
    visible_answers,
)
from fiscal_questionnaire.rules import derive_obligations
from fiscal_questionnaire.services import HISTORY_SUBJECT, derived_obligations
from fiscal_questionnaire.suggestions import activity_nature_for_naf, is_exempt_activity

UNANSWERED_SHARE = 0.10
PARTIAL_SHARE = 0.15
ETI_EVERY = 15  # one company limited by shares (SA, SAS) in fifteen is mid-size
BATCH_SIZE = 2000

SMALL_FORMS = frozenset(
    {"EI", "micro-entreprise", "SCI", "SCM", "SCP", "EARL", "GAEC", "SCEA", "SNC"}
)
LIMITED_COMPANIES = frozenset({"SARL", "EURL", "SASU", "SELARL", "SELAS"})
PUBLIC_COMPANIES = frozenset({"SAS", "SA"})
FRANCHISE_TAG = "franchise en base de TVA"
# Divisions of the NAF whose customers are mostly consumers: shops, restaurants, hotels, care,
# teaching, leisure, personal services.
CONSUMER_DIVISIONS = frozenset({"10", "47", "55", "56", "85", "86", "88", "90", "93", "95", "96"})
BUILDING_DIVISIONS = frozenset({"41", "42", "43"})


def demo_answers(companies: Sequence[DemoCompany], *, seed: int) -> list[dict[str, object]]:
    """One questionnaire per company, in the same order; an empty one was never started."""
    rng = random.Random(seed)
    special = _special_companies(companies)
    questionnaires = []
    for index, company in enumerate(companies):
        profile = special.get(index, "")
        roll = rng.random()
        answers = _complete_answers(company, profile, rng)
        if not profile and roll < UNANSWERED_SHARE:
            answers = {}
        elif not profile and roll < UNANSWERED_SHARE + PARTIAL_SHARE:
            answers = _partial(answers, rng)
        questionnaires.append(answers)
    return questionnaires


def seed_questionnaires(
    *,
    firm: Firm,
    clients: Sequence[Client],
    companies: Sequence[DemoCompany],
    seed: int,
    now: datetime,
) -> int:
    """Write the demo answers of ``clients`` (made from ``companies``, in the same order).

    Bulk inserts only; the caller holds the firm's scope and a transaction. Returns how many
    clients got answers.
    """
    moments = answering_moments(seed=seed, now=now)
    answer_rows: list[Answer] = []
    obligation_rows: list[Obligations] = []
    entries: list[HistoryEntry] = []
    for client, answers in zip(clients, demo_answers(companies, seed=seed), strict=True):
        if not answers:
            continue
        answered_at = next(moments)
        rows = {
            code: Answer(
                firm=firm,
                client=client,
                code=code,
                value=value,
                questionnaire_version=QUESTIONNAIRE_VERSION,
                answered_by_id=client.assigned_to_id,
                answered_at=answered_at,
            )
            for code, value in answers.items()
        }
        answer_rows.extend(rows.values())
        obligation_rows.append(
            derived_obligations(firm=firm, client=client, answers=rows, now=answered_at)
        )
        entry = history.entry(
            client=client,
            actor=None,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=history_summary(answers),
            changes=history_changes(answers),
        )
        entry.actor_id = client.assigned_to_id
        entries.append(entry)
    Answer.objects.bulk_create(answer_rows, batch_size=BATCH_SIZE)
    Obligations.objects.bulk_create(obligation_rows, batch_size=BATCH_SIZE)
    HistoryEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    return len(obligation_rows)


def answering_moments(*, seed: int, now: datetime) -> Iterator[datetime]:
    """When each answered questionnaire of the demo was filled in, in the order of the clients
    that have answers: within the last 75 days."""
    rng = random.Random(seed + 1)
    while True:
        yield now - timedelta(days=rng.randint(1, 75), minutes=rng.randrange(600))


def history_summary(answers: dict[str, object]) -> str:
    """The summary of the history entry a demo questionnaire gets."""
    return f"Questionnaire fiscal : {len(answers)} réponses (données de démonstration)"


def history_changes(answers: dict[str, object]) -> dict[str, dict[str, str]]:
    """The fields of the history entry a demo questionnaire gets: every answer, from nothing."""
    return {
        code: {"label": QUESTIONS_BY_CODE[code].label, "from": "", "to": shown_answer(code, value)}
        for code, value in answers.items()
    }


def _special_companies(companies: Sequence[DemoCompany]) -> dict[int, str]:
    """The few companies that play a rarer part: index -> "eti", "vat_group" or "foreign"."""
    special: dict[int, str] = {}
    public = [
        index
        for index, company in enumerate(companies)
        if company.legal_form in PUBLIC_COMPANIES and not is_exempt_activity(company.naf_code)
    ]
    for index in public[::ETI_EVERY]:
        special[index] = "eti"
    for index in public:
        if index not in special:
            special[index] = "vat_group"
            break
    traders = [
        index
        for index, company in enumerate(companies)
        if company.legal_form in PUBLIC_COMPANIES | LIMITED_COMPANIES
        and company.naf_code[:2] in {"46", "47"}
        and index not in special
    ]
    if traders:
        special[traders[0]] = "foreign"
    return special


def _complete_answers(company: DemoCompany, profile: str, rng: random.Random) -> dict[str, object]:
    """Every question the company is asked, answered as it would be."""
    if company.legal_form == ASSOCIATION:
        return {"vat_liable": False}
    nature = activity_nature_for_naf(company.naf_code)
    if profile == "foreign":
        # Sells online to French consumers from abroad: e-reporting only.
        return {
            "vat_liable": True,
            "establishment": "none_in_france",
            "vat_regime": "reel_normal_mensuel",
            "size_category_override": "PME",
            "sells_b2b_domestic": True,
            "sells_b2c": True,
            "activity_nature": "goods",
        }
    franchise = FRANCHISE_TAG in company.tags
    exempt = is_exempt_activity(company.naf_code)
    size = _size(company, profile, franchise or exempt, rng)
    division = company.naf_code[:2]
    consumers = division in CONSUMER_DIVISIONS or company.naf_code.startswith("45.2")
    large = size in ("PME", "ETI")
    answers: dict[str, object] = {
        "vat_liable": True,
        "establishment": "france_hq",
        "vat_group_member": profile == "vat_group",
        "exempt_operations": "only" if exempt else ("partly" if rng.random() < 0.03 else "none"),
        "vat_regime": _regime(size, franchise or exempt, rng),
        "vat_filing_2027": "monthly" if rng.random() < 0.3 else "quarterly",
        **_figures(size, franchise, rng),
        "sells_b2b_domestic": not exempt and (not consumers or rng.random() < 0.35),
        "sells_b2c": consumers or rng.random() < 0.25,
        "sells_international": rng.random() < {"ETI": 0.7, "PME": 0.3}.get(size, 0.08),
        "buys_international": rng.random() < {"ETI": 0.8, "PME": 0.35}.get(size, 0.12),
        "sells_public_sector": rng.random()
        < (0.5 if size == "ETI" else 0.2 if division in BUILDING_DIVISIONS else 0.05),
        "activity_nature": nature,
        "vat_on_debits": rng.random() < (0.3 if large else 0.1),
    }
    return visible_answers(answers)


def _size(company: DemoCompany, profile: str, very_small: bool, rng: random.Random) -> str:
    if profile == "eti":
        return "ETI"
    if profile == "vat_group":
        return "PME"
    if very_small or company.legal_form in SMALL_FORMS:
        return "MICRO"
    if company.legal_form in PUBLIC_COMPANIES:
        return "PME" if rng.random() < 0.45 else "MICRO"
    return "PME" if rng.random() < 0.2 else "MICRO"


def _figures(size: str, franchise: bool, rng: random.Random) -> dict[str, object]:
    if size == "ETI":
        staff, turnover, balance = (300, 1800), (60, 600), (50, 500)
        unit = 1_000_000
    elif size == "PME":
        staff, turnover, balance = (10, 120), (2_500, 30_000), (1_000, 20_000)
        unit = 1_000
    elif franchise:
        staff, turnover, balance = (0, 1), (15, 85), (5, 40)
        unit = 1_000
    else:
        staff, turnover, balance = (0, 8), (80, 1_500), (30, 900)
        unit = 1_000
    return {
        "employees": rng.randint(*staff),
        "turnover_eur": rng.randint(*turnover) * unit,
        "balance_sheet_eur": rng.randint(*balance) * unit,
    }


def _regime(size: str, franchise: bool, rng: random.Random) -> str:
    if franchise:
        return "franchise"
    if size in ("PME", "ETI"):
        return "reel_normal_mensuel" if size == "ETI" or rng.random() < 0.8 else "reel_simplifie"
    draw = rng.random()
    if draw < 0.7:
        return "reel_simplifie"
    return "reel_normal_mensuel" if draw < 0.9 else "reel_normal_trimestriel"


def _partial(answers: dict[str, object], rng: random.Random) -> dict[str, object]:
    """The first answers only, in catalogue order, so that something is left to decide."""
    ordered = [question.code for question in QUESTIONS if question.code in answers]
    for _ in range(3):
        kept = {code: answers[code] for code in ordered[: rng.randint(1, max(1, len(ordered) - 2))]}
        if not derive_obligations(kept)["complete"]:
            return kept
    return answers
