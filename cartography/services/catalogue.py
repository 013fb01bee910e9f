"""The firm's catalogues: the defaults installed, the DGFiP list of platforms refreshed, and
their administration (administrators only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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
from cartography.signals import equipment_changed
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from firms.tenancy import firm_scope

# --- Default catalogues -------------------------------------------------------------------------


def install_default_catalogues(firm: Firm | int) -> tuple[int, int]:
    """Give a firm the default software catalogue and the DGFiP platforms it lacks (idempotent).

    Called when a firm is created (``firm_created``), by the data migration for the firms that
    existed before, and by ``manage.py install_catalogues``.
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    with firm_scope(firm_id), transaction.atomic():
        return default_catalogue.install(
            firm_id, software_model=SoftwareProduct, platform_model=Platform
        )


def install_catalogues_of_new_firm(sender, *, firm: Firm, **kwargs) -> None:
    """Receiver of ``firms.signals.firm_created``: a new firm starts with the defaults."""
    install_default_catalogues(firm)


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
        equipment_changed.send(sender=SoftwareProduct, firm=firm, client_ids=sorted(client_ids))


# --- Catalogue administration (administrators only) ---------------------------------------------
# The software and the platform catalogues follow the same rules (no second entry of the same
# name, merge rather than delete, deactivate rather than delete); what differs between them is
# described once in a _Catalogue below.


def _product_values(data: Mapping) -> dict:
    values = {
        "vendor": (data.get("vendor") or "").strip(),
        "name": (data.get("name") or "").strip(),
        "category": data.get("category"),
        "reform_ready": data.get("reform_ready") or ReformReadiness.UNKNOWN,
        "notes": (data.get("notes") or "").strip(),
    }
    if not values["name"]:
        raise ValidationError({"name": _("Indiquez le nom du logiciel.")})
    if values["category"] not in SoftwareCategory.values:
        raise ValidationError({"category": _("Choisissez une catégorie.")})
    if values["reform_ready"] not in ReformReadiness.values:
        raise ValidationError({"reform_ready": _("Réponse inconnue.")})
    return values


def _platform_values(data: Mapping) -> dict:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Indiquez le nom de la plateforme.")})
    return {"name": name, "notes": (data.get("notes") or "").strip()}


Entry = TypeVar("Entry", SoftwareProduct, Platform)


@dataclass(frozen=True)
class _Catalogue(Generic[Entry]):
    """What sets one catalogue apart; the rules below are the same for both."""

    model: type[Entry]
    values: Callable[[Mapping], dict]  # the entry's fields from submitted data, or ValidationError
    same_entry_fields: tuple[str, ...]  # two entries alike on these (case aside) are one
    already_listed: str
    usage_model: type[ClientSoftware] | type[ClientPlatform]
    usage_field: str  # the foreign key of a client's use to the entry
    history_label: str  # what the clients' history calls an entry
    two_entries_needed: str
    # A software entry's readiness counts in the score of the clients that use it; nothing of a
    # platform entry does (the client's platform status is on the client's own row).
    rescores_clients: bool


_SOFTWARE = _Catalogue(
    model=SoftwareProduct,
    values=_product_values,
    same_entry_fields=("vendor", "name"),
    already_listed=_("Ce logiciel est déjà au catalogue : fusionnez plutôt les doublons."),
    usage_model=ClientSoftware,
    usage_field="product",
    history_label="logiciel",
    two_entries_needed=_("Choisissez deux logiciels différents du catalogue."),
    rescores_clients=True,
)
_PLATFORMS = _Catalogue(
    model=Platform,
    values=_platform_values,
    same_entry_fields=("name",),
    already_listed=_("Cette plateforme est déjà au catalogue."),
    usage_model=ClientPlatform,
    usage_field="platform",
    history_label="plateforme agréée",
    two_entries_needed=_("Choisissez deux plateformes différentes du catalogue."),
    rescores_clients=False,
)


def _check_not_listed(
    catalogue: _Catalogue, firm: Firm, values: dict, *, exclude: int | None = None
) -> None:
    """Refuse a second entry for the same thing: duplicates are merged, not added."""
    alike = {f"{field}__iexact": values[field] for field in catalogue.same_entry_fields}
    others = catalogue.model.objects.for_firm(firm).filter(**alike)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": catalogue.already_listed})


def _add_entry(catalogue: _Catalogue[Entry], *, firm: Firm, data: Mapping, by: User) -> Entry:
    values = catalogue.values(data)
    with transaction.atomic():
        _check_not_listed(catalogue, firm, values)
        return catalogue.model.objects.create(firm=firm, **values)


def _update_entry(
    catalogue: _Catalogue[Entry], *, firm: Firm, entry: Entry, data: Mapping, by: User
) -> Entry:
    values = catalogue.values(data)
    with transaction.atomic():
        _check_not_listed(catalogue, firm, values, exclude=entry.pk)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save(update_fields=list(values))
        if catalogue.rescores_clients:
            _rescore_users_of(firm, [entry])
    return entry


def _set_active(*, firm: Firm, entry: Entry, active: bool, by: User) -> Entry:
    entry.is_active = active
    entry.save(update_fields=["is_active"])
    return entry


def _merge_entries(
    catalogue: _Catalogue[Entry], *, firm: Firm, kept: Entry, duplicate: Entry, by: User
) -> int:
    if kept.pk == duplicate.pk or kept.firm_id != firm.pk or duplicate.firm_id != firm.pk:
        raise ValidationError(catalogue.two_entries_needed)
    uses = catalogue.usage_model.objects.for_firm(firm).filter(**{catalogue.usage_field: duplicate})
    with transaction.atomic():
        moved = list(uses.select_related("client").select_for_update(of=("self",)))
        uses.update(**{catalogue.usage_field: kept})
        duplicate.is_active = False
        duplicate.save(update_fields=["is_active"])
        if catalogue.rescores_clients:
            _rescore_users_of(firm, [kept])
        _record_merge(
            firm=firm,
            clients={use.client_id: use.client for use in moved}.values(),
            by=by,
            label=catalogue.history_label,
            old=str(duplicate),
            new=str(kept),
        )
    return len(moved)


def _record_merge(
    *, firm: Firm, clients: Iterable[Client], by: User, label: str, old: str, new: str
) -> None:
    HistoryEntry.objects.bulk_create(
        history.entry(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=EQUIPMENT,
            summary=f"Catalogue : « {old} » fusionné dans « {new} »",
            changes={"catalogue": {"label": label, "from": old, "to": new}},
        )
        for client in clients
    )


def add_software_product(*, firm: Firm, data: Mapping, by: User) -> SoftwareProduct:
    """Add an entry to the software catalogue; the same vendor and name twice is refused."""
    return _add_entry(_SOFTWARE, firm=firm, data=data, by=by)


def update_software_product(
    *, firm: Firm, product: SoftwareProduct, data: Mapping, by: User
) -> SoftwareProduct:
    """Rename, recategorise, mark reform-ready, annotate. Clients see the change at once."""
    return _update_entry(_SOFTWARE, firm=firm, entry=product, data=data, by=by)


def set_software_product_active(
    *, firm: Firm, product: SoftwareProduct, active: bool, by: User
) -> SoftwareProduct:
    """An inactive entry is no longer offered; clients that use it keep it."""
    return _set_active(firm=firm, entry=product, active=active, by=by)


def merge_software_products(
    *, firm: Firm, kept: SoftwareProduct, duplicate: SoftwareProduct, by: User
) -> int:
    """Point every client's use of ``duplicate`` to ``kept``, deactivate ``duplicate``, and tell
    each client's history. Returns the number of client software rows moved."""
    return _merge_entries(_SOFTWARE, firm=firm, kept=kept, duplicate=duplicate, by=by)


def add_platform(*, firm: Firm, data: Mapping, by: User) -> Platform:
    """Add a platform of the firm's own to the catalogue (the DGFiP ones come with the list)."""
    return _add_entry(_PLATFORMS, firm=firm, data=data, by=by)


def update_platform(*, firm: Firm, platform: Platform, data: Mapping, by: User) -> Platform:
    """Rename or annotate a platform; its DGFiP registration is left to the list."""
    return _update_entry(_PLATFORMS, firm=firm, entry=platform, data=data, by=by)


def set_platform_active(*, firm: Firm, platform: Platform, active: bool, by: User) -> Platform:
    """An inactive platform is no longer offered; clients that chose it keep it."""
    return _set_active(firm=firm, entry=platform, active=active, by=by)


def merge_platforms(*, firm: Firm, kept: Platform, duplicate: Platform, by: User) -> int:
    """Point every client's use of ``duplicate`` to ``kept`` (status dates kept), deactivate
    ``duplicate``, record it in each client's history."""
    return _merge_entries(_PLATFORMS, firm=firm, kept=kept, duplicate=duplicate, by=by)
