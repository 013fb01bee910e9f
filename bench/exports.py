"""Benchmark of the full portfolio export: N clients with every column, as the job writes them,
and the three Excel writers considered, on the same cells.

    .venv/bin/python -m bench.exports --clients 10000 --database postgres|sqlite [--out FILE.json]

It builds a firm of N clients like ``python -m bench`` (``seed_demo``: answers and obligations;
bench/portfolio.py: platforms and software; then the scores), then measures:

- the export job itself (``exports.jobs.export_portfolio_job`` through
  ``jobs.services.execute_job``, as the worker runs it: the clients chosen, read by chunks,
  written, the file stored), as Excel and as CSV;
- reading the rows alone, and turning them into cells (typed and neutralised);
- each writer on the same cells, in the same form (typed cells, date format, bold frozen header,
  filters, column widths): xlsxwriter in constant-memory mode, rustpy-xlsxwriter and
  PyExcelerate; each file is opened again with openpyxl to check that its cells are typed
  (dates as dates, numbers as numbers, text as text, no formula) and that the header is frozen
  and filtered.

Time is wall-clock, the median of three runs after a warm-up run in the same process. Memory is
measured apart, each step once in a fresh child process (``--child``): the growth of its peak
resident set (``VmHWM``) from the moment Django is set up (and, for a writer, its cells loaded)
to the end of the step, so the Rust writer's own allocations count and nothing is hidden by
memory an earlier step left to reuse. Prints a table and, with ``--out``, writes it as JSON.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from bench.__main__ import ROOT, migrate, prepare_environment

TARGET_SECONDS = 5
REPEAT = 3  # timed runs of each step; the median is kept
TARGET_MB = 100
FIRM_NAME = "Bench Exports"


# Memory ---------------------------------------------------------------------------------------


def _status(field: str) -> int:
    """A field of /proc/self/status, in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measured(step: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, peak memory growth in MB) of one run of ``step``."""
    gc.collect()
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident set
    before = _status("VmRSS")
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = max(_status("VmHWM"), before)
    return result, round(seconds, 2), round((peak - before) / 1024, 1)


# The three writers, on the same cells --------------------------------------------------------


def write_rustpy(headers, kinds, widths, rows) -> bytes:
    import rustpy_xlsxwriter

    buffer = io.BytesIO()
    rustpy_xlsxwriter.write_worksheet(
        (dict(zip(headers, row, strict=True)) for row in rows),
        buffer,
        sheet_name="Portefeuille",
        freeze_row=1,
        autofilter=True,
        bold_headers=True,
        column_widths=widths,
        datetime_format="dd/mm/yyyy",
    )
    return buffer.getvalue()


def write_xlsxwriter(headers, kinds, widths, rows) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    folder = tempfile.mkdtemp(prefix="bench-xlsxwriter-")
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "in_memory": False, "tmpdir": folder}
    )
    sheet = workbook.add_worksheet("Portefeuille")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, headers, bold)
    count = 0
    for number, row in enumerate(rows, start=1):
        count = number
        for column, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None or value == "":
                continue
            if kind == "date":
                sheet.write_datetime(number, column, value, day)
            elif kind == "number":
                sheet.write_number(number, column, value)
            else:
                sheet.write_string(number, column, value)
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()


def write_pyexcelerate(headers, kinds, widths, rows) -> bytes:
    from pyexcelerate import Font, Format, Panes, Style, Workbook

    workbook = Workbook()
    data = [headers, *rows]
    sheet = workbook.new_sheet("Portefeuille", data=data)
    for index, (kind, width) in enumerate(zip(kinds, widths, strict=True), start=1):
        style = Style(size=width)
        if kind == "date":
            style = Style(size=width, format=Format("dd/mm/yyyy"))
        sheet.set_col_style(index, style)
    sheet.set_row_style(1, Style(font=Font(bold=True)))
    sheet.panes = Panes(y=1)
    sheet.auto_filter = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS = {
    "rustpy-xlsxwriter": write_rustpy,
    "xlsxwriter (constant_memory)": write_xlsxwriter,
    "PyExcelerate": write_pyexcelerate,
}


def check_workbook(content: bytes, headers, kinds, expected_rows: int, sample: int = 300) -> str:
    """ "ok", or what is wrong: typed cells, frozen and filtered header, row count."""
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    problems = []
    if 'state="frozen"' not in sheet_xml:
        problems.append("header not frozen")
    if "<autoFilter" not in sheet_xml:
        problems.append("no filters")
    if "<col " not in sheet_xml:
        problems.append("no column widths")
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.active
    rows = sheet.iter_rows()
    header = [cell.value for cell in next(rows)]
    if header != list(headers):
        problems.append("headers differ")
    seen = 0
    for index, row in enumerate(rows):
        seen += 1
        if index >= sample:
            continue
        for kind, cell in zip(kinds, row, strict=False):
            value = cell.value
            if cell.data_type == "f":
                problems.append("a formula cell")
            elif value is None or value == "":
                continue
            elif kind == "date" and not (isinstance(value, datetime | date) and cell.is_date):
                problems.append(f"date as {type(value).__name__}")
            elif kind == "number" and not isinstance(value, int | float):
                problems.append(f"number as {type(value).__name__}")
            elif kind == "text" and not isinstance(value, str):
                problems.append(f"text as {type(value).__name__}")
    workbook.close()
    if seen != expected_rows:
        problems.append(f"{seen} rows instead of {expected_rows}")
    return "ok" if not problems else ", ".join(sorted(set(problems)))


# The run ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.exports")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    # Internal: one step measured in a fresh process (see the module's docstring).
    parser.add_argument("--child", choices=["job", "writer"], help=argparse.SUPPRESS)
    parser.add_argument("--format", default="xlsx", help=argparse.SUPPRESS)
    parser.add_argument("--job-firm", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--job-user", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    parser.add_argument("--cells", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        print(json.dumps(child(options)))
        return {}
    with tempfile.TemporaryDirectory(prefix="pilote-bench-exports-") as folder:
        if os.geteuid() == 0:
            os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster
        services = prepare_environment(options, Path(folder))
        try:
            results = run(options, Path(folder))
        finally:
            if services:
                services.stop_postgres()
    print_table(results)
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"JSON written to {options.out}")
    return results


def export_job(firm_id: int, user_id: int, export_format: str):
    """One export job of the whole portfolio, run as the worker runs it; the finished job."""
    from exports import services
    from firms.tenancy import firm_scope
    from jobs.models import Job
    from jobs.services import execute_job

    with firm_scope(firm_id):
        job = Job.objects.for_firm(firm_id).create(
            firm_id=firm_id,
            kind=services.EXPORT_JOB_KIND,
            requested_by_id=user_id,
            params={"format": export_format, "source": "portfolio", "querystring": ""},
        )
    execute_job(firm_id=firm_id, job_id=job.pk)
    with firm_scope(firm_id):
        job.refresh_from_db()
    return job


def child(options: argparse.Namespace) -> dict:
    """One step in this fresh process: its peak memory growth (and time, cold)."""
    sys.path.insert(0, str(ROOT))
    if options.child == "job":
        import django

        django.setup()
        job, seconds, memory = measured(
            lambda: export_job(options.job_firm, options.job_user, options.format)
        )
        return {"status": job.status, "seconds": seconds, "peak_mb": memory}
    import pickle

    names, kinds, widths, table = pickle.loads(options.cells.read_bytes())  # noqa: S301 - ours
    writer = WRITERS[options.writer]
    _, seconds, memory = measured(lambda: writer(names, kinds, widths, iter(table)))
    return {"seconds": seconds, "peak_mb": memory}


def in_child(*arguments: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--child", *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ.copy(),
        cwd=ROOT,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"bench child failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(options: argparse.Namespace, folder: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import pickle

    from django.core.management import call_command
    from django.utils import translation
    from django.utils.text import slugify

    from bench.portfolio import equip_portfolio
    from exports import services
    from exports.columns import build_columns
    from exports.reading import read_rows
    from exports.writers import cells, headers
    from firms.models import Firm, Membership, Role, User
    from firms.tenancy import firm_scope
    from scoring.services import rescore_portfolio

    print(f"Bench exports · {options.database} · {options.clients} clients", flush=True)
    migrate(options.database)
    call_command("seed_demo", clients=options.clients, firm=FIRM_NAME, stdout=io.StringIO())
    firm = Firm.objects.get(slug=slugify(FIRM_NAME))
    equip_portfolio(firm_id=firm.pk)
    rescore_portfolio(firm_id=firm.pk)
    user = User.objects.create_user("bench-exports@example.test", None, full_name="Bench")
    with firm_scope(firm):
        Membership.objects.for_firm(firm).create(firm=firm, user=user, role=Role.SUPERVISOR)
    results: dict = {
        "clients": options.clients,
        "database": options.database,
        "load_average": os.getloadavg()[0],
    }

    for export_format in ("xlsx", "csv"):
        export_job(firm.pk, user.pk, export_format)  # warm-up: connections, imports, caches
        runs = [
            measured(lambda fmt=export_format: export_job(firm.pk, user.pk, fmt))
            for _ in range(REPEAT)
        ]
        job = runs[-1][0]
        seconds = statistics.median(run[1] for run in runs)
        cold = in_child(
            "job", "--format", export_format, "--job-firm", str(firm.pk), "--job-user", str(user.pk)
        )
        results[f"job_{export_format}"] = {
            "status": job.status,
            "rows": job.summary.get("rows"),
            "seconds": seconds,
            "cold_seconds": cold["seconds"],
            "peak_mb": cold["peak_mb"],
            "size_kb": round(job.result_file.size / 1024) if job.result_file else None,
        }
        print(f"  job {export_format}: {seconds} s, +{cold['peak_mb']} MB", flush=True)

    membership = services.firm_wide_membership(firm)
    ids = services.export_client_ids(membership, {"source": "portfolio"})
    with translation.override("fr"):
        columns = build_columns()

    def read_all() -> list[dict]:
        return [row for chunk in read_rows(firm.pk, ids) for row in chunk]

    rows, seconds, _ = measured(read_all)
    results["read_rows"] = {"seconds": seconds}
    table, seconds, _ = measured(lambda: [cells(columns, row) for row in rows])
    results["cells"] = {"seconds": seconds}
    names = headers(columns)
    kinds = [str(column.kind) for column in columns]
    widths = [column.width for column in columns]
    cells_file = folder / "cells.pickle"
    cells_file.write_bytes(pickle.dumps((names, kinds, widths, table)))
    results["columns"] = len(columns)
    results["writers"] = {}
    for name, writer in WRITERS.items():
        writer(names, kinds, widths, iter(table))  # warm-up
        runs = [
            measured(lambda w=writer: w(names, kinds, widths, iter(table))) for _ in range(REPEAT)
        ]
        content, seconds = runs[-1][0], statistics.median(run[1] for run in runs)
        cold = in_child("writer", "--writer", name, "--cells", str(cells_file))
        check = check_workbook(content, names, kinds, len(table))
        results["writers"][name] = {
            "seconds": seconds,
            "peak_mb": cold["peak_mb"],
            "size_kb": round(len(content) / 1024),
            "typed_cells": check,
        }
        print(f"  {name}: {seconds} s, +{cold['peak_mb']} MB, {check}", flush=True)
    correct = {
        name: figures
        for name, figures in results["writers"].items()
        if figures["typed_cells"] == "ok"
    }
    results["fastest_correct_writer"] = min(correct, key=lambda name: correct[name]["seconds"])
    job = results["job_xlsx"]
    results["target_met"] = job["seconds"] < TARGET_SECONDS and job["peak_mb"] < TARGET_MB
    return results


def print_table(results: dict) -> None:
    print()
    print(f"{results['database']} · {results['clients']} clients · {results['columns']} columns")
    print(f"{'Étape':<34} {'secondes':>9} {'mémoire':>10} {'fichier':>9}  cellules")
    for key, label in (("job_xlsx", "Job complet, Excel"), ("job_csv", "Job complet, CSV")):
        figures = results[key]
        print(
            f"{label:<34} {figures['seconds']:>9} {figures['peak_mb']:>7} Mo "
            f"{figures['size_kb']:>6} ko  {figures['rows']} lignes"
        )
    for key, label in (("read_rows", "Lecture des lignes"), ("cells", "Cellules typées")):
        print(f"{label:<34} {results[key]['seconds']:>9}")
    for name, figures in results["writers"].items():
        print(
            f"{'Écriture ' + name:<34} {figures['seconds']:>9} {figures['peak_mb']:>7} Mo "
            f"{figures['size_kb']:>6} ko  {figures['typed_cells']}"
        )
    print(f"Plus rapide des écritures correctes : {results['fastest_correct_writer']}")
    state = "atteint" if results["target_met"] else "MANQUÉ"
    print(f"Objectif < {TARGET_SECONDS} s et < {TARGET_MB} Mo pour le job Excel : {state}")


if __name__ == "__main__":
    main()
