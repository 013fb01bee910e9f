"""What ``/health/`` reports: whether the database, the broker, a worker and the file storage
answer, without authentication and without any firm's data.

The worker's proof of life is a heartbeat that the periodic ``jobs.heartbeat`` task writes through
the broker: a worker that stops consuming stops beating, and shows as failing once its last beat is
older than :data:`WORKER_STALE_AFTER`.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from jobs.models import WorkerHeartbeat

# The beat runs every HEARTBEAT_INTERVAL; two missed beats and a margin mean a stopped worker.
HEARTBEAT_INTERVAL = 30.0
WORKER_STALE_AFTER = timedelta(seconds=100)
BROKER_TIMEOUT = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    duration_ms: float
    extra: dict

    def as_dict(self) -> dict:
        return {
            "state": "ok" if self.ok else "failing",
            "detail": self.detail,
            "duration_ms": round(self.duration_ms, 1),
            **self.extra,
        }


def run_checks() -> dict[str, Check]:
    checks = {}
    for name, probe in (
        ("database", _database),
        ("broker", _broker),
        ("worker", _worker),
        ("storage", _storage),
    ):
        started = time.perf_counter()
        try:
            ok, detail, extra = probe()
        except Exception as error:  # a health check reports every failure, whatever its kind
            ok, detail, extra = False, type(error).__name__, {}
        checks[name] = Check(name, ok, detail, (time.perf_counter() - started) * 1000, extra)
    return checks


def record_heartbeat(worker: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker=worker[:200], defaults={"beat_at": timezone.now()}
    )


def _database() -> tuple[bool, str, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, "", {}


def _broker() -> tuple[bool, str, dict]:
    from config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager", {}
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    return True, "", {}


def _worker() -> tuple[bool, str, dict]:
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if latest is None:
        return False, "no heartbeat yet", {"last_heartbeat_age_s": None}
    age = (timezone.now() - latest).total_seconds()
    extra = {"last_heartbeat_age_s": round(age, 1)}
    if age > WORKER_STALE_AFTER.total_seconds():
        return False, "heartbeat too old", extra
    return True, "", extra


def _storage() -> tuple[bool, str, dict]:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as stored:
            readable = stored.read() == b"ok"
    finally:
        default_storage.delete(name)
    return readable, "" if readable else "read back differs", {}
