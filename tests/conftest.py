"""Shared fixtures: two firms and three roles, the database set-up, the worker, the browser."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from cartography.services import install_default_catalogues
from firms.models import Firm, Membership, Role
from tests import factories
from tests.auth import VerifiedClient
from tests.services import APP_ROLE, CHROMIUM, OWNER_ROLE, celery_worker_command, services

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Users are created by the thousand in tests: hash their passwords with MD5, not PBKDF2
    (production keeps Django's default hasher)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Migrate the throwaway database as the owner role; tests then connect as the application
    role, which row-level security applies to (on SQLite, simply migrate)."""
    with django_db_blocker.unblock():
        db = connections["default"]
        app_user = db.settings_dict["USER"]
        if db.vendor == "postgresql":
            db.close()
            db.settings_dict["USER"] = OWNER_ROLE
        call_command("migrate", interactive=False, verbosity=0)
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                # Transactional tests empty the tables between tests with TRUNCATE.
                cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
            db.close()
            db.settings_dict["USER"] = app_user
    yield


@dataclass
class FirmCast:
    firm: Firm
    admin: Membership
    supervisor: Membership
    collaborator: Membership
    other_collaborator: Membership


def _cast(name: str) -> FirmCast:
    firm = factories.make_firm(name)
    return FirmCast(
        firm=firm,
        admin=factories.make_member(firm, Role.ADMIN),
        supervisor=factories.make_member(firm, Role.SUPERVISOR),
        collaborator=factories.make_member(firm, Role.COLLABORATOR),
        other_collaborator=factories.make_member(firm, Role.COLLABORATOR),
    )


@pytest.fixture
def no_worker(monkeypatch):
    """Nothing written by the test is handed to a Celery worker: it runs its jobs and keeps its
    e-mails itself. A worker started by another test of the session would otherwise take the job
    or the e-mail once a transactional test commits, racing the test (an export seen still
    running). Jobs and e-mails are published through jobs.broker.publish; a task not published
    leaves its row pending, as with the broker down."""
    monkeypatch.setattr("jobs.broker.publish", lambda calls, **kwargs: 0)
    monkeypatch.setattr("outbox.services.dispatch_on_commit", lambda delivery: None)


@pytest.fixture
def firm_a(db) -> FirmCast:
    return _cast("Cabinet Alpha")


@pytest.fixture
def firm_b(db) -> FirmCast:
    return _cast("Cabinet Bêta")


@pytest.fixture
def default_catalogues(firm_a):
    """Firm A's default catalogues, as firms.services.create_firm installs them (the firms of
    the fixtures are bare rows, so that tests start with empty catalogues)."""
    install_default_catalogues(firm_a.firm)


@pytest.fixture
def client():
    """Django's test client, whose ``force_login`` also completes the second factor on the code
    page for users who need one (tests.auth)."""
    return VerifiedClient()


@pytest.fixture
def as_member(client):
    """Log the Django test client in as a membership's user."""

    def login(membership: Membership):
        client.force_login(membership.user)
        return client

    return login


@pytest.fixture
def smtp_inbox(settings):
    """The real SMTP server of the test session; e-mails go through it instead of memory."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = os.environ["EMAIL_HOST"]
    settings.EMAIL_PORT = int(os.environ["EMAIL_PORT"])
    inbox = services().inbox
    inbox.clear()
    yield inbox
    inbox.clear()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup):
    """A real Celery worker in its own process, on the session's broker and database."""
    log_path = Path(os.environ["PILOTE_VAR_DIR"]) / "worker.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        celery_worker_command(hostname="tests"),
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if " ready." in log_path.read_text():
            break
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited:\n" + log_path.read_text())
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the Celery worker did not start:\n" + log_path.read_text())
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Tests that use the worker need committed data: they run without a wrapping transaction."""
    return celery_worker_process


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def rls_raw_count(table: str) -> int:
    """Rows of a table that a raw query sees with the current database settings."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return cursor.fetchone()[0]
