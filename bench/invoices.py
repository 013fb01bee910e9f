"""Benchmark of issuing: N drafts of a few lines each, issued one by one through
``invoicing.issuing.issue_invoice`` (the sequence locked, the snapshot, the PDF/A-3b rendered and
stored with its SHA-256), as the recurring job and the pages issue them.

    .venv/bin/python -m bench.invoices --invoices 1000 --database postgres|sqlite

Prints a table (invoices, seconds, seconds per invoice, the target of 0.3 s) and, with ``--out``,
writes it as JSON. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.__main__ import ROOT, migrate, prepare_environment

TARGET_SECONDS = 0.3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.invoices")
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pilote-bench-invoices-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster
        services = prepare_environment(options, Path(folder))
        try:
            result = run(options)
        finally:
            if services:
                services.stop()
    print(f"{'invoices':>9} {'seconds':>9} {'s/invoice':>10} {'median':>8} {'target':>7}")
    print(
        f"{result['invoices']:>9} {result['seconds']:>9} {result['seconds_per_invoice']:>10} "
        f"{result['median_seconds']:>8} {TARGET_SECONDS:>7}  "
        f"{'met' if result['target_met'] else 'MISSED'}"
    )
    if options.out:
        options.out.write_text(json.dumps(result, indent=2))


def run(options: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    migrate(options.database)
    from django.utils import timezone

    from clients.models import Client
    from demo.companies import iter_companies
    from demo.invoices import complete_profile
    from firms.services import create_firm
    from firms.tenancy import firm_scope
    from invoicing import issuing, services

    firm = complete_profile(create_firm(name="Bench Factures"))
    lines = [
        services.DraftLine("Tenue de la comptabilité", Decimal("1"), Decimal("450"), Decimal("20")),
        services.DraftLine("Déclarations de TVA", Decimal("1.5"), Decimal("99.99"), Decimal("20")),
        services.DraftLine("Frais de dossier", Decimal("3"), Decimal("12.5"), Decimal("10")),
    ]
    with firm_scope(firm):
        companies = iter_companies(options.invoices, seed=11, now=timezone.now())
        clients = Client.objects.bulk_create(
            Client(
                firm=firm,
                company_name=company.company_name,
                siren=company.siren,
                vat_number=company.vat_number,
                address=company.address,
                postal_code=company.postal_code,
                city=company.city,
            )
            for company in companies
        )
        drafts = [
            services.create_draft(firm=firm, client=client, lines=lines, by=None)
            for client in clients
        ]
    durations = []
    started = time.perf_counter()
    for draft in drafts:
        one = time.perf_counter()
        with firm_scope(firm):
            issuing.issue_invoice(firm=firm, invoice=draft, by=None)
        durations.append(time.perf_counter() - one)
    seconds = time.perf_counter() - started
    durations.sort()
    per_invoice = round(seconds / len(drafts), 3) if drafts else 0.0
    return {
        "database": options.database,
        "invoices": len(drafts),
        "seconds": round(seconds, 1),
        "seconds_per_invoice": per_invoice,
        "median_seconds": round(durations[len(durations) // 2], 3) if durations else 0.0,
        "slowest_seconds": round(durations[-1], 3) if durations else 0.0,
        "target_seconds": TARGET_SECONDS,
        "target_met": per_invoice <= TARGET_SECONDS,
    }


if __name__ == "__main__":
    main()
