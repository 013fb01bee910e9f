"""What the client sheet and the API read: a client's link and the answers waiting for review."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients.models import Client
from firms.models import Firm
from self_service import fields
from self_service.models import ClientLink, FieldDecision, Proposal, ProposedField


def current_link(firm: Firm | int, client: Client) -> ClientLink | None:
    """The client's link still valid, if any."""
    return (
        ClientLink.objects.for_firm(firm)
        .filter(client=client, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at", "-id")
        .first()
    )


def waiting_fields(firm: Firm | int) -> QuerySet[ProposedField]:
    """Proposed fields sent by clients and still to decide."""
    return ProposedField.objects.for_firm(firm).filter(
        decision=FieldDecision.PENDING, proposal__submitted_at__isnull=False
    )


def waiting_answers() -> Exists:
    """True for a client (the outer row) with answers sent and not wholly reviewed."""
    return Exists(
        Proposal.objects.filter(  # scoping: the outer client's firm
            firm_id=OuterRef("firm_id"),
            client_id=OuterRef("pk"),
            submitted_at__isnull=False,
            reviewed_at__isnull=True,
        )
    )


def with_waiting_answers(clients: QuerySet[Client], value: str) -> QuerySet[Client]:
    """The list filter "Réponses client à valider"."""
    return clients.filter(waiting_answers()) if value == "waiting" else clients


def review_rows(firm: Firm | int, client: Client) -> list[dict]:
    """The fields of the client's sent proposals not yet wholly reviewed: current value against
    proposed, with the decision taken so far."""
    rows_ = list(
        ProposedField.objects.for_firm(firm)
        .filter(
            proposal__client=client,
            proposal__submitted_at__isnull=False,
            proposal__reviewed_at__isnull=True,
        )
        .select_related("proposal", "reviewed_by")
        .order_by("proposal__submitted_at", "id")
    )
    if not rows_:
        return []
    current = fields.Current.of(firm, client)
    catalogues = fields.Catalogues.of(firm)
    return [review_row(row, current, catalogues) for row in rows_]


def review_row(row: ProposedField, current: fields.Current, catalogues: fields.Catalogues) -> dict:
    code = row.code
    known = code in fields.FIELD_CODES
    return {
        "field": row,
        "code": code,
        "slug": f"{row.pk}-{code.replace(':', '-')}",
        "label": fields.review_label(code) if known else code,
        "kind": fields.widget_kind(code) if known else "",
        "question": fields.question_of(code) if known and fields.is_question(code) else None,
        "current": current.shown_value(code, catalogues) if known else "",
        "proposed": fields.shown(code, row.value, catalogues) if known else "",
        "applied": fields.shown(code, row.applied_value, catalogues) if known else "",
        "values": fields.form_values(code, row.value) if known else {},
        "pending": row.decision == FieldDecision.PENDING,
    }


def get_field_for_client(firm: Firm | int, client: Client, field_id: int) -> ProposedField:
    return get_object_or_404(
        ProposedField.objects.for_firm(firm).filter(proposal__client=client), pk=field_id
    )
