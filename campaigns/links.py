"""The client's personal self-service questionnaire link, and what the client did with it.

The one place that knows the self-service app: a campaign asks here for a link to put in its
e-mail (``{lien_questionnaire}``) and for the funnel of the links it sent (opened, submitted,
reviewed). While that app is not installed, :func:`available` is False: the option stays off
and the funnel shows the sending only.
"""

from __future__ import annotations

from dataclasses import dataclass

from clients.models import Client
from firms.models import User


@dataclass(frozen=True)
class QuestionnaireLink:
    link_id: int
    url: str


@dataclass(frozen=True)
class LinkFunnel:
    opened: int
    submitted: int
    reviewed: int


def available() -> bool:
    """Whether the self-service questionnaire can be linked from campaigns."""
    return False


def issue(*, client: Client, user: User | None) -> QuestionnaireLink:
    """A new personal link for the client (its earlier links stop working)."""
    raise RuntimeError("the self-service questionnaire is not installed")


def funnel(*, firm_id: int, link_ids: list[int]) -> LinkFunnel | None:
    """How many of these links were opened, submitted and reviewed (None: not available)."""
    return None
