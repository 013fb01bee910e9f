"""Demo synthesis reports: the first clients of a demo firm have one, the very first two."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from firms.models import Firm
from firms.tenancy import firm_scope
from reports.models import SynthesisReport


def test_the_demo_firm_has_reports_with_a_history(db):
    output = StringIO()
    call_command("seed_demo", "--clients", "24", stdout=output)
    assert "4 synthesis reports" in output.getvalue()
    firm = Firm.objects.get(slug="durand-associes")
    with firm_scope(firm):
        reports = list(SynthesisReport.objects.for_firm(firm).select_related("client", "author"))
    assert len(reports) == 4
    assert sorted(report.number for report in reports) == [1, 1, 1, 2]
    assert all(report.author == report.client.assigned_to for report in reports)
