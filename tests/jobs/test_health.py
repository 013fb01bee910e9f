"""/health/: each check's state without a login and without any firm's data; 200 while the
database answers, 503 when it does not; a worker that stops beating shows as failing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from jobs.health import WORKER_STALE_AFTER
from jobs.models import WorkerHeartbeat
from jobs.tasks import heartbeat
from tests.services import free_port

CHECKS = {"database", "broker", "worker", "storage"}


def get_health(client):
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response, response.json()


@pytest.mark.worker
def test_a_consuming_worker_makes_every_check_ok(client, celery_worker):
    WorkerHeartbeat.objects.all().delete()
    heartbeat.delay()
    deadline = time.monotonic() + 20
    while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "ok", body
    assert set(body["checks"]) == CHECKS
    assert all(check["state"] == "ok" for check in body["checks"].values())
    assert 0 <= body["checks"]["worker"]["last_heartbeat_age_s"] < 20


@pytest.mark.django_db
def test_a_silent_worker_fails_its_check_but_not_the_whole_answer(client, firm_a):
    WorkerHeartbeat.objects.create(
        worker="celery@gone", beat_at=timezone.now() - WORKER_STALE_AFTER - timedelta(seconds=5)
    )
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    worker = body["checks"]["worker"]
    assert worker["state"] == "failing"
    assert worker["last_heartbeat_age_s"] > WORKER_STALE_AFTER.total_seconds()
    # Nothing of any firm, and no worker names, in an answer given to anyone.
    text = response.content.decode()
    for secret in (firm_a.firm.name, firm_a.firm.slug, "celery@gone"):
        assert secret not in text


@pytest.mark.django_db
def test_no_heartbeat_yet_is_a_failing_worker(client):
    WorkerHeartbeat.objects.all().delete()
    _, body = get_health(client)
    assert body["checks"]["worker"] == {
        "state": "failing",
        "detail": "no heartbeat yet",
        "duration_ms": body["checks"]["worker"]["duration_ms"],
        "last_heartbeat_age_s": None,
    }


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_fails_fast(client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the test broker is Redis on the PostgreSQL run")
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    response, body = get_health(client)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert body["checks"]["broker"]["state"] == "failing"
    assert body["checks"]["database"]["state"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_gives_503(client):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite is a file: it always answers")
    connection.close()
    settings_dict = connection.settings_dict
    original = (settings_dict["HOST"], settings_dict["PORT"])
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(free_port())
    try:
        response, body = get_health(client)
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original
    assert response.status_code == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"]["state"] == "failing"
    assert body["checks"]["storage"]["state"] == "ok"


def test_only_get_is_answered(client):
    assert client.post("/health/").status_code == 405
