"""Job kinds: a name, a French label and the function that does the work, registered by each
app in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.progress import JobRun

DEFAULT_STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[JobRun], None]
    # Running it again from the start after a crash is harmless (an upsert, a file rebuilt):
    # the sweeper then puts a stalled job back in the queue once instead of failing it.
    idempotent: bool = False
    # A running job whose progress has not moved for this long is taken for dead.
    stalled_after: timedelta = DEFAULT_STALLED_AFTER


_kinds: dict[str, JobKind] = {}


def register_job_kind(
    name: str,
    label: str,
    run: Callable[[JobRun], None],
    *,
    idempotent: bool = False,
    stalled_after: timedelta = DEFAULT_STALLED_AFTER,
) -> None:
    """Declare a kind of job; each app registers its own in its AppConfig.ready().

    ``stalled_after`` must exceed the longest time the job's function goes without reporting
    progress (``JobRun.set_total``, ``advance``, ``save_summary``, ``save_result``)."""
    if name in _kinds:
        raise RuntimeError(f"job kind {name!r} registered twice")
    _kinds[name] = JobKind(
        name=name, label=label, run=run, idempotent=idempotent, stalled_after=stalled_after
    )


def get_job_kind(name: str) -> JobKind:
    return _kinds[name]


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)
