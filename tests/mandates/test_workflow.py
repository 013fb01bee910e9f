"""Every transition of a mandate, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from mandates.models import MandateStatus
from mandates.workflow import TRANSITIONS, TransitionRefused, can_move, check_move

S = MandateStatus
ALLOWED = {
    (S.DRAFT, S.TO_SIGN),
    (S.DRAFT, S.CANCELLED),
    (S.TO_SIGN, S.SENT),
    (S.TO_SIGN, S.SIGNED),  # a paper signature recorded on the client sheet
    (S.TO_SIGN, S.CANCELLED),
    (S.SENT, S.SIGNED),
    (S.SENT, S.REFUSED),
    (S.SENT, S.EXPIRED),
    (S.SENT, S.CANCELLED),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_only_the_listed_transitions_exist(current, target):
    assert can_move(current, target) is ((current, target) in ALLOWED)
    if (current, target) in ALLOWED:
        check_move(current, target)
    else:
        with pytest.raises(TransitionRefused, match="ne peut pas passer"):
            check_move(current, target)


def test_nothing_leaves_a_closed_status():
    for status in (S.SIGNED, S.REFUSED, S.EXPIRED, S.CANCELLED):
        assert TRANSITIONS[status] == frozenset()
