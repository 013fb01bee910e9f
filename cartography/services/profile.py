"""A client's digital profile, saved answer by answer (history subject "profile")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cartography.models import (
    PROFILE_CODES,
    DigitalMaturity,
    DigitalProfile,
    InvoiceTool,
    PurchaseEntry,
)
from cartography.services.equipment import check_client, mark_reviewed
from clients import history
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from firms.parameters import INTEGER_MAX
from french_formats.numbers import parse_french_number

# --- The digital profile ------------------------------------------------------------------------

PROFILE = "profile"

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
            raise ValidationError(_("Choisissez une des réponses proposées."))
        return raw
    if code in BOOLEANS:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValidationError(_("Répondez par oui ou par non."))
    try:
        number = _profile_number(raw)
    except ValueError:
        raise ValidationError(_("Saisissez un nombre, par exemple 1 250.")) from None
    if code in COUNTS:
        if number < 0 or number != number.to_integral_value():
            raise ValidationError(_("Saisissez un nombre entier de factures."))
        if number > INTEGER_MAX:  # the column's limit, far beyond any firm's client
            raise ValidationError(_("Ce nombre de factures est trop grand."))
        return int(number)
    if code == "paper_share_received":
        if not 0 <= number <= 100:
            raise ValidationError(_("Saisissez un pourcentage entre 0 et 100."))
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
    check_client(firm, client)
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
            mark_reviewed(client)
    return profile
