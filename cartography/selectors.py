"""Reading the cartography: the catalogues, one client's cartography, and the plain data the
scoring consumes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cartography.models import (
    PROFILE_CODES,
    ClientPlatform,
    ClientSoftware,
    DigitalProfile,
    Platform,
    PlatformRole,
    ReformReadiness,
    SoftwareProduct,
)
from clients.models import Client
from firms.lookups import among
from firms.models import Firm

READY = {ReformReadiness.YES: True, ReformReadiness.NO: False, ReformReadiness.UNKNOWN: None}


def software_catalogue(firm: Firm, *, include_inactive: bool = False) -> QuerySet[SoftwareProduct]:
    products = SoftwareProduct.objects.for_firm(firm)
    return products if include_inactive else products.filter(is_active=True)


def platform_catalogue(firm: Firm, *, include_inactive: bool = False) -> QuerySet[Platform]:
    platforms = Platform.objects.for_firm(firm)
    return platforms if include_inactive else platforms.filter(is_active=True)


class PlatformOption(NamedTuple):
    pk: int
    name: str
    is_active: bool


def platform_options(firm: Firm) -> list[PlatformOption]:
    """Every platform of the catalogue as a select lists it (the model's order and label)."""
    return [
        PlatformOption(*row)
        for row in platform_catalogue(firm, include_inactive=True).values_list(
            "pk", "name", "is_active"
        )
    ]


def search_entries(entries: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    """Catalogue entries where every word typed is in one of ``fields``."""
    for word in query.split()[:8]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        entries = entries.filter(condition)
    return entries


def search_software(firm: Firm, query: str, *, limit: int = 8) -> list[SoftwareProduct]:
    """Active catalogue entries whose vendor or name contains every word typed."""
    products = software_catalogue(firm)
    for word in query.split()[:5]:
        products = products.filter(Q(vendor__icontains=word) | Q(name__icontains=word))
    return list(products[:limit])


def find_product_by_label(firm: Firm, label: str) -> SoftwareProduct | None:
    """The active catalogue entry whose label is exactly what was typed (the datalist, which
    works without JavaScript). A catalogue is a few hundred rows at most."""
    label = " ".join(label.split()).lower()
    if not label:
        return None
    return next((p for p in software_catalogue(firm) if p.label.lower() == label), None)


def get_software_product(firm: Firm, product_id: int) -> SoftwareProduct:
    return get_object_or_404(SoftwareProduct.objects.for_firm(firm), pk=product_id)


def get_platform(firm: Firm, platform_id: int) -> Platform:
    return get_object_or_404(Platform.objects.for_firm(firm), pk=platform_id)


def get_client_software(firm: Firm, client: Client, software_id: int) -> ClientSoftware:
    return get_object_or_404(
        ClientSoftware.objects.for_firm(firm).select_related("product", "client"),
        client=client,
        pk=software_id,
    )


@dataclass
class Cartography:
    """One client's cartography, as the tab and the API show it."""

    software: list[ClientSoftware]
    platforms: dict[str, ClientPlatform | None]
    profile: DigitalProfile | None
    answers: dict[str, object] = field(default_factory=dict)


def client_cartography(firm: Firm, client: Client) -> Cartography:
    """Three queries, whatever the number of software rows."""
    software = list(
        ClientSoftware.objects.for_firm(firm).filter(client=client).select_related("product")
    )
    platforms = {
        item.role: item
        for item in ClientPlatform.objects.for_firm(firm)
        .filter(client=client)
        .select_related("platform")
    }
    profile = DigitalProfile.objects.for_firm(firm).filter(client=client).first()
    return Cartography(
        software=software,
        platforms={role: platforms.get(role) for role in PlatformRole.values},
        profile=profile,
        answers=profile.answers() if profile else dict.fromkeys(PROFILE_CODES),
    )


def blank_cartography() -> dict:
    """A client's cartography while nothing is recorded (a new client's), in the shape of
    ``cartography_inputs_for_clients``."""
    return {
        "profile": dict.fromkeys(PROFILE_CODES),
        "software": [],
        "reception_platform": None,
        "issuing_platform": None,
    }


def cartography_inputs_for_clients(firm: Firm | int, client_ids: Iterable[int]) -> dict[int, dict]:
    """Each client's cartography as plain data for the scoring (no model instances), in three
    queries, keyed by client id. Every requested id gets an entry (an empty cartography when
    nothing is recorded)::

        {
            "profile": {                      # REGULATION.md §4, every code always present,
                "invoice_tool": str | None,   # None = unanswered
                #   "paper" | "word_excel" | "invoicing_software" | "accounting_software"
                #   | "erp" | "pos"
                "invoices_issued_per_month": int | None,
                "invoices_received_per_month": int | None,
                "paper_share_received": int | None,      # percent 0–100
                "purchase_entry": str | None,  # "client_manual" | "firm" | "automated"
                "bank_feed": bool | None,
                "has_pos": bool | None,
                "digital_maturity": str | None,  # "low" | "medium" | "high"
            },
            "software": [                     # one item per software the client uses
                {
                    "category": str,  # "accounting" | "invoicing" | "erp" | "point_of_sale"
                                      # | "purchasing" | "payroll" | "other"
                    "reform_ready": bool | None,  # the catalogue's judgement; None = unknown
                                                  # (and always None for a free-typed software)
                    "used_for_issuing": bool,
                    "used_for_receiving": bool,
                },
            ],
            "reception_platform": str | None,  # status of the PA for reception, None = none
            "issuing_platform": str | None,    # status of the PA for issuing, None = none
            #   status: "considered" | "chosen" | "contract_signed" | "connected" | "tested"
        }
    """
    ids = list(client_ids)
    # Plain rows, no model instances: the full rescoring reads every client of the firm.
    profiles = {
        row[0]: dict(zip(PROFILE_CODES, row[1:], strict=True))
        for row in DigitalProfile.objects.for_firm(firm)
        .filter(among("client_id", ids))
        .values_list("client_id", *PROFILE_CODES)
    }
    inputs = {}
    for client_id in ids:
        equipment = inputs[client_id] = blank_cartography()
        if profile := profiles.get(client_id):
            equipment["profile"] = profile
    software = (
        ClientSoftware.objects.for_firm(firm)
        .filter(among("client_id", ids))
        .order_by("client_id", "category", "id")
        .values_list(
            "client_id",
            "category",
            "product__reform_ready",
            "used_for_issuing",
            "used_for_receiving",
        )
    )
    for client_id, category, readiness, issuing, receiving in software:
        inputs[client_id]["software"].append(
            {
                "category": category,
                # A software typed in freely (no catalogue entry) is "unknown".
                "reform_ready": READY.get(readiness),
                "used_for_issuing": issuing,
                "used_for_receiving": receiving,
            }
        )
    platforms = ClientPlatform.objects.for_firm(firm).filter(among("client_id", ids))
    for client_id, role, status in platforms.values_list("client_id", "role", "status"):
        inputs[client_id][f"{role}_platform"] = status
    return inputs
