"""Benchmark of sending: N issued invoices sent as one batch by e-mail, through the outbox, by two
Celery worker processes on Redis, to a local SMTP server (aiosmtpd) that counts what it receives.

    .venv/bin/python -m bench.invoice_sending --invoices 1000 [--workers 2] [--out FILE.json]

One invoice is issued for real (its Factur-X PDF/A-3b); the others are copies of its row under
their own numbers and clients, pointing to the same stored PDF, since issuing is measured by
``bench/invoices.py``. The clock runs from the batch's start (``invoicing.batches.start_batch``,
as the sending page calls it) until the SMTP server has received every message. Prints a table;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from bench.__main__ import ROOT, migrate, prepare_environment

TARGET_SECONDS = 60
DEADLINE_SECONDS = 900


class Counter:
    """An aiosmtpd handler that counts the messages it accepts."""

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.received += 1
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.invoice_sending")
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(argv)
    options.database = "postgres"
    with tempfile.TemporaryDirectory(prefix="pilote-bench-sending-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster
        services = prepare_environment(options, Path(folder))
        services.start_redis()
        if not services.redis:
            raise SystemExit(f"Redis is not available: {', '.join(services.missing)}")
        try:
            result = run(options)
        finally:
            services.stop()
    print(f"{'invoices':>9} {'workers':>8} {'seconds':>8} {'per second':>11} {'target':>7}")
    print(
        f"{result['invoices']:>9} {result['workers']:>8} {result['seconds']:>8} "
        f"{result['per_second']:>11} {TARGET_SECONDS:>7}  "
        f"{'met' if result['target_met'] else 'MISSED'}"
    )
    if options.out:
        options.out.write_text(json.dumps(result, indent=2))


def run(options: argparse.Namespace) -> dict:
    from aiosmtpd.controller import Controller

    from tests.services import celery_worker_command, free_port

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    counter = Counter()
    smtp_port = free_port()
    smtp = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    os.environ["EMAIL_HOST"], os.environ["EMAIL_PORT"] = "127.0.0.1", str(smtp_port)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    migrate(options.database)
    invoice_ids, firm = _issued_invoices(options.invoices)
    workers = [
        subprocess.Popen(
            celery_worker_command(hostname=f"bench{index}"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            cwd=ROOT,
        )
        for index in range(options.workers)
    ]
    try:
        time.sleep(5)  # the workers connect to the broker
        from invoicing import batches

        started = time.perf_counter()
        batches.start_batch(firm=firm, by=None, invoice_ids=invoice_ids)
        deadline = started + DEADLINE_SECONDS
        while counter.received < len(invoice_ids) and time.perf_counter() < deadline:
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        smtp.stop()
    return {
        "invoices": len(invoice_ids),
        "received": counter.received,
        "workers": options.workers,
        "seconds": round(seconds, 1),
        "per_second": round(counter.received / seconds, 1) if seconds else 0.0,
        "target_seconds": TARGET_SECONDS,
        "target_met": counter.received == len(invoice_ids) and seconds <= TARGET_SECONDS,
    }


def _issued_invoices(count: int):
    from django.utils import timezone

    from clients.models import Client
    from demo.companies import iter_companies
    from demo.invoices import complete_profile
    from firms.services import create_firm
    from firms.tenancy import firm_scope
    from invoicing import issuing, services
    from invoicing.models import Invoice

    firm = complete_profile(create_firm(name="Bench Envois"))
    line = services.DraftLine(
        "Tenue de la comptabilité", Decimal("1"), Decimal("450"), Decimal("20")
    )
    with firm_scope(firm):
        clients = Client.objects.bulk_create(
            Client(
                firm=firm,
                company_name=company.company_name,
                siren=company.siren,
                vat_number=company.vat_number,
                address=company.address,
                postal_code=company.postal_code,
                city=company.city,
                billing_emails=[f"compta{index}@client.bench.test"],
                invoice_delivery=Client.Delivery.EMAIL,
            )
            for index, company in enumerate(iter_companies(count, seed=17, now=timezone.now()))
        )
        draft = services.create_draft(firm=firm, client=clients[0], lines=[line], by=None)
        first = issuing.issue_invoice(firm=firm, invoice=draft, by=None)
        copies = [
            Invoice(
                **{
                    field.attname: getattr(first, field.attname)
                    for field in Invoice._meta.concrete_fields
                    if field.name not in ("id", "client", "number")
                },
                client=client,
                number=f"FA-BENCH-{index:06d}",
            )
            for index, client in enumerate(clients[1:], start=2)
        ]
        Invoice.objects.bulk_create(copies, batch_size=500)
        ids = list(Invoice.objects.for_firm(firm).values_list("pk", flat=True))
    return ids, firm


if __name__ == "__main__":
    main()
