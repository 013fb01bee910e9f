"""Job kinds: a name, a French label and the function that does the work, registered by each
app in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobs.progress import JobRun


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[JobRun], None]


_kinds: dict[str, JobKind] = {}


def register_job_kind(name: str, label: str, run: Callable[[JobRun], None]) -> None:
    """Declare a kind of job; each app registers its own in its AppConfig.ready()."""
    if name in _kinds:
        raise RuntimeError(f"job kind {name!r} registered twice")
    _kinds[name] = JobKind(name=name, label=label, run=run)


def get_job_kind(name: str) -> JobKind:
    return _kinds[name]


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)
