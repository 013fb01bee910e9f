"""Recurring fees: one invoice per engagement and period, never two."""

from __future__ import annotations

from decimal import Decimal

import pytest

from firms.tenancy import firm_scope
from invoicing import recurring, services
from invoicing.jobs import RECURRING_JOB_KIND
from invoicing.models import Engagement, Invoice
from jobs.models import Job
from jobs.services import execute_job
from tests import factories


@pytest.mark.parametrize(
    ("periodicity", "month", "period", "label"),
    [
        ("monthly", "2026-11", "2026-11", "novembre 2026"),
        ("quarterly", "2026-11", "2026-T4", "4e trimestre 2026"),
        ("quarterly", "2027-01", "2027-T1", "1er trimestre 2027"),
        ("yearly", "2026-03", "2026", "année 2026"),
    ],
)
def test_periods(periodicity, month, period, label):
    assert recurring.period_of(periodicity, month) == period
    assert recurring.period_label(period) == label


def _engagement(cast, client, periodicity="monthly", amount="250.00"):
    with firm_scope(cast.firm):
        return services.save_engagement(
            firm=cast.firm,
            engagement=Engagement(
                firm=cast.firm,
                client=client,
                description="Tenue",
                amount=Decimal(amount),
                vat_rate=Decimal("20"),
                periodicity=periodicity,
            ),
            by=None,
        )


def test_the_job_issues_each_period_once(seller, buyer):
    _engagement(seller, buyer, "monthly")
    quarterly = factories.make_client(seller.firm, company_name="Zèbre SA")
    _engagement(seller, quarterly, "quarterly", "900.00")
    stopped = _engagement(seller, factories.make_client(seller.firm), "monthly")
    with firm_scope(seller.firm):
        services.stop_engagement(firm=seller.firm, engagement=stopped, by=None)

    def run(month):
        with firm_scope(seller.firm):
            job = Job.objects.for_firm(seller.firm).create(
                firm=seller.firm,
                kind=RECURRING_JOB_KIND,
                requested_by=seller.supervisor.user,
                params={"period": month},
            )
        execute_job(firm_id=seller.firm.pk, job_id=job.pk)
        with firm_scope(seller.firm):
            job.refresh_from_db()
        return job

    first = run("2026-11")
    assert first.status == Job.Status.SUCCEEDED, first.error
    assert len(first.summary["issued"]) == 2 and first.summary["already"] == 0
    again = run("2026-11")
    assert again.summary["issued"] == [] and again.summary["already"] == 2
    december = run("2026-12")
    assert len(december.summary["issued"]) == 1  # the quarter is billed already
    with firm_scope(seller.firm):
        invoices = Invoice.objects.for_firm(seller.firm).order_by("pk")
        assert [invoice.period for invoice in invoices] == ["2026-11", "2026-T4", "2026-12"]
        assert all(invoice.number and invoice.pdf for invoice in invoices)
        assert invoices[0].document["lines"][0]["description"] == "Tenue — novembre 2026"
        assert Engagement.objects.for_firm(seller.firm).get(client=buyer).last_period == "2026-12"


def test_a_client_that_cannot_be_invoiced_is_listed_with_the_reason(seller):
    client = factories.make_client(seller.firm, siren="")
    _engagement(seller, client)
    with firm_scope(seller.firm):
        result = recurring.issue_recurring_invoices(firm=seller.firm, month="2026-11", by=None)
        assert not Invoice.objects.for_firm(seller.firm).exists()
    assert result.issued == [] and "SIREN du client" in result.skipped[0]["reason"]
