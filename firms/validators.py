"""Checks of French identifiers, with the messages shown next to the field."""

from django.core.exceptions import ValidationError
from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret, tva


def clean_siren(value: str) -> str:
    compact = siren.compact(value or "")
    if not compact:
        return ""
    if not (compact.isascii() and compact.isdigit()) or len(compact) != 9:
        raise ValidationError("Le SIREN compte 9 chiffres.", code="siren_length")
    if not siren.is_valid(compact):
        raise ValidationError(
            "Ce SIREN n'existe pas : sa clé de contrôle est fausse.", code="siren_checksum"
        )
    return compact


def clean_vat_number(value: str) -> str:
    compact = tva.compact(value or "")
    if not compact:
        return ""
    try:
        # Stored as printed on invoices: "FR" then the key and the SIREN.
        return "FR" + tva.validate(compact)
    except StdnumError as error:
        raise ValidationError(
            "Numéro de TVA intracommunautaire invalide (format FR + clé + SIREN).",
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
            "IBAN invalide : vérifiez les caractères et la clé.", code="iban_invalid"
        ) from error


def clean_siret(value: str, *, siren_value: str = "") -> str:
    compact = siret.compact(value or "")
    if not compact:
        return ""
    if not (compact.isascii() and compact.isdigit()) or len(compact) != 14:
        raise ValidationError("Le SIRET compte 14 chiffres.", code="siret_length")
    if not siret.is_valid(compact):
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse.", code="siret_checksum"
        )
    if siren_value and not compact.startswith(siren_value):
        raise ValidationError(
            "Le SIRET doit commencer par le SIREN de l'entreprise.", code="siret_siren"
        )
    return compact
