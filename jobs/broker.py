"""Handing tasks to the broker without ever holding up the caller.

A web request that starts a job or writes an e-mail publishes its task when its transaction
commits. With Celery's defaults, a broker that refuses connections makes ``delay()`` raise after
its retries (a 500 once the rows are committed), and one that accepts connections without
answering holds the request for minutes. Here publishing waits ``BROKER_PUBLISH_TIMEOUT`` at
most, on its own connection, without retrying; a failure is logged and swallowed, and this
process does not try the broker again for ``BROKER_RETRY_AFTER`` seconds (30 by default).
The database is the outbox of pending enqueues: a row whose task was not published stays
queued (a pending job, a queued e-mail) and its sweeper hands it over again later; the claims
are conditional UPDATEs, so a task published twice does the work once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_broker_down_until = 0.0


@dataclass(frozen=True)
class TaskCall:
    """One task to publish: a Celery task, its arguments, and an optional countdown."""

    task: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    countdown: float | None = None


def publish(calls: Sequence[TaskCall], *, what: str = "task(s)") -> int:
    """Publish the tasks now, on one connection; returns how many were. Never raises: what was
    not published waits for its sweeper. ``what`` names the tasks in the log."""
    global _broker_down_until
    if not calls:
        return 0
    if time.monotonic() < _broker_down_until:
        logger.warning(
            "broker unreachable a moment ago: %d %s stay pending for the sweeper", len(calls), what
        )
        return 0
    app = calls[0].task.app
    published = 0
    try:
        if app.conf.task_always_eager:
            for call in calls:
                _apply(call)
                published += 1
            return published
        timeout = settings.BROKER_PUBLISH_TIMEOUT
        options = {
            **(app.conf.broker_transport_options or {}),
            "max_retries": 0,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        with app.connection_for_write(connect_timeout=timeout, transport_options=options) as conn:
            for call in calls:
                _apply(call, connection=conn, retry=False)
                published += 1
    except Exception as error:
        _broker_down_until = time.monotonic() + settings.BROKER_RETRY_AFTER
        logger.warning(
            "broker unreachable (%s): %d %s stay pending for the sweeper",
            error,
            len(calls) - published,
            what,
        )
    return published


def _apply(call: TaskCall, **options) -> None:
    call.task.apply_async(
        args=call.args, kwargs=call.kwargs, countdown=call.countdown or None, **options
    )


def reset_broker_state() -> None:
    """Forget a past failure of the broker (tests, and a process that saw it come back)."""
    global _broker_down_until
    _broker_down_until = 0.0
