"""Checks of French identifiers, with the messages shown next to the field."""

import functools

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret, tva


def clean_siren(value: str) -> str:
    compact, problem = _checked_siren(value or "")
    if problem == "siren_length":
        raise ValidationError(_("Le SIREN compte 9 chiffres."), code=problem)
    if problem == "siren_checksum":
        raise ValidationError(
            _("Ce SIREN n'existe pas : sa clé de contrôle est fausse."), code=problem
        )
    return compact


@functools.lru_cache(maxsize=16_384, typed=True)
def _checked_siren(value: str) -> tuple[str, str]:
    """The compact SIREN and what is wrong with it ("" when nothing): an import checks each
    row's SIREN several times (its planning, its form, its model)."""
    compact = siren.compact(value)
    if not compact:
        return "", ""
    if not (compact.isascii() and compact.isdigit()) or len(compact) != 9:
        return compact, "siren_length"
    if not siren.is_valid(compact):
        return compact, "siren_checksum"
    return compact, ""


def clean_vat_number(value: str) -> str:
    compact = tva.compact(value or "")
    if not compact:
        return ""
    try:
        # Stored as printed on invoices: "FR" then the key and the SIREN.
        return "FR" + tva.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            _("Numéro de TVA intracommunautaire invalide (format FR + clé + SIREN)."),
            code="vat_invalid",
        ) from error


def clean_iban(value: str) -> str:
    compact = iban.compact(value or "")
    if not compact:
        return ""
    try:
        return iban.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            _("IBAN invalide : vérifiez les caractères et la clé."), code="iban_invalid"
        ) from error


def clean_bic(value: str) -> str:
    compact = bic.compact(value or "")
    if not compact:
        return ""
    try:
        return bic.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            _("BIC invalide : 8 ou 11 caractères (banque, pays, lieu, agence)."), code="bic_invalid"
        ) from error


def clean_siret(value: str, *, siren_value: str = "") -> str:
    compact = siret.compact(value or "")
    if not compact:
        return ""
    if not (compact.isascii() and compact.isdigit()) or len(compact) != 14:
        raise ValidationError(_("Le SIRET compte 14 chiffres."), code="siret_length")
    if not siret.is_valid(compact):
        raise ValidationError(
            _("Ce SIRET n'existe pas : sa clé de contrôle est fausse."), code="siret_checksum"
        )
    if siren_value and not compact.startswith(siren_value):
        raise ValidationError(
            _("Le SIRET doit commencer par le SIREN de l'entreprise."), code="siret_siren"
        )
    return compact


# The mobile numbers the French regulator (ARCEP) keeps for works of fiction, 06 39 98 xx xx:
# accepted, so that demos and tests never carry a real person's number.
FICTION_MOBILES = "+3363998"


def _fiction_mobile(number: phonenumbers.PhoneNumber) -> bool:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164.startswith(FICTION_MOBILES) and len(e164) == len(FICTION_MOBILES) + 4


def clean_mobile_number(value: str) -> str:
    """A mobile phone number, normalised to E.164 ("06 12 34 56 78" → "+33612345678"): the
    signing service sends its one-time code there. French numbers may omit the country code."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            "Numéro de mobile illisible : écrivez-le comme 06 12 34 56 78 ou +33 6 12 34 56 78.",
            code="mobile_unreadable",
        ) from error
    if _fiction_mobile(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Ce numéro de téléphone n'existe pas.", code="mobile_invalid")
    mobile_types = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if phonenumbers.number_type(number) not in mobile_types:
        raise ValidationError(
            "Ce numéro n'est pas un mobile : le code de signature est envoyé par SMS.",
            code="mobile_not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
