from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    """Nothing written by these tests is handed to a Celery worker: they run jobs and keep
    e-mails themselves. A worker started by another test of the session would otherwise take
    the job or the e-mail once the transaction commits, racing the test (a firm export seen
    still running). Both jobs and e-mails are published through jobs.broker.publish; a task not
    published leaves its row pending, as with the broker down."""
    monkeypatch.setattr("jobs.broker.publish", lambda calls, **kwargs: 0)
    monkeypatch.setattr("outbox.services.dispatch_on_commit", lambda delivery: None)
