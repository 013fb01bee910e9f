"""Recurring fees: each active engagement is invoiced once per period (its month, quarter or
year). The unique constraint (engagement, period) of the invoices makes a second run, or two runs
at once, issue nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clients.models import Client
from firms.models import Firm, User
from french_formats.dates import MONTHS
from invoicing import issuing, services
from invoicing.models import Engagement, Invoice, Periodicity


def period_of(periodicity: str, month: str) -> str:
    """The engagement's period that holds ``month`` ("2026-11"): "2026-11", "2026-T4", "2026"."""
    year, number = month.split("-")
    if periodicity == Periodicity.QUARTERLY:
        return f"{year}-T{(int(number) - 1) // 3 + 1}"
    if periodicity == Periodicity.YEARLY:
        return year
    return f"{year}-{int(number):02d}"


def period_label(period: str) -> str:
    """ "2026-11" → "novembre 2026", "2026-T4" → "4e trimestre 2026", "2026" → "année 2026"."""
    if "-T" in period:
        year, quarter = period.split("-T")
        return f"{quarter}{'er' if quarter == '1' else 'e'} trimestre {year}"
    if "-" in period:
        year, month = period.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    return f"année {period}"


@dataclass
class RecurringResult:
    issued: list[str] = field(default_factory=list)  # invoice numbers
    already: int = 0  # engagements already invoiced for their period
    skipped: list[dict] = field(default_factory=list)  # {"client", "siren", "reason"}


def active_engagements(firm: Firm | int) -> list[Engagement]:
    return list(
        Engagement.objects.for_firm(firm)
        .filter(is_active=True, client__status=Client.Status.ACTIVE)
        .select_related("client")
        .order_by("client__company_name", "pk")
    )


def invoice_engagement(
    *, firm: Firm, engagement: Engagement, month: str, by: User | None, result: RecurringResult
) -> None:
    """Issue the engagement's invoice for the period holding ``month``, unless it exists."""
    period = period_of(engagement.periodicity, month)
    if Invoice.objects.for_firm(firm).filter(engagement=engagement, period=period).exists():
        result.already += 1
        return
    line = services.DraftLine(
        description=f"{engagement.description} — {period_label(period)}",
        quantity=1,
        unit_price=engagement.amount,
        vat_rate=engagement.vat_rate,
    )
    try:
        with transaction.atomic():
            draft = services.create_draft(
                firm=firm,
                client=engagement.client,
                lines=[line],
                by=by,
                engagement=engagement,
                period=period,
            )
            invoice = issuing.issue_invoice(firm=firm, invoice=draft, by=by)
            if period > engagement.last_period:
                Engagement.objects.for_firm(firm).filter(pk=engagement.pk).update(
                    last_period=period
                )
    except IntegrityError:
        result.already += 1  # issued meanwhile by another run
        return
    except (issuing.IssueRefused, ValidationError) as error:
        reason = str(error) if isinstance(error, issuing.IssueRefused) else " ".join(error.messages)
        result.skipped.append(
            {
                "client": engagement.client.company_name,
                "siren": engagement.client.siren,
                "reason": reason,
            }
        )
        return
    result.issued.append(invoice.number)


def issue_recurring_invoices(*, firm: Firm, month: str, by: User | None) -> RecurringResult:
    """Every active engagement's invoice for the period holding ``month`` (the command line and
    tests; the page runs the same through the job, with its progress)."""
    result = RecurringResult()
    for engagement in active_engagements(firm):
        invoice_engagement(firm=firm, engagement=engagement, month=month, by=by, result=result)
    return result
