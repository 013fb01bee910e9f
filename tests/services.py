"""The real services the test suite runs against, started before Django reads its settings.

Loaded with ``-p tests.services`` (see pyproject.toml). Before pytest-django configures Django,
this plugin starts a throwaway PostgreSQL 15 cluster (an owner role that runs the migrations and
an application role that row-level security applies to), a Redis server and an SMTP server, and
points DATABASE_URL, REDIS_URL and EMAIL_HOST at them. The Celery worker and Chromium are started
by fixtures (tests/conftest.py) only when a test asks for them.

A server whose binary is missing is replaced by the embedded default (SQLite, filesystem queue)
and the tests that need it are skipped, with a loud warning. With CI=true nothing may be skipped:
a missing binary stops the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin"]
CHROMIUM = "/usr/bin/chromium"
OWNER_ROLE = "pilote_owner"
APP_ROLE = "pilote_app"
DATABASE = "pilote_test"


def celery_worker_command(
    *, hostname: str, queue: str = "", pool: str = "solo", concurrency: int = 0
) -> list[str]:
    """A real Celery worker process of the test session (solo pool by default, on its broker)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        f"--pool={pool}",
        "--loglevel=INFO",
        "--without-mingle",
        "--without-gossip",
        f"--hostname={hostname}@%h",
    ]
    if concurrency:
        command.append(f"--concurrency={concurrency}")
    return [*command, f"--queues={queue}"] if queue else command


def redis_command(binary: str, port: int) -> list[str]:
    """A throwaway Redis server on a local port that writes nothing to disk."""
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_binary(name: str, extra_dirs: list[str] | None = None) -> str | None:
    for directory in extra_dirs or []:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


@dataclass
class ReceivedMail:
    """What the SMTP server received, for tests to read."""

    messages: list[Message] = field(default_factory=list)

    def clear(self) -> None:
        self.messages.clear()


class _MailHandler:
    def __init__(self, inbox: ReceivedMail) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.inbox.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass
class Services:
    root: Path
    postgres_dir: Path | None = None
    pg_ctl: str | None = None
    redis: subprocess.Popen | None = None
    smtp: object | None = None
    inbox: ReceivedMail = field(default_factory=ReceivedMail)
    missing: list[str] = field(default_factory=list)
    owner_url: str = ""

    @property
    def postgres(self) -> bool:
        return self.postgres_dir is not None

    # PostgreSQL ------------------------------------------------------------------------------
    def start_postgres(self) -> None:
        initdb = find_binary("initdb", PG_BIN_DIRS)
        pg_ctl = find_binary("pg_ctl", PG_BIN_DIRS)
        psql = find_binary("psql", PG_BIN_DIRS)
        if not (initdb and pg_ctl and psql):
            self.missing.append("PostgreSQL (initdb/pg_ctl)")
            return
        data = self.root / "pg"
        data.mkdir()
        as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.root, "postgres")
            shutil.chown(data, "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]

        def run(*args: str) -> None:
            result = subprocess.run(
                [*as_postgres, *args], capture_output=True, text=True, check=False
            )
            if result.returncode:
                raise RuntimeError(f"{args[0]} failed: {result.stderr or result.stdout}")

        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        port = free_port()
        options = (
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        run(pg_ctl, "-D", str(data), "-o", options, "-l", str(data / "server.log"), "-w", "start")
        self.postgres_dir, self.pg_ctl = data, pg_ctl
        self._as_postgres = as_postgres
        psql_base = [
            psql,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        for statement in (
            f"CREATE ROLE {OWNER_ROLE} LOGIN",
            f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS",
            f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}",
        ):
            run(*psql_base, "-c", statement)
        run(
            *psql_base,
            "-d",
            DATABASE,
            "-c",
            f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER_ROLE}",
        )
        base = f"postgres://{{role}}@127.0.0.1:{port}/{DATABASE}"
        os.environ["DATABASE_URL"] = base.format(role=APP_ROLE)
        os.environ["DATABASE_APP_ROLE"] = APP_ROLE
        os.environ["DATABASE_TEST_NAME"] = DATABASE
        self.owner_url = base.format(role=OWNER_ROLE)

    def stop_postgres(self) -> None:
        if self.postgres_dir and self.pg_ctl:
            subprocess.run(
                [
                    *self._as_postgres,
                    self.pg_ctl,
                    "-D",
                    str(self.postgres_dir),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                check=False,
            )

    # Redis -----------------------------------------------------------------------------------
    def start_redis(self) -> None:
        binary = find_binary("redis-server")
        if not binary:
            self.missing.append("Redis (redis-server)")
            return
        port = free_port()
        self.redis = subprocess.Popen(
            redis_command(binary, port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"

    # SMTP ------------------------------------------------------------------------------------
    def start_smtp(self) -> None:
        from aiosmtpd.controller import Controller

        port = free_port()
        # aiosmtpd's controller creates its own loop; a default loop policy is all it needs.
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
        self.smtp = Controller(_MailHandler(self.inbox), hostname="127.0.0.1", port=port)
        self.smtp.start()
        os.environ["EMAIL_HOST"] = "127.0.0.1"
        os.environ["EMAIL_PORT"] = str(port)

    def stop(self) -> None:
        if self.smtp is not None:
            self.smtp.stop()
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        self.stop_postgres()
        shutil.rmtree(self.root, ignore_errors=True)


_services: Services | None = None


def services() -> Services:
    if _services is None:
        raise RuntimeError("the tests.services plugin is not loaded")
    return _services


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """Runs before pytest-django reads the settings, so they see the servers started here."""
    global _services
    if _services is None and not early_config.known_args_namespace.help:
        root = Path(tempfile.mkdtemp(prefix="pilote-tests-"))
        root.chmod(0o755)
        _services = Services(root=root)
        var_dir = root / "var"
        for sub in ("queue/messages", "queue/processed", "media", "mail", "cache"):
            (var_dir / sub).mkdir(parents=True)
        os.environ["PILOTE_VAR_DIR"] = str(var_dir)
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live server
        _services.start_postgres()
        _services.start_redis()
        _services.start_smtp()
        if not Path(CHROMIUM).exists():
            _services.missing.append(f"Chromium ({CHROMIUM})")
        if not _services.postgres:
            sqlite_path = var_dir / "test.sqlite3"
            os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
            os.environ["DATABASE_TEST_NAME"] = str(sqlite_path)
        if _services.missing and in_ci():
            _services.stop()
            raise pytest.UsageError(
                "CI=true and these servers are missing, so their tests would be skipped: "
                + ", ".join(_services.missing)
            )
    return (yield)


def pytest_unconfigure(config):
    if _services is not None:
        _services.stop()


def pytest_collection_modifyitems(config, items):
    if _services is None:
        return
    reasons = {
        "postgres": None if _services.postgres else "PostgreSQL is not installed here",
        "browser": None if Path(CHROMIUM).exists() else f"{CHROMIUM} is not installed here",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=f"SKIPPED FOR A MISSING SERVER: {reason}"))


def pytest_report_header(config):
    if _services is None:
        return None
    lines = [
        "database: "
        + (
            "PostgreSQL 15 (row-level security on, non-owner role)"
            if _services.postgres
            else "SQLite"
        ),
        "broker: " + ("Redis" if os.environ.get("REDIS_URL") else "filesystem queue"),
        "smtp: aiosmtpd on " + os.environ.get("EMAIL_PORT", "?"),
    ]
    if _services.missing:
        lines.append("!!! MISSING, tests needing them are SKIPPED: " + ", ".join(_services.missing))
    return lines


def pytest_terminal_summary(terminalreporter):
    if _services is not None and _services.missing:
        terminalreporter.write_sep(
            "!", "SKIPPED for missing servers: " + ", ".join(_services.missing), red=True, bold=True
        )
