"""The facts a score is computed from, flattened to the columns of PortfolioFacts, so the
portfolio dashboard filters, sorts and counts on one narrow table."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from scoring.engine import ScoringInput
from scoring.engine.criteria import PLATFORM_STATUSES

# A platform's stage: 0 without one, then 1.. in the order a client goes through the statuses.
PLATFORM_STAGES = {status: stage for stage, status in enumerate(PLATFORM_STATUSES, start=1)}
NOT_READY, UNKNOWN, READY = 0, 1, 2
READINESS_RANKS = {True: READY, None: UNKNOWN, False: NOT_READY}
NOTHING = MappingProxyType({})  # the obligations of a client whose questionnaire was never answered

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
    return min(READINESS_RANKS[item.reform_ready] for item in data.software)


def _e_reporting(transactions: object, payments: object) -> bool | None:
    if transactions or payments:
        return True
    return None if transactions is None or payments is None else False


def portfolio_facts(data: ScoringInput, *, mandate_status: str = "") -> dict:
    """The columns of FACT_FIELDS for one client's scoring input (and its mandate's status)."""
    values = portfolio_fact_values(data, mandate_status=mandate_status)
    return dict(zip(FACT_FIELDS, values, strict=True))


def portfolio_fact_values(data: ScoringInput, *, mandate_status: str = "") -> tuple:
    """``portfolio_facts``' values alone, in the order of FACT_FIELDS (the full rescoring's
    rows)."""
    get = (data.obligations or NOTHING).get
    transactions_from = _date(get("e_reporting_transactions_from"))
    payments_from = _date(get("e_reporting_payments_from"))
    return (
        get("size_category") or "",
        get("in_scope"),
        bool(get("complete")),
        get("must_receive"),
        _date(get("receive_from")),
        get("must_issue"),
        _date(get("issue_from")),
        _e_reporting(get("e_reporting_transactions"), get("e_reporting_payments")),
        min((day for day in (transactions_from, payments_from) if day), default=None),
        PLATFORM_STAGES.get(data.reception_platform, 0),
        PLATFORM_STAGES.get(data.issuing_platform, 0),
        _software_readiness(data),
        mandate_status,
    )
