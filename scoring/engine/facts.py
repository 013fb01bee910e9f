"""What the criteria and checkpoints need to know about one client, worked out once per score."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple

from scoring.engine.inputs import ScoringInput, SoftwareItem

# Software whose readiness says nothing about invoices: a payroll package neither scores nor
# counts as an invoicing tool, whatever the catalogue says about it.
OUTSIDE_THE_REFORM = frozenset({"payroll"})
INVOICING_CATEGORIES = frozenset({"invoicing", "erp"})


class ClientFacts(NamedTuple):
    """The obligations as scoring reads them, and the client's software sorted out.

    An obligation is True, False, or None when not known: unanswered (a null in the
    derivation's result) or the questionnaire never answered (``answered`` false).
    """

    answered: bool
    in_scope: bool | None
    must_receive: bool | None
    must_issue: bool | None
    issue_from: date | None
    reports_transactions: bool | None
    reports_payments: bool | None
    complete: bool | None
    missing_count: int
    size_category: str | None
    not_ready: tuple[SoftwareItem, ...]
    readiness_unknown: tuple[SoftwareItem, ...]
    # Software of the invoicing or ERP categories, and any other marked as used for issuing.
    invoicing_tools: tuple[SoftwareItem, ...]

    @property
    def decided(self) -> bool:
        """Whether the obligations are settled: an out-of-scope company's remaining unknowns
        change nothing it has to do."""
        return self.answered and (self.complete is True or self.in_scope is False)


def client_facts(client: ScoringInput) -> ClientFacts:
    not_ready, readiness_unknown, invoicing_tools = _sort_software(client.software)
    obligations = client.obligations
    if obligations is None:
        return ClientFacts(
            answered=False,
            in_scope=None,
            must_receive=None,
            must_issue=None,
            issue_from=None,
            reports_transactions=None,
            reports_payments=None,
            complete=None,
            missing_count=0,
            size_category=None,
            not_ready=not_ready,
            readiness_unknown=readiness_unknown,
            invoicing_tools=invoicing_tools,
        )
    missing = obligations.get("missing")
    size_category = obligations.get("size_category")
    return ClientFacts(
        answered=True,
        in_scope=_flag(obligations, "in_scope"),
        must_receive=_flag(obligations, "must_receive"),
        must_issue=_flag(obligations, "must_issue"),
        issue_from=_as_date(obligations.get("issue_from")),
        reports_transactions=_flag(obligations, "e_reporting_transactions"),
        reports_payments=_flag(obligations, "e_reporting_payments"),
        complete=_flag(obligations, "complete"),
        missing_count=len(missing) if isinstance(missing, list | tuple) else 0,
        size_category=size_category if isinstance(size_category, str) else None,
        not_ready=not_ready,
        readiness_unknown=readiness_unknown,
        invoicing_tools=invoicing_tools,
    )


def _sort_software(
    software: Sequence[SoftwareItem],
) -> tuple[tuple[SoftwareItem, ...], tuple[SoftwareItem, ...], tuple[SoftwareItem, ...]]:
    not_ready: list[SoftwareItem] = []
    readiness_unknown: list[SoftwareItem] = []
    invoicing_tools: list[SoftwareItem] = []
    for item in software:
        if item.category in OUTSIDE_THE_REFORM:
            continue
        if item.reform_ready is False:
            not_ready.append(item)
        elif item.reform_ready is None:
            readiness_unknown.append(item)
        if item.used_for_issuing or item.category in INVOICING_CATEGORIES:
            invoicing_tools.append(item)
    return tuple(not_ready), tuple(readiness_unknown), tuple(invoicing_tools)


def _flag(obligations: Mapping[str, object], key: str) -> bool | None:
    value = obligations.get(key)
    if value is None or value is True or value is False:
        return value
    raise TypeError(f"The obligation {key!r} must be true, false or null, not {value!r}")


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"An obligation start must be an ISO date, not {value!r}")
