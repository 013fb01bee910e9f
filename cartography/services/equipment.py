"""A client's software and platforms (reception, issuing).

Each service owns its transaction, validates, writes the client's history (subject "equipment")
and bumps the client's ``last_reviewed_at``: filling the cartography is reviewing the client.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartography.models import (
    ClientPlatform,
    ClientSoftware,
    Platform,
    PlatformRole,
    PlatformStatus,
    SoftwareCategory,
)
from cartography.signals import equipment_changed
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User

EQUIPMENT = "equipment"

SOFTWARE_FIELDS = ["category", "version", "used_for_issuing", "used_for_receiving"]
PLATFORM_LABELS = {"platform": "plateforme agréée"}


# --- A client's software ------------------------------------------------------------------------


def mark_reviewed(client: Client) -> None:
    """After any change to a client's equipment: reviewed now, and scored again in the same
    transaction (the score reads the equipment)."""
    client.last_reviewed_at = timezone.now()
    client.save(update_fields=["last_reviewed_at", "updated_at"])
    equipment_changed.send(sender=Client, firm=client.firm_id, client_ids=[client.pk])


def check_client(firm: Firm, client: Client) -> None:
    """A service is called for a client of the firm it acts in, never another's."""
    if client.firm_id != firm.pk:
        raise PermissionDenied


def _software_values(*, firm: Firm, data: Mapping) -> dict:
    product = data.get("product")
    if product is not None and product.firm_id != firm.pk:
        raise ValidationError({"product": _("Ce logiciel n'est pas dans le catalogue du cabinet.")})
    name = (data.get("name") or "").strip()
    if product is None and not name:
        raise ValidationError(
            {"name": _("Choisissez un logiciel du catalogue ou saisissez son nom.")}
        )
    category = data.get("category") or (product.category if product else "")
    if category not in SoftwareCategory.values:
        raise ValidationError({"category": _("Choisissez une catégorie.")})
    return {
        "product": product,
        # A catalogue entry carries its own name; free text is kept only without one.
        "vendor": "" if product else (data.get("vendor") or "").strip(),
        "name": "" if product else name,
        "category": category,
        "version": (data.get("version") or "").strip(),
        "used_for_issuing": bool(data.get("used_for_issuing")),
        "used_for_receiving": bool(data.get("used_for_receiving")),
    }


def _software_shown(item: ClientSoftware) -> dict[str, str]:
    shown = {"label": item.label, **history.snapshot(item, SOFTWARE_FIELDS)}
    shown["used_for_issuing"] = "oui" if item.used_for_issuing else "non"
    shown["used_for_receiving"] = "oui" if item.used_for_receiving else "non"
    return shown


def _software_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict:
    return history.diff(before, after, ClientSoftware, labels={"label": "logiciel"})


def add_client_software(*, firm: Firm, client: Client, data: Mapping, by: User) -> ClientSoftware:
    """Add a software to a client: ``data`` holds product (a SoftwareProduct or None), vendor and
    name (free text, used without a product), category, version, used_for_issuing/receiving."""
    check_client(firm, client)
    values = _software_values(firm=firm, data=data)
    with transaction.atomic():
        item = ClientSoftware.objects.create(firm=firm, client=client, **values)
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=EQUIPMENT,
            summary=f"Logiciel ajouté : {item.label}",
            changes=_software_changes({}, _software_shown(item)),
        )
        mark_reviewed(client)
    return item


def update_client_software(
    *, firm: Firm, item: ClientSoftware, data: Mapping, by: User
) -> ClientSoftware:
    """Apply new values to a client's software; only what changed goes to the history."""
    check_client(firm, item.client)
    values = _software_values(firm=firm, data=data)
    with transaction.atomic():
        stored = (
            ClientSoftware.objects.for_firm(firm)
            .select_related("product", "client")
            .select_for_update(of=("self",))
            .get(pk=item.pk)
        )
        before = _software_shown(stored)
        for name, value in values.items():
            setattr(stored, name, value)
        changes = _software_changes(before, _software_shown(stored))
        if changes:
            stored.save()
            history.record(
                client=stored.client,
                actor=by,
                action=HistoryEntry.Action.UPDATED,
                subject=EQUIPMENT,
                summary=f"Logiciel modifié : {stored.label}",
                changes=changes,
            )
            mark_reviewed(stored.client)
    return stored


def remove_client_software(*, firm: Firm, item: ClientSoftware, by: User) -> None:
    check_client(firm, item.client)
    with transaction.atomic():
        client = item.client
        label = item.label
        ClientSoftware.objects.for_firm(firm).filter(pk=item.pk).delete()
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=EQUIPMENT,
            summary=f"Logiciel retiré : {label}",
            changes=_software_changes({"label": label}, {"label": ""}),
        )
        mark_reviewed(client)


# --- A client's platforms -----------------------------------------------------------------------


def set_client_platform(
    *,
    firm: Firm,
    client: Client,
    role: str,
    platform: Platform,
    status: str,
    by: User,
    on: datetime.date | None = None,
) -> ClientPlatform:
    """Choose the platform of a client for reception or issuing and its status.

    The date a status is reached (``on``, today by default) is kept per status in
    ``status_dates``; changing the platform starts its status history again.
    """
    check_client(firm, client)
    if role not in PlatformRole.values:
        raise ValidationError({"role": _("Usage inconnu.")})
    if status not in PlatformStatus.values:
        raise ValidationError({"status": _("Choisissez un statut.")})
    if platform.firm_id != firm.pk:
        raise ValidationError({"platform": _("Cette plateforme n'est pas dans le catalogue.")})
    on = on or timezone.localdate()
    with transaction.atomic():
        current = (
            ClientPlatform.objects.for_firm(firm)
            .select_related("platform")
            .select_for_update(of=("self",))
            .filter(client=client, role=role)
            .first()
        )
        before = {
            "platform": str(current.platform) if current else "",
            "status": current.get_status_display() if current else "",
        }
        if current is None:
            current = ClientPlatform(firm=firm, client=client, role=role, status_dates={})
        elif current.platform_id != platform.pk:
            current.status_dates = {}
        if current.status != status or status not in current.status_dates:
            current.status_dates = {**current.status_dates, status: on.isoformat()}
        current.platform = platform
        current.status = status
        current.updated_by = by
        after = {"platform": str(platform), "status": current.get_status_display()}
        changes = history.diff(before, after, ClientPlatform, labels=PLATFORM_LABELS)
        if changes or current.pk is None:
            current.save()
            history.record(
                client=client,
                actor=by,
                action=HistoryEntry.Action.UPDATED,
                subject=EQUIPMENT,
                summary=f"Plateforme agréée ({PlatformRole(role).label.lower()}) : {platform}",
                changes=changes,
            )
            mark_reviewed(client)
    return current


def clear_client_platform(*, firm: Firm, client: Client, role: str, by: User) -> None:
    check_client(firm, client)
    with transaction.atomic():
        current = (
            ClientPlatform.objects.for_firm(firm)
            .select_related("platform")
            .filter(client=client, role=role)
            .first()
        )
        if current is None:
            return
        current.delete()
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=EQUIPMENT,
            summary=f"Plateforme agréée ({PlatformRole(role).label.lower()}) retirée",
            changes=history.diff(
                {"platform": str(current.platform)},
                {"platform": ""},
                ClientPlatform,
                labels=PLATFORM_LABELS,
            ),
        )
        mark_reviewed(client)
