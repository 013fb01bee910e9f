"""Servers the fault tests start, stop and kill themselves: a Redis of their own (on its own
port, so stopping it disturbs no other test), a prefork Celery worker on it, and a context
manager that points this process's Celery app at that Redis for a while."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from config.celery import app
from jobs import broker
from tests.services import celery_worker_command, find_binary, free_port, redis_command


def wait_until(condition, timeout: float, step: float = 0.05, what: str = "condition") -> float:
    """Wait for ``condition()`` to be true; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(step)
    return time.monotonic() - started


class RedisServer:
    """A throwaway redis-server without persistence, like production's queue after a restart
    that lost it: stopping it loses every queued and unacknowledged message."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.binary = find_binary("redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            redis_command(self.binary, self.port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what="redis-server")

    def stop(self) -> None:
        """Stop it (SIGTERM: no snapshot is written, the queue is gone)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not self._answers(), timeout=10, what="redis-server to stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def queue_length(self, queue: str = "celery") -> int:
        """Messages waiting in a Celery queue (0 when the server is down)."""
        import redis

        try:
            return int(redis.Redis.from_url(self.url, socket_timeout=1).llen(queue))
        except redis.RedisError:
            return 0

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextlib.contextmanager
def celery_broker(url: str):
    """Publish this process's tasks to ``url`` for the duration, then back to the suite's
    broker. The process's memory of a broker that was down is reset both ways."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    _reset_pool()
    broker.reset_broker_state()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_pool()
        broker.reset_broker_state()


def _reset_pool() -> None:
    # Connections pooled for the previous broker (health checks, Celery's own producer pool).
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None


class PreforkWorker:
    """A real Celery worker with the prefork pool (children to kill), on a given broker, writing
    its log to a file."""

    def __init__(self, *, broker_url: str, log_path: Path, env: dict[str, str], name: str) -> None:
        self.broker_url = broker_url
        self.log_path = log_path
        self.env = env
        self.name = name
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.killed = False  # by the suite, on purpose

    @property
    def exited_by_itself(self) -> bool:
        return not self.killed and self.process is not None and self.process.poll() is not None

    def start(self, concurrency: int = 2, *, wait: bool = True) -> None:
        log = self.log_path.open("a")
        log.write(f"\n===== {self.name} starting =====\n")
        log.flush()
        self._log_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [
                *celery_worker_command(hostname=self.name, pool="prefork", concurrency=concurrency),
                "--without-heartbeat",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                **self.env,
                "REDIS_URL": self.broker_url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
            },
            start_new_session=True,  # its own process group: killed with its children
        )
        log.close()
        self.started_at = time.monotonic()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> float:
        """Wait until the worker consumes; returns the seconds since it was started."""
        wait_until(self._ready, timeout=90, step=0.1, what=f"worker {self.name}")
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"worker {self.name} exited:\n{self.log_tail()}")
        return time.monotonic() - self.started_at

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            return True
        with self.log_path.open() as log:
            log.seek(self._log_offset)
            return " ready." in log.read()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        """The pool's child processes (ps --ppid)."""
        result = subprocess.run(
            ["ps", "--ppid", str(self.pid), "-o", "pid="],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(line) for line in result.stdout.split()]

    def kill_child(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def kill_all(self) -> list[int]:
        """SIGKILL the main process and its children at once (the whole process group)."""
        assert self.process is not None
        victims = [self.pid, *self.children()]
        self.killed = True
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        for pid in victims[1:]:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                wait_until(lambda pid=pid: not _alive(pid), timeout=10, what=f"child {pid}")
        return victims

    def stop(self) -> None:
        self.killed = True
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by a dead parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
