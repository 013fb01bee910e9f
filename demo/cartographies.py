"""Demo cartographies: a credible mix of equipment and digital profiles for seeded clients.

Some clients are well under way (software ready, platform connected), many are half-way, and a
share has not started (paper invoices, nothing chosen), so the urgency levels spread out.
Written in bulk; the caller holds the firm's scope.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from cartography.models import (
    ClientPlatform,
    ClientSoftware,
    DigitalProfile,
    Platform,
    PlatformRole,
    PlatformStatus,
    ReformReadiness,
    SoftwareProduct,
)
from cartography.selectors import platform_catalogue
from cartography.services import install_default_catalogues
from clients.models import Client
from firms.models import Firm
from portfolio.models import PortfolioSnapshot
from portfolio.snapshots import take_portfolio_snapshot, week_of

# How far along a client is, with its weight in the portfolio.
STAGES = (("advanced", 3), ("under_way", 4), ("not_started", 3))
PLATFORM_STATUS_BY_STAGE = {
    "advanced": (PlatformStatus.CONNECTED, PlatformStatus.TESTED, PlatformStatus.CONTRACT_SIGNED),
    "under_way": (PlatformStatus.CHOSEN, PlatformStatus.CONSIDERED, PlatformStatus.CONTRACT_SIGNED),
    "not_started": (None, None, PlatformStatus.CONSIDERED),
}

MATURITY_BY_STAGE = {"advanced": "high", "under_way": "medium", "not_started": "low"}


def _profile(rng: random.Random, firm: Firm, client: Client, stage: str) -> dict[str, object]:
    tools = {
        "advanced": ["invoicing_software", "erp", "accounting_software"],
        "under_way": ["invoicing_software", "word_excel", "accounting_software", "pos"],
        "not_started": ["paper", "word_excel", "word_excel", "pos"],
    }[stage]
    tool = rng.choice(tools)
    return {
        "firm_id": firm.pk,
        "client_id": client.pk,
        "invoice_tool": tool,
        "invoices_issued_per_month": rng.choice([5, 12, 25, 40, 80, 150, 300]),
        "invoices_received_per_month": rng.choice([10, 20, 35, 60, 120]),
        "paper_share_received": rng.choice(
            {"advanced": [0, 5, 10], "under_way": [10, 30, 50], "not_started": [40, 60, 80]}[stage]
        ),
        "purchase_entry": rng.choice(
            ["firm", "automated"] if stage == "advanced" else ["client_manual", "firm"]
        ),
        "bank_feed": stage != "not_started" or rng.random() < 0.3,
        "has_pos": tool == "pos",
        "digital_maturity": MATURITY_BY_STAGE[stage],
    }


def seed_cartographies(*, firm: Firm, clients: Sequence[Client], seed: int, today: date) -> int:
    """Give about nine clients in ten a cartography; returns how many got one."""
    rng = random.Random(seed)
    install_default_catalogues(firm)  # a firm made before it had its catalogues
    products = list(SoftwareProduct.objects.for_firm(firm).filter(is_active=True))
    platforms = list(platform_catalogue(firm)[:25])
    profiles, software, chosen = demo_cartographies(
        rng=rng, firm=firm, clients=clients, products=products, platforms=platforms, today=today
    )
    DigitalProfile.objects.bulk_create([DigitalProfile(**row) for row in profiles], batch_size=1000)
    ClientSoftware.objects.bulk_create([ClientSoftware(**row) for row in software], batch_size=1000)
    ClientPlatform.objects.bulk_create([ClientPlatform(**row) for row in chosen], batch_size=1000)
    return len(profiles)


def demo_cartographies(
    *,
    rng: random.Random,
    firm: Firm,
    clients: Sequence[Client],
    products: Sequence[SoftwareProduct],
    platforms: Sequence[Platform],
    today: date,
) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows of the demo cartographies of ``clients`` (about nine in ten get one): the
    values of their ``DigitalProfile``, ``ClientSoftware`` and ``ClientPlatform`` by attribute
    name, drawn from the firm's active software ``products`` and its first ``platforms``."""
    ready = [p for p in products if p.reform_ready == ReformReadiness.YES]
    not_ready = [p for p in products if p.reform_ready != ReformReadiness.YES] or ready
    profiles, software, chosen = [], [], []
    weights = [weight for _, weight in STAGES]
    for client in clients:
        if rng.random() < 0.1:
            continue  # not mapped yet
        stage = rng.choices([name for name, _ in STAGES], weights)[0]
        profiles.append(_profile(rng, firm, client, stage))
        pool = ready if stage == "advanced" else rng.choice([ready, not_ready])
        for product in rng.sample(pool, k=min(len(pool), rng.randint(1, 2))):
            software.append(
                {
                    "firm_id": firm.pk,
                    "client_id": client.pk,
                    "product_id": product.pk,
                    "category": product.category,
                    "version": rng.choice(["", "2025", "2026", "v9"]),
                    "used_for_issuing": product.category in ("invoicing", "erp", "point_of_sale"),
                    "used_for_receiving": product.category == "accounting",
                }
            )
        if not platforms:
            continue
        for role in (PlatformRole.RECEPTION, PlatformRole.ISSUING):
            status = rng.choice(PLATFORM_STATUS_BY_STAGE[stage])
            if status is None or (role == PlatformRole.ISSUING and rng.random() < 0.3):
                continue
            chosen.append(
                {
                    "firm_id": firm.pk,
                    "client_id": client.pk,
                    "role": role,
                    "platform_id": rng.choice(platforms).pk,
                    "status": status,
                    "status_dates": {status: today.isoformat()},
                }
            )
    return profiles, software, chosen


def seed_snapshot_history(*, firm: Firm, weeks: int, seed: int, today: date) -> int:
    """This week's snapshot, taken for real, and ``weeks`` earlier ones reconstructed backwards
    from it, so the demo's progress chart has a past: the further back, the fewer obligations
    determined and platforms chosen, the more clients urgent. Returns how many were written."""
    rng = random.Random(seed)
    current = take_portfolio_snapshot(firm=firm, today=today)
    past = []
    done = 1.0  # the share of this week's progress already made ``back`` weeks ago
    for back in range(1, weeks + 1):
        done = max(0.15, done - rng.uniform(0.03, 0.05))
        determined = round(current.determined * done)
        reception_pa = round(current.reception_pa * done * done)
        issuing_pa = round(current.issuing_pa * done * done)
        moved = current.low - round(current.low * done)  # since then, become low urgency
        high = current.high + moved // 2
        medium = current.medium + moved - moved // 2
        past.append(
            PortfolioSnapshot(
                firm=firm,
                taken_on=week_of(today) - timedelta(weeks=back),
                clients=current.clients,
                high=high,
                medium=medium,
                low=current.clients - high - medium - current.unscored,
                unscored=current.unscored,
                determined=determined,
                reception_pa=reception_pa,
                issuing_due=current.issuing_due,
                issuing_pa=issuing_pa,
                stale=current.stale,
                average_compliance=(
                    None
                    if current.average_compliance is None
                    else round(current.average_compliance * done)
                ),
            )
        )
    PortfolioSnapshot.objects.bulk_create(past, ignore_conflicts=True)
    return 1 + len(past)
