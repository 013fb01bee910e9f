"""The list filters that several APIs share, with their French 400 for a value that cannot be
one (a filter silently ignored would answer the whole list)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from firms.parameters import parse_positive_int

BAD_CLIENT = "Identifiant de client invalide : un nombre entier positif."


def filter_by_client_and_status(
    rows: QuerySet, params: Mapping[str, str], statuses: Iterable[str]
) -> QuerySet:
    """``?client=<id>`` and ``?status=<one of statuses>``; an empty value is no filter."""
    if params.get("client"):
        client_id = parse_positive_int(params["client"])
        if client_id is None:
            raise ValidationError({"client": [BAD_CLIENT]})
        rows = rows.filter(client_id=client_id)
    if params.get("status"):
        statuses = list(statuses)
        if params["status"] not in statuses:
            known = ", ".join(f"« {value} »" for value in statuses)
            raise ValidationError({"status": [f"Statut inconnu : {known}."]})
        rows = rows.filter(status=params["status"])
    return rows
