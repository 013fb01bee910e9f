"""Where a mandate may go from where it stands: the only transitions there are.

draft → to sign → sent for signature → signed / refused / expired; to sign → signed when a paper
signature is recorded; cancelled from any open state. Nothing leaves signed, refused, expired or
cancelled: a new mandate is generated instead.
"""

from __future__ import annotations

from mandates.models import MandateStatus

S = MandateStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.TO_SIGN, S.CANCELLED}),
    S.TO_SIGN: frozenset({S.SENT, S.SIGNED, S.CANCELLED}),
    S.SENT: frozenset({S.SIGNED, S.REFUSED, S.EXPIRED, S.CANCELLED}),
    S.SIGNED: frozenset(),
    S.REFUSED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}


class TransitionRefused(Exception):
    """A step the mandate's status does not allow; the message is for the user, in French."""


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        raise TransitionRefused(
            f"Un mandat « {S(current).label} » ne peut pas passer à « {S(target).label} »."
        )
