"""What the scoring engine reads about one client, as plain data built by the caller."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from scoring.engine.criteria import PLATFORM_STATUSES, SOFTWARE_CATEGORIES


@dataclass(frozen=True, slots=True)
class SoftwareItem:
    """One software of the client's cartography (SPEC.md §3.4)."""

    category: str  # one of SOFTWARE_CATEGORIES
    reform_ready: bool | None  # None: readiness unknown
    used_for_issuing: bool = False
    used_for_receiving: bool = False
    name: str = ""  # shown in the breakdown when given ("Sage 50, EBP Facturation")

    def __post_init__(self) -> None:
        if self.category not in SOFTWARE_CATEGORIES:
            raise ValueError(f"Unknown software category {self.category!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringInput:
    """Everything ``score_client`` looks at for one client.

    - ``profile``: digital profile answers by code (REGULATION.md §4); missing or None is
      unanswered; other codes are ignored.
    - ``reception_platform`` / ``issuing_platform``: None (no PA recorded) or a status of
      PLATFORM_STATUSES.
    - ``obligations``: the dict returned by ``derive_obligations`` (REGULATION.md §3), or None
      when the questionnaire was never answered.
    - ``mandate_signed``: None while the firm does not track mandates for this client.
    - ``today``: the reference date; the engine never reads the clock.
    """

    today: date
    profile: Mapping[str, object] = field(default_factory=dict)
    software: Sequence[SoftwareItem] = ()
    reception_platform: str | None = None
    issuing_platform: str | None = None
    obligations: Mapping[str, object] | None = None
    mandate_signed: bool | None = None

    def __post_init__(self) -> None:
        for name, status in (
            ("reception_platform", self.reception_platform),
            ("issuing_platform", self.issuing_platform),
        ):
            if status is not None and status not in PLATFORM_STATUSES:
                raise ValueError(f"Unknown {name} status {status!r}")
