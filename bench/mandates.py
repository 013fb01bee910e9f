"""Benchmark of a batch of mandates: the background job that generates N mandates (their PDFs)
and builds the JeSignExpert export, run through the job machinery as the worker runs it.

    .venv/bin/python -m bench.mandates --mandates 1000 --database postgres|sqlite

Prints a table (mandates, seconds, mandates per second, the target of 5 a second) and, with
``--out``, writes it as JSON. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import ROOT, migrate, prepare_environment

TARGET_PER_SECOND = 5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mandates")
    parser.add_argument("--mandates", type=int, default=1000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pilote-bench-mandates-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster
        services = prepare_environment(options, Path(folder))
        try:
            result = run(options)
        finally:
            if services:
                services.stop()
    print(f"{'mandates':>10} {'seconds':>9} {'per second':>11} {'target':>7}")
    print(
        f"{result['mandates']:>10} {result['seconds']:>9} {result['per_second']:>11} "
        f"{TARGET_PER_SECOND:>7}  {'met' if result['target_met'] else 'MISSED'}"
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
    from firms.models import Membership, Role, User
    from firms.services import create_firm
    from firms.tenancy import firm_scope
    from jobs.models import Job
    from jobs.services import execute_job
    from mandates.jobs import BATCH_JOB_KIND

    firm = create_firm(name="Bench Mandats")
    user = User.objects.create_user("bench@example.test", None, full_name="Bench")
    with firm_scope(firm):
        Membership.objects.for_firm(firm).create(firm=firm, user=user, role=Role.SUPERVISOR)
        companies = iter_companies(options.mandates, seed=7, now=timezone.now())
        clients = Client.objects.bulk_create(
            Client(
                firm=firm,
                company_name=company.company_name,
                siren=company.siren,
                address=company.address,
                postal_code=company.postal_code,
                city=company.city,
                signer_civility="M.",
                signer_first_name="Paul",
                signer_last_name=company.company_name.split()[-1],
                signer_email=f"signataire{index}@example.test",
                signer_mobile=f"+33639980{index % 1000:03d}",
            )
            for index, company in enumerate(companies)
        )
        job = Job.objects.for_firm(firm).create(
            firm=firm,
            kind=BATCH_JOB_KIND,
            requested_by=user,
            params={"client_ids": [client.pk for client in clients], "kind": "delegation"},
        )
    started = time.perf_counter()
    execute_job(firm_id=firm.pk, job_id=job.pk)
    seconds = time.perf_counter() - started
    with firm_scope(firm):
        job.refresh_from_db()
    exported = len(job.summary.get("exported", []))
    per_second = round(exported / seconds, 2) if seconds else 0.0
    return {
        "database": options.database,
        "mandates": exported,
        "status": job.status,
        "seconds": round(seconds, 1),
        "per_second": per_second,
        "target_per_second": TARGET_PER_SECOND,
        "target_met": per_second >= TARGET_PER_SECOND,
    }


if __name__ == "__main__":
    main()
