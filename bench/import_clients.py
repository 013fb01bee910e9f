"""Benchmark of the client import on the configured database (DATABASE_URL, else the embedded
SQLite): reading, dry run and import of generated clients with valid identifiers.

    .venv/bin/python bench/import_clients.py [--rows 10000] [--keep]

It creates a throwaway firm with three members, builds a CSV from ``demo.companies`` (every
column the import knows, a collaborator on one row in three), then times: reading the file, the
dry run, the import (all creations), the same file again (all unchanged) and a file where every
city changed (all updates). The firm and its users are deleted at the end unless ``--keep``.
The goal is 10,000 rows imported in under 6 s; nothing here asserts it.

With ``--writer``, another connection plays a collaborator saving a client sheet during each
step: a small write transaction every 100 ms, whose longest wait for the database is shown (on
SQLite, how long the import's write transactions keep other writers waiting).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from clients.importing.applying import import_rows  # noqa: E402
from clients.importing.mapping import guess_mapping  # noqa: E402
from clients.importing.planning import ImportPlan  # noqa: E402
from clients.importing.reading import Table, read_table  # noqa: E402
from clients.models import Client  # noqa: E402
from demo.companies import DemoCompany, generate_companies  # noqa: E402
from firms.models import Firm, Membership, Role, User  # noqa: E402
from firms.tenancy import firm_scope  # noqa: E402

HEADER = [
    "Raison sociale", "SIREN", "SIRET", "Code NAF", "Forme juridique", "Adresse", "CP", "Ville",
    "N° TVA intracom", "Clôture", "Contact", "Email", "Téléphone", "Email facturation",
    "Étiquettes", "Collaborateur",
]  # fmt: skip


def build_csv(companies: list[DemoCompany], collaborators: list[str], *, city_suffix: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for number, company in enumerate(companies):
        writer.writerow(
            [
                company.company_name,
                company.siren,
                company.siret,
                company.naf_code,
                company.legal_form,
                company.address,
                company.postal_code,
                company.city + city_suffix,
                "",  # derived from the SIREN
                company.fiscal_year_end,
                company.contact_name,
                company.contact_email,
                company.contact_phone,
                ", ".join(company.billing_emails),
                ", ".join(company.tags),
                collaborators[number % len(collaborators)] if number % 3 == 0 else "",
            ]
        )
    return buffer.getvalue().encode("cp1252", errors="replace")


class ConcurrentWriter(threading.Thread):
    """A small write transaction every 100 ms on its own connection; keeps each one's wait."""

    def __init__(self, firm: Firm, client_id: int) -> None:
        super().__init__(daemon=True)
        self.firm, self.client_id = firm, client_id
        self.waits: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.is_set():
                start = time.perf_counter()
                with firm_scope(self.firm), transaction.atomic():
                    Client.objects.for_firm(self.firm).filter(pk=self.client_id).update(
                        updated_at=timezone.now()
                    )
                self.waits.append(time.perf_counter() - start)
                self.done.wait(0.1)
        finally:
            connection.close()


def timed(step: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def cpu_timed(step: Callable[[], object]) -> tuple[object, float, float]:
    """The step's result, wall time and the process's CPU time (every thread, the import's
    writer included; the database's own work is not in it)."""
    cpu = time.process_time()
    result, seconds = timed(step)
    return result, seconds, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark firm")
    parser.add_argument(
        "--writer", action="store_true", help="measure another writer's waits during each step"
    )
    options = parser.parse_args()

    token = uuid.uuid4().hex[:8]
    firm = Firm.objects.create(name=f"Bench import {token}", slug=f"bench-import-{token}")
    users = [
        User.objects.create_user(f"bench-{token}-{n}@example.test", None, full_name=f"Bench {n}")
        for n in range(3)
    ]
    with firm_scope(firm):
        for user in users:
            Membership.objects.create(firm=firm, user=user, role=Role.COLLABORATOR)
    admin = users[0]
    companies = generate_companies(options.rows, seed=2026, now=datetime.now(UTC))
    emails = [user.email for user in users]
    results: list[tuple[str, int, float, float | None, float | None]] = []
    with firm_scope(firm):
        # The client the other writer saves again and again (a SIREN the generator avoids).
        edited = Client.objects.create(firm=firm, company_name="Sauvegardes", siren="732829320")

    def run(label: str, content: bytes, *, dry_run: bool = False) -> ImportPlan:
        table, read_seconds = timed(lambda: read_table(content, "bench.csv"))
        assert isinstance(table, Table)
        mapping = guess_mapping(table.headers)
        writer = ConcurrentWriter(firm, edited.pk) if options.writer else None
        if writer:
            writer.start()
        plan, seconds, cpu = cpu_timed(
            lambda: import_rows(firm=firm, table=table, mapping=mapping, by=admin, dry_run=dry_run)
        )
        if writer:
            writer.done.set()
            writer.join()
        assert isinstance(plan, ImportPlan)
        counts = plan.counts()
        longest = max(writer.waits, default=0.0) if writer else None
        results.append((f"{label} — lecture du fichier", len(table.rows), read_seconds, None, None))
        results.append((f"{label} — {counts}", len(table.rows), seconds, cpu, longest))
        return plan

    try:
        original = build_csv(companies, emails, city_suffix="")
        run("simulation (--dry-run)", original, dry_run=True)
        run("import : créations", original)
        run("même fichier : inchangés", original)
        run("villes modifiées : mises à jour", build_csv(companies, emails, city_suffix=" Cedex"))
    finally:
        if not options.keep:
            with firm_scope(firm):
                firm.delete()
            User.objects.filter(pk__in=[user.pk for user in users]).delete()

    print(f"Base : {connection.vendor} · {options.rows} lignes · {len(HEADER)} colonnes")
    width = max(len(label) for label, *_ in results)
    waits = "  attente max d'un autre écrivain (s)" if options.writer else ""
    print(f"Charge moyenne à la fin : {os.getloadavg()[0]:.2f}")
    header = f"{'Étape'.ljust(width)}  {'lignes':>7}  {'durée (s)':>9}  {'lignes/s':>9}"
    print(f"{header}  {'CPU (s)':>7}{waits}")
    for label, rows, seconds, cpu, longest in results:
        line = f"{label.ljust(width)}  {rows:>7}  {seconds:>9.2f}  {rows / seconds:>9.0f}"
        line += f"  {cpu:>7.2f}" if cpu is not None else f"  {'':>7}"
        print(line + (f"  {longest:>9.2f}" if longest is not None else ""))


if __name__ == "__main__":
    main()
