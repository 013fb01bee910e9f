"""Demo mandates: some clients of the portfolio have one, in every status of the workflow."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from clients.models import Client
from firms.models import Firm, User
from mandates import services
from mandates.models import Mandate, MandateStatus

# (final status, weight) of the demo mandates.
SPREAD = (
    (MandateStatus.TO_SIGN, 35),
    (MandateStatus.SENT, 20),
    (MandateStatus.SIGNED, 30),
    (MandateStatus.REFUSED, 5),
    (MandateStatus.EXPIRED, 5),
    (MandateStatus.CANCELLED, 3),
    (MandateStatus.DRAFT, 2),
)
SHARE = 0.25  # of the clients with a signer
MOST = 80  # PDFs take a moment each: a large demo portfolio gets no more


def seed_mandates(
    *, firm: Firm, clients: Sequence[Client], seed: int, by: User | None = None
) -> int:
    """Give about a quarter of the clients that have a signer a mandate, spread over the
    statuses; returns how many. Call inside the firm's scope."""
    rng = random.Random(seed)
    candidates = [client for client in clients if client.signer_last_name]
    chosen = rng.sample(candidates, min(MOST, round(len(candidates) * SHARE)))
    created, _ = services.create_mandates(
        firm=firm, client_ids=[client.pk for client in chosen], by=by
    )
    statuses = [status for status, weight in SPREAD for _ in range(weight)]
    # The first ones go through every status, so that the demo shows each of them.
    targets = [status for status, _weight in SPREAD]
    for index, mandate in enumerate(created):
        target = targets[index] if index < len(targets) else rng.choice(statuses)
        if target == MandateStatus.DRAFT:
            continue
        services.render_mandate(firm=firm, mandate=mandate, by=by)
        if target == MandateStatus.CANCELLED:
            services.cancel_mandate(firm=firm, mandate=mandate, by=by)
            continue
        if target == MandateStatus.SIGNED:
            with mandate.document.open("rb") as document:
                signed_copy = document.read()
            days_ago = rng.randint(1, 40)
            services.record_signature(
                firm=firm,
                mandate=mandate,
                content=signed_copy,
                signed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
                by=by,
            )
            continue
        if target == MandateStatus.TO_SIGN:
            continue
        services.mark_sent(firm=firm, mandates=[mandate], by=by)
        if target == MandateStatus.REFUSED:
            services.record_refusal(
                firm=firm, mandate=mandate, reason="Le gérant souhaite en parler au cabinet.", by=by
            )
        elif target == MandateStatus.EXPIRED:
            Mandate.objects.for_firm(firm).filter(pk=mandate.pk).update(
                status_changed_at=timezone.now() - datetime.timedelta(days=30)
            )
            services.expire_mandates(firm=firm)
    return len(created)
