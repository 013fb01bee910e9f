"""Benchmark of the synthesis reports: one report at a time, then the reports of a whole demo
portfolio as one background job (the ZIP included), run through the job machinery as the worker
runs it.

    .venv/bin/python -m bench.reports --clients 300 --database postgres|sqlite [--out FILE.json]

Builds a firm of N demo clients with ``seed_demo`` (answers, obligations, cartographies,
mandates, scores), times ``--single`` reports generated one by one (median; each is a new
version: snapshot, PDF, SHA-256, history), then one ``synthesis_reports`` job over every client.
Prints a table next to the targets (a report under 1 s; the job reported) and, with ``--out``,
writes it as JSON. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import ROOT, migrate, prepare_environment

FIRM_NAME = "Bench Rapports"
TARGET_REPORT_SECONDS = 1.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--single", type=int, default=15, help="reports timed one by one")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pilote-bench-reports-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster
        services = prepare_environment(options, Path(folder))
        try:
            result = run(options)
        finally:
            if services:
                services.stop()
    print(f"{'measure':<34} {'value':>10} {'target':>8}")
    print(
        f"{'one report (median, s)':<34} {result['report_median_s']:>10} "
        f"{TARGET_REPORT_SECONDS:>8}  {'met' if result['report_target_met'] else 'MISSED'}"
    )
    print(f"{'one report (slowest, s)':<34} {result['report_max_s']:>10}")
    print(f"{'one report, CPU time (median, s)':<34} {result['report_cpu_median_s']:>10}")
    print(f"{'pages per report':<34} {result['pages']:>10}")
    print(f"{'job: reports':<34} {result['job_reports']:>10}")
    print(f"{'job: seconds (ZIP included)':<34} {result['job_seconds']:>10}")
    print(f"{'job: seconds per report':<34} {result['job_seconds_per_report']:>10}")
    print(f"{'job: CPU seconds':<34} {result['job_cpu_seconds']:>10}")
    print(f"{'load average during the run':<34} {result['load_average']:>10}")
    print(f"{'job: ZIP (MB)':<34} {result['zip_mb']:>10}")
    if options.out:
        options.out.write_text(json.dumps(result, indent=2))


def page_count(pdf: bytes) -> int:
    """What pdfinfo (poppler-utils) says; 0 without it."""
    try:
        info = subprocess.run(
            ["pdfinfo", "-"], input=pdf, capture_output=True, check=True, timeout=30
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return 0
    return next(
        (int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0
    )


def run(options: argparse.Namespace) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    migrate(options.database)
    from django.core.management import call_command
    from django.utils.text import slugify

    from clients.models import Client
    from firms.models import Firm, User
    from firms.tenancy import firm_scope
    from jobs.models import Job
    from jobs.services import execute_job
    from reports import services
    from reports.jobs import JOB_KIND

    call_command("seed_demo", clients=options.clients, firm=FIRM_NAME, stdout=io.StringIO())
    firm = Firm.objects.get(slug=slugify(FIRM_NAME))
    user = User.objects.get(email="admin@demo.pilote-fe.fr")
    with firm_scope(firm):
        clients = list(Client.objects.for_firm(firm).order_by("pk"))
        stationery = services.firm_stationery(firm)
    singles, cpu = [], []
    pages = 0
    for client in clients[: options.single]:
        started, started_cpu = time.perf_counter(), time.process_time()
        with firm_scope(firm):
            report = services.generate_report(
                firm=firm, client=client, by=user, stationery=stationery
            )
        singles.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        with firm_scope(firm):
            pages = max(pages, page_count(report.document.read()))
            report.document.close()
    with firm_scope(firm):
        job = Job.objects.for_firm(firm).create(
            firm=firm,
            kind=JOB_KIND,
            requested_by=user,
            params={"client_ids": [client.pk for client in clients]},
        )
    started, started_cpu = time.perf_counter(), time.process_time()
    execute_job(firm_id=firm.pk, job_id=job.pk)
    seconds = time.perf_counter() - started
    job_cpu = time.process_time() - started_cpu
    with firm_scope(firm):
        job.refresh_from_db()
        zip_size = job.result_file.size if job.result_file else 0
    generated = job.summary.get("generated", 0)
    median = statistics.median(singles[1:] or singles)  # the first one warms the process up
    return {
        "database": options.database,
        "clients": len(clients),
        "report_median_s": round(median, 3),
        "report_first_s": round(singles[0], 3),
        "report_max_s": round(max(singles[1:] or singles), 3),
        # The process's own CPU time: what a report costs on an idle core, whatever else runs.
        "report_cpu_median_s": round(statistics.median(cpu[1:] or cpu), 3),
        "load_average": os.getloadavg()[0],
        "report_target_s": TARGET_REPORT_SECONDS,
        "report_target_met": median < TARGET_REPORT_SECONDS,
        "pages": pages,
        "job_status": job.status,
        "job_reports": generated,
        "job_seconds": round(seconds, 1),
        "job_seconds_per_report": round(seconds / generated, 3) if generated else None,
        "job_cpu_seconds": round(job_cpu, 1),
        "zip_mb": round(zip_size / 1e6, 1),
    }


if __name__ == "__main__":
    main()
