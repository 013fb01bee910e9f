"""Changes to the cartography of clients and to the firm's catalogues.

Each service owns its transaction, validates, writes the client's history (subject "equipment"
for software and platforms, "profile" for the digital profile) and bumps the client's
``last_reviewed_at``: filling the cartography is reviewing the client.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cartography import default_catalogue
from cartography.models import (
    PROFILE_CODES,
    ClientPlatform,
    ClientSoftware,
    DigitalMaturity,
    DigitalProfile,
    InvoiceTool,
    Platform,
    PlatformRole,
    PlatformStatus,
    PurchaseEntry,
    ReformReadiness,
    SoftwareCategory,
    SoftwareProduct,
)
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, Membership, User
from firms.tenancy import firm_scope
from fiscal_questionnaire.answer_formats import parse_french_number
from scoring.services import rescore_client, score_clients

EQUIPMENT = "equipment"
PROFILE = "profile"

SOFTWARE_FIELDS = ["category", "version", "used_for_issuing", "used_for_receiving"]


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


# --- A client's software ------------------------------------------------------------------------


def _reviewed(client: Client) -> None:
    """After any change to a client's equipment: reviewed now, and scored again in the same
    transaction (the score reads the equipment)."""
    client.last_reviewed_at = timezone.now()
    client.save(update_fields=["last_reviewed_at", "updated_at"])
    rescore_client(firm=client.firm_id, client=client)


def _rescore_users_of(firm: Firm, products: Iterable[SoftwareProduct]) -> None:
    """A catalogue entry's readiness counts in the score of every client that uses it."""
    client_ids = set(
        ClientSoftware.objects.for_firm(firm)
        .filter(product__in=list(products))
        .values_list("client_id", flat=True)
    )
    if client_ids:
        score_clients(firm=firm, client_ids=sorted(client_ids))


def _check_client(firm: Firm, client: Client) -> None:
    if client.firm_id != firm.pk:
        raise PermissionDenied


def _software_values(*, firm: Firm, data: Mapping) -> dict:
    product = data.get("product")
    if product is not None and product.firm_id != firm.pk:
        raise ValidationError({"product": "Ce logiciel n'est pas dans le catalogue du cabinet."})
    name = (data.get("name") or "").strip()
    if product is None and not name:
        raise ValidationError({"name": "Choisissez un logiciel du catalogue ou saisissez son nom."})
    category = data.get("category") or (product.category if product else "")
    if category not in SoftwareCategory.values:
        raise ValidationError({"category": "Choisissez une catégorie."})
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
    shown = history.snapshot(item, SOFTWARE_FIELDS)
    shown["used_for_issuing"] = "oui" if item.used_for_issuing else "non"
    shown["used_for_receiving"] = "oui" if item.used_for_receiving else "non"
    shown["label"] = item.label
    return shown


def _software_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict:
    labels = {"label": "logiciel"} | {
        name: str(ClientSoftware._meta.get_field(name).verbose_name) for name in SOFTWARE_FIELDS
    }
    return {
        name: {"label": labels[name], "from": before.get(name, ""), "to": after[name]}
        for name in labels
        if before.get(name, "") != after[name]
    }


def add_client_software(*, firm: Firm, client: Client, data: Mapping, by: User) -> ClientSoftware:
    """Add a software to a client: ``data`` holds product (a SoftwareProduct or None), vendor and
    name (free text, used without a product), category, version, used_for_issuing/receiving."""
    _check_client(firm, client)
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
        _reviewed(client)
    return item


def update_client_software(
    *, firm: Firm, item: ClientSoftware, data: Mapping, by: User
) -> ClientSoftware:
    """Apply new values to a client's software; only what changed goes to the history."""
    _check_client(firm, item.client)
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
            _reviewed(stored.client)
    return stored


def remove_client_software(*, firm: Firm, item: ClientSoftware, by: User) -> None:
    _check_client(firm, item.client)
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
            changes={"label": {"label": "logiciel", "from": label, "to": ""}},
        )
        _reviewed(client)


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
    _check_client(firm, client)
    if role not in PlatformRole.values:
        raise ValidationError({"role": "Usage inconnu."})
    if status not in PlatformStatus.values:
        raise ValidationError({"status": "Choisissez un statut."})
    if platform.firm_id != firm.pk:
        raise ValidationError({"platform": "Cette plateforme n'est pas dans le catalogue."})
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
        labels = {"platform": "plateforme agréée", "status": "statut"}
        changes = {
            name: {"label": labels[name], "from": before[name], "to": after[name]}
            for name in after
            if before[name] != after[name]
        }
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
            _reviewed(client)
    return current


def clear_client_platform(*, firm: Firm, client: Client, role: str, by: User) -> None:
    _check_client(firm, client)
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
            changes={
                "platform": {
                    "label": "plateforme agréée",
                    "from": str(current.platform),
                    "to": "",
                }
            },
        )
        _reviewed(client)


# --- The digital profile ------------------------------------------------------------------------

CHOICES = {
    "invoice_tool": InvoiceTool,
    "purchase_entry": PurchaseEntry,
    "digital_maturity": DigitalMaturity,
}
COUNTS = ("invoices_issued_per_month", "invoices_received_per_month")
BOOLEANS = ("bank_feed", "has_pos")
TRUE_WORDS = {"true", "oui", "1", "yes", "on"}
FALSE_WORDS = {"false", "non", "0", "no", "off"}


def _profile_number(raw: object) -> Decimal:
    """A figure as typed ("1 250", "12,5 %") or sent (a JSON number); ValueError otherwise.
    French writing is read by the questionnaire's parser, the one reader of numbers."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float | Decimal):
        return Decimal(str(raw))
    number = parse_french_number(str(raw).strip().removesuffix("%"))
    if number is None:
        raise ValueError(raw)
    return Decimal(str(number))


def parse_profile_answer(code: str, raw: object) -> object:
    """One answer as typed (form text) or sent (JSON) → the stored value; "" or None → None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if code in CHOICES:
        if raw not in CHOICES[code].values:
            raise ValidationError("Choisissez une des réponses proposées.")
        return raw
    if code in BOOLEANS:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValidationError("Répondez par oui ou par non.")
    try:
        number = _profile_number(raw)
    except ValueError:
        raise ValidationError("Saisissez un nombre, par exemple 1 250.") from None
    if code in COUNTS:
        if number < 0 or number != number.to_integral_value():
            raise ValidationError("Saisissez un nombre entier de factures.")
        return int(number)
    if code == "paper_share_received":
        if not 0 <= number <= 100:
            raise ValidationError("Saisissez un pourcentage entre 0 et 100.")
        return int(number.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    raise ValidationError(f"Question inconnue : {code}")


def _profile_shown(profile: DigitalProfile, code: str) -> str:
    value = getattr(profile, code)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if code == "paper_share_received":
        return f"{value} %"
    return history.shown(profile, code)


def save_digital_profile(
    *, firm: Firm, client: Client, answers: Mapping[str, object], by: User
) -> DigitalProfile:
    """Save the given answers (codes of REGULATION.md §4, raw or typed values) of a client's
    digital profile; the others are left as they are. All valid or nothing saved: a
    ValidationError maps each wrong code to its message."""
    _check_client(firm, client)
    parsed: dict[str, object] = {}
    errors: dict[str, str] = {}
    for code, raw in answers.items():
        if code not in PROFILE_CODES:
            errors[code] = "Question inconnue."
            continue
        try:
            parsed[code] = parse_profile_answer(code, raw)
        except ValidationError as error:
            errors[code] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile = (
            DigitalProfile.objects.for_firm(firm).select_for_update().filter(client=client).first()
        ) or DigitalProfile(firm=firm, client=client)
        before = {code: _profile_shown(profile, code) for code in parsed}
        for code, value in parsed.items():
            setattr(profile, code, value)
        after = {code: _profile_shown(profile, code) for code in parsed}
        changes = history.diff(before, after, DigitalProfile)
        if changes or profile.pk is None:
            profile.save()
        if changes:
            history.record(
                client=client,
                actor=by,
                action=HistoryEntry.Action.UPDATED,
                subject=PROFILE,
                summary="Profil numérique mis à jour",
                changes=changes,
            )
            _reviewed(client)
    return profile


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
