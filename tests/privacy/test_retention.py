"""The retention rules: what a legal duty keeps, and until when (plain data, no database)."""

from __future__ import annotations

import datetime

import pytest

from privacy import retention
from privacy.retention import RowFacts, duty_for

D = datetime.date


@pytest.mark.parametrize(
    ("facts", "duty", "until"),
    [
        # Issued invoices: the end of the year of issue plus ten years (L123-22).
        (RowFacts("invoicing.invoice", "issued", D(2026, 3, 15)), "invoice", D(2036, 12, 31)),
        (RowFacts("invoicing.invoice", "issued", D(2026, 12, 31)), "invoice", D(2036, 12, 31)),
        (RowFacts("invoicing.invoice", "issued", D(2027, 1, 1)), "invoice", D(2037, 12, 31)),
        # A draft is not an accounting document: nothing keeps it.
        (RowFacts("invoicing.invoice", "draft", None), None, None),
        # A payment goes with its invoice.
        (RowFacts("invoicing.payment", day=D(2026, 6, 1)), "invoice", D(2036, 12, 31)),
        # Report versions: five years after their generation (Code civil 2224).
        (RowFacts("reports.synthesisreport", day=D(2026, 12, 1)), "report", D(2031, 12, 1)),
        (RowFacts("reports.synthesisreport", day=D(2028, 2, 29)), "report", D(2033, 3, 1)),
        # Signed mandates (AML identification): five years after the relationship's end.
        (
            RowFacts("mandates.mandate", "signed", relationship_ended_on=D(2027, 6, 30)),
            "aml",
            D(2032, 6, 30),
        ),
        # ... with no end date while the client is active.
        (RowFacts("mandates.mandate", "signed"), "aml", None),
        # A mandate never signed identifies nobody for the engagement.
        (RowFacts("mandates.mandate", "refused"), None, None),
        (RowFacts("mandates.mandate", "sent"), None, None),
        # Everything else may go.
        (RowFacts("clients.client"), None, None),
        (RowFacts("clients.historyentry", day=D(2026, 1, 1)), None, None),
        (RowFacts("outbox.outboxmessage", "sent", D(2026, 1, 1)), None, None),
    ],
)
def test_duty_for_each_kind_of_row(facts, duty, until):
    kept = duty_for(facts)
    if duty is None:
        assert kept is None
    else:
        assert (kept.duty.code, kept.until) == (duty, until)
        assert str(kept.duty.reference).startswith(("Code de commerce", "Code ", "Code civil"))


@pytest.mark.parametrize(
    ("until", "today", "ended"),
    [
        (D(2036, 12, 31), D(2036, 12, 31), False),  # the last day is still kept
        (D(2036, 12, 31), D(2037, 1, 1), True),
        (D(2036, 12, 31), D(2030, 1, 1), False),
        (None, D(2100, 1, 1), False),  # no end date: kept
    ],
)
def test_a_duty_ends_after_its_last_day(until, today, ended):
    assert retention.Retention(retention.DUTIES["invoice"], until).ended(today) is ended


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2026, 5, 17), 5, D(2031, 5, 17)),
        (D(2028, 2, 29), 5, D(2033, 3, 1)),
        (D(2028, 2, 29), 4, D(2032, 2, 29)),
        (D(2026, 12, 31), 10, D(2036, 12, 31)),
    ],
)
def test_add_years_never_shortens_a_duty(day, years, expected):
    assert retention.add_years(day, years) == expected


def test_every_duty_names_its_legal_reference_in_french():
    references = {code: str(duty.reference) for code, duty in retention.DUTIES.items()}
    assert "L123-22" in references["invoice"]
    assert "L561-12" in references["aml"]
    assert "2224" in references["report"]
