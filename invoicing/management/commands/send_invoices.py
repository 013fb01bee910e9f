"""Send a firm's issued invoices not yet sent: by e-mail, on paper or through its platform.

    python manage.py send_invoices --firm SLUG (--all-issued | NUMBER…) [--wait] [--output FILE]

Each invoice takes its route (``invoicing.routing``); the batch is written in one transaction
(deliveries and outbox rows), then its files are built (``papier.pdf``, ``plateforme.zip``,
``e-reporting.csv``) as the result of a job of the jobs page. With ``--wait`` everything runs
in this process, the e-mails included (``outbox.services.deliver_pending``, no worker needed),
and the command prints ``{"sent": n, "paper": n, "platform": n, "failed": n, "unknown": n}``;
without it the batch is handed to the worker and the command prints the batch and job ids.
An invoice already sent is never sent again. Exit status 2 on bad input (unknown firm, unknown
number, a draft).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from invoicing import batches, sending
from invoicing.models import InvoiceDelivery
from jobs.models import Job
from jobs.services import execute_job
from outbox.services import deliver_pending


class Command(BaseCommand):
    help = "Envoie les factures émises d'un cabinet qui ne l'ont pas encore été."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="identifiant d'adresse du cabinet")
        parser.add_argument("numbers", nargs="*", help="numéros des factures à envoyer")
        parser.add_argument(
            "--all-issued", action="store_true", help="toutes les factures émises non envoyées"
        )
        parser.add_argument(
            "--wait", action="store_true", help="envoyer ici et attendre la fin (sans worker)"
        )
        parser.add_argument("--output", help="enregistrer aussi les fichiers du lot (ZIP) ici")

    def handle(self, *args, **options) -> None:
        firm = active_firm(options["firm"])
        numbers = options["numbers"]
        if bool(numbers) == bool(options["all_issued"]):
            raise CommandError(
                "Donnez des numéros de facture, ou --all-issued (pas les deux).",
                returncode=BAD_INPUT,
            )
        with firm_scope(firm):
            try:
                if options["all_issued"]:
                    ids = sending.unsent_issued_ids(firm)
                else:
                    ids = [invoice.pk for invoice in sending.issued_invoices(firm, numbers=numbers)]
            except sending.BatchRefused as error:
                raise CommandError(str(error), returncode=BAD_INPUT) from error
        empty = dict.fromkeys(("sent", "paper", "platform", "failed", "unknown"), 0)
        if not ids:
            self.stdout.write(json.dumps(empty))
            return
        if not options["wait"]:
            batch = batches.start_batch(firm=firm, by=None, invoice_ids=ids)
            self.stdout.write(json.dumps({"batch": batch.pk, "job": batch.job_id}))
            return
        batch = sending.create_batch(firm=firm, by=None, invoice_ids=ids)
        with firm_scope(firm):
            # A job of its own, run here: never handed to the worker.
            job = Job.objects.create(
                firm=firm, kind=batches.SEND_JOB_KIND, params={"batch": batch.pk}
            )
            batch.job = job
            batch.save(update_fields=["job"])
        execute_job(firm_id=firm.pk, job_id=job.pk)
        with firm_scope(firm):
            job.refresh_from_db()
            if job.status != Job.Status.SUCCEEDED:
                raise CommandError(job.error or "L'envoi a échoué.")
            deliveries = list(InvoiceDelivery.objects.for_firm(firm).filter(batch=batch))
        message_ids = [delivery.message_id for delivery in deliveries if delivery.message_id]
        if message_ids:
            deliver_pending(firm=firm, ids=message_ids)
        if options["output"] and job.result_file:
            with firm_scope(firm), job.result_file.open("rb") as stored:
                Path(options["output"]).write_bytes(stored.read())
        self.stdout.write(json.dumps(sending.outcome_counts(firm, deliveries)))
