"""The firm's catalogues: the defaults installed, the DGFiP list of platforms refreshed, and
their administration (administrators only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cartography import default_catalogue
from cartography.models import (
    ClientPlatform,
    ClientSoftware,
    Platform,
    ReformReadiness,
    SoftwareCategory,
    SoftwareProduct,
)
from cartography.services.equipment import EQUIPMENT
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, Membership
from firms.tenancy import firm_scope
from scoring.services import score_clients

# --- Default catalogues -------------------------------------------------------------------------


def install_default_catalogues(firm: Firm | int) -> tuple[int, int]:
    """Give a firm the default software catalogue and the DGFiP platforms it lacks (idempotent).

    Called by the data migration for existing firms, by ``manage.py install_catalogues`` and,
    lazily, by :func:`cartography.selectors.ensure_catalogues` when a firm's catalogue is empty.
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    with firm_scope(firm_id), transaction.atomic():
        return default_catalogue.install(
            firm_id, software_model=SoftwareProduct, platform_model=Platform
        )


def refresh_platforms(*, firm: Firm, platforms: Iterable[default_catalogue.ListedPlatform]) -> dict:
    """Align the firm's platforms on a new DGFiP list: add the new ones, update status and date,
    deactivate the listed ones that left the list. Never deletes: clients keep their choice."""
    listed = {platform.name: platform for platform in platforms}
    counts = {"created": 0, "updated": 0, "deactivated": 0, "reactivated": 0}
    with firm_scope(firm), transaction.atomic():
        current = {p.name: p for p in Platform.objects.for_firm(firm).select_for_update()}
        for name, entry in listed.items():
            platform = current.get(name)
            if platform is None:
                Platform.objects.create(
                    firm=firm,
                    name=name,
                    registration_status=entry.registration_status,
                    registered_on=entry.registered_on,
                    from_official_list=True,
                )
                counts["created"] += 1
                continue
            changed = (
                platform.registration_status != entry.registration_status
                or platform.registered_on != entry.registered_on
                or not platform.from_official_list
            )
            if not platform.is_active:
                platform.is_active = True
                counts["reactivated"] += 1
            elif changed:
                counts["updated"] += 1
            platform.registration_status = entry.registration_status
            platform.registered_on = entry.registered_on
            platform.from_official_list = True
            platform.save()
        for name, platform in current.items():
            if name not in listed and platform.from_official_list and platform.is_active:
                platform.is_active = False
                platform.registration_status = Platform.Registration.NOT_LISTED
                platform.save(update_fields=["is_active", "registration_status"])
                counts["deactivated"] += 1
    return counts


def _rescore_users_of(firm: Firm, products: Iterable[SoftwareProduct]) -> None:
    """A catalogue entry's readiness counts in the score of every client that uses it."""
    client_ids = set(
        ClientSoftware.objects.for_firm(firm)
        .filter(product__in=list(products))
        .values_list("client_id", flat=True)
    )
    if client_ids:
        score_clients(firm=firm, client_ids=sorted(client_ids))


# --- Catalogue administration (administrators only) ---------------------------------------------


def _require_admin(firm: Firm, by: Membership) -> None:
    if by.firm_id != firm.pk or not by.is_admin:
        raise PermissionDenied


def _product_values(data: Mapping) -> dict:
    values = {
        "vendor": (data.get("vendor") or "").strip(),
        "name": (data.get("name") or "").strip(),
        "category": data.get("category"),
        "reform_ready": data.get("reform_ready") or ReformReadiness.UNKNOWN,
        "notes": (data.get("notes") or "").strip(),
    }
    if not values["name"]:
        raise ValidationError({"name": "Indiquez le nom du logiciel."})
    if values["category"] not in SoftwareCategory.values:
        raise ValidationError({"category": "Choisissez une catégorie."})
    if values["reform_ready"] not in ReformReadiness.values:
        raise ValidationError({"reform_ready": "Réponse inconnue."})
    return values


def _check_unique_product(firm: Firm, values: dict, exclude: int | None = None) -> None:
    others = SoftwareProduct.objects.for_firm(firm).filter(
        vendor__iexact=values["vendor"], name__iexact=values["name"]
    )
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError(
            {"name": "Ce logiciel est déjà au catalogue : fusionnez plutôt les doublons."}
        )


def add_software_product(*, firm: Firm, data: Mapping, by: Membership) -> SoftwareProduct:
    _require_admin(firm, by)
    values = _product_values(data)
    with transaction.atomic():
        _check_unique_product(firm, values)
        return SoftwareProduct.objects.create(firm=firm, **values)


def update_software_product(
    *, firm: Firm, product: SoftwareProduct, data: Mapping, by: Membership
) -> SoftwareProduct:
    """Rename, recategorise, mark reform-ready, annotate. Clients see the change at once."""
    _require_admin(firm, by)
    values = _product_values(data)
    with transaction.atomic():
        _check_unique_product(firm, values, exclude=product.pk)
        for name, value in values.items():
            setattr(product, name, value)
        product.save()
        _rescore_users_of(firm, [product])
    return product


def set_software_product_active(
    *, firm: Firm, product: SoftwareProduct, active: bool, by: Membership
) -> SoftwareProduct:
    """An inactive entry is no longer offered; clients that use it keep it."""
    _require_admin(firm, by)
    product.is_active = active
    product.save(update_fields=["is_active"])
    return product


def merge_software_products(
    *, firm: Firm, kept: SoftwareProduct, duplicate: SoftwareProduct, by: Membership
) -> int:
    """Point every client's use of ``duplicate`` to ``kept``, deactivate ``duplicate``, and tell
    each client's history. Returns the number of client software rows moved."""
    _require_admin(firm, by)
    if kept.pk == duplicate.pk or kept.firm_id != firm.pk or duplicate.firm_id != firm.pk:
        raise ValidationError("Choisissez deux logiciels différents du catalogue.")
    with transaction.atomic():
        moved = list(
            ClientSoftware.objects.for_firm(firm)
            .filter(product=duplicate)
            .select_related("client")
            .select_for_update(of=("self",))
        )
        ClientSoftware.objects.for_firm(firm).filter(product=duplicate).update(product=kept)
        duplicate.is_active = False
        duplicate.save(update_fields=["is_active"])
        _rescore_users_of(firm, [kept])
        _record_merge(
            firm,
            {item.client_id: item.client for item in moved}.values(),
            by,
            "logiciel",
            duplicate.label,
            kept.label,
        )
    return len(moved)


def _record_merge(
    firm: Firm, clients: Iterable[Client], by: Membership, label: str, old: str, new: str
) -> None:
    entries = []
    for client in clients:
        entry = history.entry(
            client=client,
            actor=by.user,
            action=HistoryEntry.Action.UPDATED,
            summary=f"Catalogue : « {old} » fusionné dans « {new} »",
            changes={"catalogue": {"label": label, "from": old, "to": new}},
        )
        entry.subject = EQUIPMENT
        entries.append(entry)
    HistoryEntry.objects.bulk_create(entries)


def _platform_values(data: Mapping) -> dict:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": "Indiquez le nom de la plateforme."})
    return {"name": name, "notes": (data.get("notes") or "").strip()}


def _check_unique_platform(firm: Firm, name: str, exclude: int | None = None) -> None:
    others = Platform.objects.for_firm(firm).filter(name__iexact=name)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": "Cette plateforme est déjà au catalogue."})


def add_platform(*, firm: Firm, data: Mapping, by: Membership) -> Platform:
    _require_admin(firm, by)
    values = _platform_values(data)
    with transaction.atomic():
        _check_unique_platform(firm, values["name"])
        return Platform.objects.create(firm=firm, **values)


def update_platform(*, firm: Firm, platform: Platform, data: Mapping, by: Membership) -> Platform:
    _require_admin(firm, by)
    values = _platform_values(data)
    with transaction.atomic():
        _check_unique_platform(firm, values["name"], exclude=platform.pk)
        platform.name = values["name"]
        platform.notes = values["notes"]
        platform.save(update_fields=["name", "notes"])
    return platform


def set_platform_active(
    *, firm: Firm, platform: Platform, active: bool, by: Membership
) -> Platform:
    _require_admin(firm, by)
    platform.is_active = active
    platform.save(update_fields=["is_active"])
    return platform


def merge_platforms(*, firm: Firm, kept: Platform, duplicate: Platform, by: Membership) -> int:
    """Point every client's use of ``duplicate`` to ``kept`` (status dates kept), deactivate
    ``duplicate``, record it in each client's history."""
    _require_admin(firm, by)
    if kept.pk == duplicate.pk or kept.firm_id != firm.pk or duplicate.firm_id != firm.pk:
        raise ValidationError("Choisissez deux plateformes différentes du catalogue.")
    with transaction.atomic():
        moved = list(
            ClientPlatform.objects.for_firm(firm)
            .filter(platform=duplicate)
            .select_related("client")
            .select_for_update(of=("self",))
        )
        ClientPlatform.objects.for_firm(firm).filter(platform=duplicate).update(platform=kept)
        duplicate.is_active = False
        duplicate.save(update_fields=["is_active"])
        _record_merge(
            firm,
            {item.client_id: item.client for item in moved}.values(),
            by,
            "plateforme agréée",
            duplicate.name,
            kept.name,
        )
    return len(moved)
