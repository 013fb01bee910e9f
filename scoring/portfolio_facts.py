"""The facts a score is computed from, flattened to the columns of PortfolioFacts, so the
portfolio dashboard filters, sorts and counts on one narrow table."""

from __future__ import annotations

from datetime import date

from scoring.engine import ScoringInput
from scoring.engine.criteria import PLATFORM_STATUSES

# A platform's stage: 0 without one, then 1.. in the order a client goes through the statuses.
PLATFORM_STAGES = {status: stage for stage, status in enumerate(PLATFORM_STATUSES, start=1)}
NOT_READY, UNKNOWN, READY = 0, 1, 2

# The duties and their dates, as the dashboard's columns show them.
OBLIGATION_FACTS = (
    "must_receive",
    "receive_from",
    "must_issue",
    "issue_from",
    "e_reporting",
    "e_reporting_from",
)
FACT_FIELDS = (
    "size_category",
    "in_scope",
    "obligations_complete",
    *OBLIGATION_FACTS,
    "reception_stage",
    "issuing_stage",
    "software_readiness",
    "mandate_status",
)


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _software_readiness(data: ScoringInput) -> int | None:
    """The least ready of the software: one not ready makes the client not ready."""
    if not data.software:
        return None
    ranks = {True: READY, None: UNKNOWN, False: NOT_READY}
    return min(ranks[item.reform_ready] for item in data.software)


def _e_reporting(obligations: dict) -> bool | None:
    flags = (obligations.get("e_reporting_transactions"), obligations.get("e_reporting_payments"))
    if any(flags):
        return True
    return None if None in flags else False


def portfolio_facts(data: ScoringInput, *, mandate_status: str = "") -> dict:
    """The columns of FACT_FIELDS for one client's scoring input (and its mandate's status)."""
    obligations = dict(data.obligations or {})
    e_reporting_dates = [
        _date(obligations.get(key))
        for key in ("e_reporting_transactions_from", "e_reporting_payments_from")
    ]
    return {
        "size_category": obligations.get("size_category") or "",
        "in_scope": obligations.get("in_scope"),
        "obligations_complete": bool(obligations.get("complete")),
        "must_receive": obligations.get("must_receive"),
        "receive_from": _date(obligations.get("receive_from")),
        "must_issue": obligations.get("must_issue"),
        "issue_from": _date(obligations.get("issue_from")),
        "e_reporting": _e_reporting(obligations),
        "e_reporting_from": min((day for day in e_reporting_dates if day), default=None),
        "reception_stage": PLATFORM_STAGES.get(data.reception_platform, 0),
        "issuing_stage": PLATFORM_STAGES.get(data.issuing_platform, 0),
        "software_readiness": _software_readiness(data),
        "mandate_status": mandate_status,
    }
