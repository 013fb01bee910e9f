"""Two processes issuing at once on PostgreSQL: consecutive numbers, no gap, no duplicate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from firms.tenancy import firm_scope
from invoicing.models import Invoice
from tests import factories
from tests.invoicing.conftest import complete_seller

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PER_PROCESS = 12


def test_two_processes_issue_without_gaps_or_duplicates(firm_a, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    firm = complete_seller(firm_a.firm)
    customer = factories.make_client(firm, siren="732829320")
    item = {
        "client_siren": customer.siren,
        "lines": [
            {"description": "Honoraires", "quantity": "1", "unit_price": "100", "vat_rate": "20"}
        ],
        "issue": True,
    }
    path = tmp_path / "items.json"
    path.write_text(json.dumps([item] * PER_PROCESS))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, "manage.py", "create_invoices", "--firm", firm.slug, str(path)]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    numbers = [entry["number"] for out, _err in outputs for entry in json.loads(out)]
    values = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert values == list(range(1, 2 * PER_PROCESS + 1))
    with firm_scope(firm):
        stored = list(
            Invoice.objects.for_firm(firm).order_by("number").values_list("number", "issue_date")
        )
    assert len(stored) == 2 * PER_PROCESS
    dates = [day for _number, day in stored]
    assert dates == sorted(dates)  # chronological
