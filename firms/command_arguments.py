"""The ``--firm SLUG`` of the management commands, read the same way by all of them."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import QuerySet

from firms.models import Firm

BAD_INPUT = 2  # the exit status of a command given a wrong argument


def active_firm(slug: str) -> Firm:
    """The active firm named by ``--firm``; an unknown one stops the command with status 2."""
    firm = Firm.objects.filter(slug=slug, is_active=True).first()
    if firm is None:
        raise CommandError(
            f"Aucun cabinet actif n'a l'identifiant « {slug} ».", returncode=BAD_INPUT
        )
    return firm


def firms_to_process(slug: str | None) -> QuerySet[Firm]:
    """Every firm, or the one named by an optional ``--firm`` (which must exist)."""
    firms = Firm.objects.order_by("pk")
    if slug:
        firms = firms.filter(slug=slug)
        if not firms.exists():
            raise CommandError(f"Aucun cabinet « {slug} ».")
    return firms
