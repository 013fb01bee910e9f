"""Changes to mandates: generation (the PDF from the firm's text), then each step of the
workflow. Every service owns its transaction, moves a mandate only from the status it read (a
conditional UPDATE, so two people or a retried job never move it twice), writes the step in the
client's history and tells the scoring (``mandate_status_changed``)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cartography.models import ClientPlatform, PlatformRole
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from french_formats.dates import french_date
from mandates import texts
from mandates.models import (
    OPEN_STATUSES,
    REFERENCE_CODES,
    Mandate,
    MandateKind,
    MandateSettings,
    MandateStatus,
    MandateTemplate,
)
from mandates.signals import mandate_status_changed
from mandates.workflow import TransitionRefused, check_move
from pdf import render_pdf_template

HISTORY_SUBJECT = "mandate"
SIGNED_PDF_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    client: Client
    reason: str


# --- Settings and texts ---------------------------------------------------------------------


def mandate_settings(firm: Firm | int) -> MandateSettings:
    """The firm's settings, created with the defaults the first time they are needed."""
    firm_id = firm if isinstance(firm, int) else firm.pk
    found = MandateSettings.objects.for_firm(firm_id).first()
    if found is None:
        found, _ = MandateSettings.objects.for_firm(firm_id).get_or_create(firm_id=firm_id)
    return found


def mandate_text(firm: Firm | int, kind: str) -> tuple[str, str]:
    """(title, body) of a kind of mandate: the firm's own, or the default French text."""
    template = MandateTemplate.objects.for_firm(firm).filter(kind=kind).first()
    if template is None:
        return texts.DEFAULT_TEXTS[kind]
    return template.title, template.body


def save_mandate_text(*, firm: Firm, kind: str, title: str, body: str, by: User) -> None:
    """Store the firm's text of a kind of mandate; refused when it names an unknown merge field."""
    unknown = texts.unknown_merge_fields(body)
    if unknown:
        raise ValidationError(
            {
                "body": "Champ de fusion inconnu : "
                + ", ".join(f"{{{{ {name} }}}}" for name in unknown)
            }
        )
    MandateTemplate.objects.for_firm(firm).update_or_create(
        firm=firm, kind=kind, defaults={"title": title, "body": body, "updated_by": by}
    )


# --- Generation -----------------------------------------------------------------------------


def create_mandates(
    *, firm: Firm, client_ids: Iterable[int], kind: str = MandateKind.DELEGATION, by: User | None
) -> tuple[list[Mandate], list[Skipped]]:
    """Draft mandates for the clients that have none of this kind in progress (the others are
    skipped with the reason); their PDFs are rendered by :func:`render_mandate`."""
    clients = list(
        Client.objects.for_firm(firm).filter(pk__in=list(client_ids)).order_by("company_name")
    )
    open_ones = dict(
        Mandate.objects.for_firm(firm)
        .filter(client__in=clients, kind=kind, status__in=OPEN_STATUSES)
        .values_list("client_id", "reference")
    )
    today = timezone.localdate()
    created, skipped = [], []
    with transaction.atomic():
        for client in clients:
            if client.pk in open_ones:
                reason = f"Un mandat est déjà en cours ({open_ones[client.pk]})."
                skipped.append(Skipped(client, reason))
                continue
            if client.status != Client.Status.ACTIVE:
                skipped.append(Skipped(client, "Client archivé."))
                continue
            mandate = Mandate.objects.create(
                firm=firm,
                client=client,
                kind=kind,
                reference=_next_reference(firm, client, kind, today),
                created_by=by,
            )
            mandate.client = client
            created.append(mandate)
            history.record(
                client=client,
                actor=by,
                action=HistoryEntry.Action.CREATED,
                subject=HISTORY_SUBJECT,
                summary=f"Mandat créé : {mandate.reference} ({mandate.get_kind_display()})",
            )
        _announce(firm, created)
    return created, skipped


def _next_reference(firm: Firm, client: Client, kind: str, day: datetime.date) -> str:
    prefix = f"{client.siren}-{REFERENCE_CODES[kind]}-{day:%Y%m%d}-"
    taken = Mandate.objects.for_firm(firm).filter(reference__startswith=prefix).count()
    return f"{prefix}{taken + 1}"


def render_mandate(
    *, firm: Firm, mandate: Mandate, by: User | None, stationery: Stationery | None = None
) -> Mandate:
    """Render a draft's PDF from the firm's text, keep it with its SHA-256, and make the mandate
    ready to sign. A batch passes the firm's ``stationery``, read once for all its mandates."""
    check_move(mandate.status, MandateStatus.TO_SIGN)
    content = mandate_pdf(firm=firm, mandate=mandate, stationery=stationery)
    with transaction.atomic():
        mandate.document.save(f"{mandate.reference}.pdf", ContentFile(content), save=False)
        mandate.document_sha256 = hashlib.sha256(content).hexdigest()
        Mandate.objects.for_firm(firm).filter(pk=mandate.pk).update(
            document=mandate.document.name,
            document_sha256=mandate.document_sha256,
            platform_name=mandate.platform_name,
        )
        _move(firm, mandate, MandateStatus.TO_SIGN, by=by, summary="Mandat prêt à signer")
    return mandate


def generate_mandate(
    *, firm: Firm, client: Client, kind: str = MandateKind.DELEGATION, by: User | None
) -> Mandate:
    """One mandate from the client sheet: created and rendered at once."""
    created, skipped = create_mandates(firm=firm, client_ids=[client.pk], kind=kind, by=by)
    if skipped:
        raise TransitionRefused(skipped[0].reason)
    return render_mandate(firm=firm, mandate=created[0], by=by)


@dataclass(frozen=True)
class Stationery:
    """What every mandate of a firm shares: its texts by kind, the place of signature, its logo."""

    texts: dict[str, tuple[str, str]]
    place: str
    logo: bytes


def firm_stationery(firm: Firm) -> Stationery:
    logo = b""
    if firm.logo:
        with firm.logo.open("rb") as stored:
            logo = stored.read()
    return Stationery(
        texts={kind: mandate_text(firm, kind) for kind in MandateKind.values},
        place=mandate_settings(firm).place or firm.city or "……………",
        logo=logo,
    )


def mandate_pdf(*, firm: Firm, mandate: Mandate, stationery: Stationery | None = None) -> bytes:
    """The mandate's PDF: the firm's letterhead and its text with the merge fields filled."""
    stationery = stationery or firm_stationery(firm)
    client = mandate.client
    reception = (
        ClientPlatform.objects.for_firm(firm)
        .filter(client=client, role=PlatformRole.RECEPTION)
        .select_related("platform")
        .first()
    )
    mandate.platform_name = reception.platform.name if reception else ""
    title, body = stationery.texts[mandate.kind]
    values = merge_values(firm=firm, mandate=mandate, place=stationery.place)
    return render_pdf_template(
        "mandates/mandate_pdf.html",
        {
            "firm": firm,
            "mandate": mandate,
            "client": client,
            "title": title,
            "text": texts.text_to_html(body, values),
        },
        images={"logo": stationery.logo} if stationery.logo else None,
    )


def merge_values(*, firm: Firm, mandate: Mandate, place: str | None = None) -> dict[str, str]:
    """The merge fields' values for one mandate (``place``: the firm's, when already read)."""
    client = mandate.client
    signer = " ".join(
        part
        for part in (client.signer_civility, client.signer_first_name, client.signer_last_name)
        if part
    )
    return {
        "client.raison_sociale": client.company_name,
        "client.siren": client.siren,
        "client.adresse": _address(client.address, client.postal_code, client.city),
        "client.representant": signer or "……………………",
        "cabinet.raison_sociale": firm.name,
        "cabinet.siren": firm.siren or "……………",
        "cabinet.adresse": _address(firm.address, firm.postal_code, firm.city),
        "pa": mandate.platform_name or "à choisir",
        "date": french_date(timezone.localdate()),
        "lieu": place or mandate_settings(firm).place or firm.city or "……………",
        "reference": mandate.reference,
    }


def _address(street: str, postal_code: str, city: str) -> str:
    town = " ".join(part for part in (postal_code, city) if part)
    return ", ".join(part for part in (street, town) if part) or "……………"


# --- The steps of the workflow --------------------------------------------------------------


def mark_sent(*, firm: Firm, mandates: Sequence[Mandate], by: User | None) -> int:
    """The mandates were sent for signature (a JeSignExpert batch, or by hand)."""
    moved = []
    with transaction.atomic():
        for mandate in mandates:
            if mandate.status == MandateStatus.TO_SIGN:
                _move(firm, mandate, MandateStatus.SENT, by=by, summary="Envoyé pour signature")
                moved.append(mandate)
    return len(moved)


def record_signature(
    *, firm: Firm, mandate: Mandate, content: bytes, signed_on: datetime.date, by: User | None
) -> Mandate:
    """The signed PDF (a real PDF, 10 MB at most) and the day it was signed."""
    check_signed_pdf(content)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "La date de signature est dans le futur."})
    check_move(mandate.status, MandateStatus.SIGNED)
    with transaction.atomic():
        mandate.signed_document.save(
            f"{mandate.reference}-signe.pdf", ContentFile(content), save=False
        )
        mandate.signed_document_sha256 = hashlib.sha256(content).hexdigest()
        mandate.signed_on = signed_on
        Mandate.objects.for_firm(firm).filter(pk=mandate.pk).update(
            signed_document=mandate.signed_document.name,
            signed_document_sha256=mandate.signed_document_sha256,
            signed_on=signed_on,
        )
        _move(
            firm,
            mandate,
            MandateStatus.SIGNED,
            by=by,
            summary=f"Mandat signé le {signed_on:%d/%m/%Y}",
        )
    return mandate


def record_refusal(*, firm: Firm, mandate: Mandate, reason: str, by: User | None) -> Mandate:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    check_move(mandate.status, MandateStatus.REFUSED)
    with transaction.atomic():
        Mandate.objects.for_firm(firm).filter(pk=mandate.pk).update(refusal_reason=reason[:500])
        mandate.refusal_reason = reason[:500]
        _move(firm, mandate, MandateStatus.REFUSED, by=by, summary=f"Mandat refusé : {reason}")
    return mandate


def cancel_mandate(*, firm: Firm, mandate: Mandate, by: User | None) -> Mandate:
    check_move(mandate.status, MandateStatus.CANCELLED)
    with transaction.atomic():
        _move(firm, mandate, MandateStatus.CANCELLED, by=by, summary="Mandat annulé")
    return mandate


def regenerate_mandate(*, firm: Firm, mandate: Mandate, by: User | None) -> Mandate:
    """Cancel an open mandate and generate a new one of the same kind (after an edit of the
    client's record or of the firm's text)."""
    with transaction.atomic():
        cancel_mandate(firm=firm, mandate=mandate, by=by)
        return generate_mandate(firm=firm, client=mandate.client, kind=mandate.kind, by=by)


def expire_mandates(*, firm: Firm | int, now: datetime.datetime | None = None) -> int:
    """Mandates sent for signature longer ago than the firm's delay are expired (the signing
    service's collection has lapsed); a new one must be generated."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=mandate_settings(firm).expiry_days)
    late = Mandate.objects.for_firm(firm).filter(
        status=MandateStatus.SENT, status_changed_at__lt=cutoff
    )
    expired = 0
    for mandate in late.select_related("client"):
        with transaction.atomic():
            try:
                _move(firm, mandate, MandateStatus.EXPIRED, by=None, summary="Mandat expiré")
            except TransitionRefused:
                continue  # moved meanwhile
            expired += 1
    return expired


def _move(
    firm: Firm | int, mandate: Mandate, target: str, *, by: User | None, summary: str
) -> None:
    """Move one mandate from the status it was read with; refused if it moved meanwhile."""
    check_move(mandate.status, target)
    now = timezone.now()
    moved = (
        Mandate.objects.for_firm(firm)
        .filter(pk=mandate.pk, status=mandate.status)
        .update(status=target, status_changed_at=now)
    )
    if not moved:
        raise TransitionRefused("Ce mandat vient de changer : rechargez la page.")
    before = MandateStatus(mandate.status).label
    mandate.status, mandate.status_changed_at = target, now
    history.record(
        client=mandate.client,
        actor=by,
        action=HistoryEntry.Action.UPDATED,
        subject=HISTORY_SUBJECT,
        summary=f"{summary} ({mandate.reference})",
        changes={
            "mandate_status": {
                "label": f"Mandat {mandate.reference}",
                "from": str(before),
                "to": str(MandateStatus(target).label),
            }
        },
    )
    _announce(firm, [mandate])


def _announce(firm: Firm | int, mandates: Iterable[Mandate]) -> None:
    client_ids = sorted({mandate.client_id for mandate in mandates})
    if client_ids:
        mandate_status_changed.send(sender=Mandate, firm=firm, client_ids=client_ids)


def check_signed_pdf(content: bytes) -> None:
    """A signed mandate is a real PDF of 10 MB at most."""
    if not content or len(content) > SIGNED_PDF_MAX_BYTES:
        raise ValidationError({"document": "Le fichier est vide ou dépasse 10 Mo."})
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise ValidationError({"document": "Ce fichier n'est pas un PDF."})


# --- Signed documents in bulk ---------------------------------------------------------------

REFERENCE_IN_NAME = re.compile(r"(\d{9}-(?:DEL|DPA)-\d{8}-\d+)")
ZIP_MAX_ENTRIES = 1000


@dataclass(frozen=True)
class SignedFilesResult:
    signed: list[Mandate]
    problems: list[tuple[str, str]]  # (file name, why it was not recorded)


def signed_files_from_upload(name: str, content: bytes) -> list[tuple[str, bytes]]:
    """The files of an upload: a ZIP is opened (its PDFs, sizes checked before reading), any
    other file is itself."""
    if not name.lower().endswith(".zip"):
        return [(name, content)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
    except zipfile.BadZipFile as error:
        raise ValidationError(
            {"files": f"« {name} » n'est pas une archive ZIP lisible."}
        ) from error
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ValidationError({"files": f"« {name} » contient plus de {ZIP_MAX_ENTRIES} fichiers."})
    files = []
    for entry in entries:
        if entry.file_size > SIGNED_PDF_MAX_BYTES:
            files.append((entry.filename, b""))  # refused below: too large to open
            continue
        try:
            files.append((entry.filename, archive.read(entry)))
        except (zipfile.BadZipFile, RuntimeError, OSError):  # damaged, or encrypted
            files.append((entry.filename, b""))
    return files


def record_signed_files(
    *, firm: Firm, files: Iterable[tuple[str, bytes]], by: User | None
) -> SignedFilesResult:
    """Each signed PDF is matched to its mandate by the reference in its name, checked and
    stored; the others are listed with the reason and nothing else changes."""
    signed, problems = [], []
    today = timezone.localdate()
    for name, content in files:
        found = REFERENCE_IN_NAME.search(name.rsplit("/", 1)[-1])
        if not found:
            problems.append((name, "Aucune référence de mandat dans le nom du fichier."))
            continue
        mandate = (
            Mandate.objects.for_firm(firm)
            .filter(reference=found.group(1))
            .select_related("client")
            .first()
        )
        if mandate is None:
            problems.append((name, f"Aucun mandat du cabinet n'a la référence {found.group(1)}."))
            continue
        try:
            record_signature(firm=firm, mandate=mandate, content=content, signed_on=today, by=by)
        except ValidationError as error:
            problems.append((name, " ".join(error.messages) or "Fichier refusé."))
        except TransitionRefused as error:
            problems.append((name, str(error)))
        else:
            signed.append(mandate)
    return SignedFilesResult(signed=signed, problems=problems)
