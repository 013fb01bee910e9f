"""Fill a seeded firm's cartography the way a year of work would: platforms for reception and
issuing at every stage and software from the catalogue for the clients seed_demo left without
any, then scores and a history of weekly snapshots. Used by the benchmark and by the dashboard's
browser test, so the screenshots show a portfolio in progress.

Bulk inserts only (COPY on PostgreSQL, clients.copy_writes): a fixed number of queries.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from cartography.models import (
    ClientPlatform,
    ClientSoftware,
    Platform,
    PlatformStatus,
    SoftwareProduct,
)
from cartography.services import install_default_catalogues
from clients.copy_writes import insert_objects
from clients.models import Client
from demo.cartographies import seed_snapshot_history
from firms.tenancy import firm_scope
from scoring.services import rescore_portfolio

BATCH = 2000
# How far along clients are, from "nothing recorded" to "tested".
RECEPTION_STAGES = [None, None, *PlatformStatus.values, PlatformStatus.CHOSEN]
ISSUING_STAGES = [None, None, None, *PlatformStatus.values]


def equip_portfolio(*, firm_id: int, seed: int = 2026) -> int:
    """Give the firm's clients without any platform or software a random cartography.
    Returns how many clients were equipped. Does not score: call rescore_portfolio after."""
    install_default_catalogues(firm_id)
    rng = random.Random(seed)
    with firm_scope(firm_id), transaction.atomic():
        platforms = list(Platform.objects.for_firm(firm_id).values_list("pk", flat=True)[:25])
        products = list(SoftwareProduct.objects.for_firm(firm_id).values_list("pk", "category"))
        equipped = set(
            ClientPlatform.objects.for_firm(firm_id).values_list("client_id", flat=True)
        ) | set(ClientSoftware.objects.for_firm(firm_id).values_list("client_id", flat=True))
        ids = [
            pk
            for pk in Client.objects.for_firm(firm_id).order_by("pk").values_list("pk", flat=True)
            if pk not in equipped
        ]
        today = timezone.localdate().isoformat()
        platform_rows: list[ClientPlatform] = []
        software_rows: list[ClientSoftware] = []
        for client_id in ids:
            for role, stages in (("reception", RECEPTION_STAGES), ("issuing", ISSUING_STAGES)):
                status = rng.choice(stages)
                if status and platforms:
                    platform_rows.append(
                        ClientPlatform(
                            firm_id=firm_id,
                            client_id=client_id,
                            role=role,
                            platform_id=rng.choice(platforms),
                            status=status,
                            status_dates={status: today},
                        )
                    )
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                product_id, category = rng.choice(products)
                software_rows.append(
                    ClientSoftware(
                        firm_id=firm_id,
                        client_id=client_id,
                        product_id=product_id,
                        category=category,
                        used_for_issuing=rng.random() < 0.5,
                        used_for_receiving=rng.random() < 0.5,
                    )
                )
        insert_objects(platform_rows, batch_size=BATCH)
        insert_objects(software_rows, batch_size=BATCH)
    return len(ids)


def fill_portfolio(*, firm_id: int, seed: int = 2026, weeks_of_history: int = 0) -> None:
    """Equip, score, take this week's snapshot and (for the demo) reconstruct the weekly
    snapshots of the past weeks, as seed_demo does."""
    from firms.models import Firm

    equip_portfolio(firm_id=firm_id, seed=seed)
    rescore_portfolio(firm_id=firm_id)
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm_id):
        seed_snapshot_history(
            firm=firm, weeks=weeks_of_history, seed=seed, today=timezone.localdate()
        )
