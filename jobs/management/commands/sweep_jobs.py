"""Requeue or fail the running jobs whose worker died (Celery beat runs it every minute).

    python manage.py sweep_jobs

A running job whose progress has not moved for its kind's time (ten minutes unless the kind says
otherwise) is put back in the queue once if its kind is idempotent, failed with a message
otherwise, and cancelled if a cancellation was asked for. A job still waiting two minutes after
its task was handed to the broker (never published while the broker was down, or lost with it)
is handed over again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.services import sweep_stalled_jobs


class Command(BaseCommand):
    help = "Relance ou met en échec les travaux en cours dont le traitement s'est arrêté."

    def handle(self, *args, **options) -> None:
        sweep = sweep_stalled_jobs()
        self.stdout.write(
            f"Travaux interrompus remis en file : {sweep.requeued} · en échec : {sweep.failed} "
            f"· annulés : {sweep.cancelled} · en attente renvoyés : {sweep.redispatched}."
        )
