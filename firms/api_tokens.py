"""Personal API tokens: ``pfe_<firm id>_<secret>``.

The firm id in clear lets the request enter the firm's scope before the token row (a tenant row,
behind row-level security) is read; only a SHA-256 of the whole token is stored.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from firms.models import ApiToken, Membership
from firms.parameters import parse_positive_int

PREFIX = "pfe"


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def new_raw_token(firm_id: int) -> str:
    return f"{PREFIX}_{firm_id}_{secrets.token_urlsafe(32)}"


def firm_id_of_token(raw_token: str) -> int | None:
    parts = raw_token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    return parse_positive_int(parts[1])


def resolve_api_token(firm_id: int, raw_token: str) -> Membership | None:
    """The active membership of an active firm a token stands for, inside the firm scope
    already entered; None for any other token (the API answers 401)."""
    token = (
        ApiToken.objects.for_firm(firm_id)
        .filter(key_hash=hash_token(raw_token), revoked_at__isnull=True)
        .select_related("membership__user", "membership__firm")
        .first()
    )
    if (
        token is None
        or not token.membership.is_active
        or not token.membership.user.is_active
        or not token.membership.firm.is_active
    ):
        return None
    ApiToken.objects.for_firm(firm_id).filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.membership
