"""Matching the columns of a client file to the fields of a client (pure functions, no ORM).

Headers are compared once normalised (no accents, case or punctuation) with the French and English
names that accounting software and spreadsheets usually give them: first exactly, then, for the
columns left, by their first words ("SIREN du client", "Ville du siège").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The importable fields, in the order the mapping step lists them, with their French label.
FIELD_LABELS = {
    "company_name": _("Raison sociale"),
    "siren": _("SIREN"),
    "siret": _("SIRET du siège"),
    "naf_code": _("Code NAF/APE"),
    "legal_form": _("Forme juridique"),
    "vat_number": _("TVA intracommunautaire"),
    "address": _("Adresse"),
    "postal_code": _("Code postal"),
    "city": _("Ville"),
    "fiscal_year_end": _("Clôture de l'exercice (JJ/MM)"),
    "contact_name": _("Contact principal"),
    "contact_email": _("E-mail du contact"),
    "contact_phone": _("Téléphone du contact"),
    "signer_civility": _("Civilité du signataire"),
    "signer_last_name": _("Nom du signataire"),
    "signer_first_name": _("Prénom du signataire"),
    "signer_email": _("E-mail du signataire"),
    "signer_mobile": _("Mobile du signataire"),
    "billing_emails": _("E-mails de facturation"),
    "assigned_to": _("Collaborateur (e-mail ou nom complet)"),
    "tags": _("Étiquettes"),
}
REQUIRED_FIELDS = ("company_name", "siren")

# Normalised header names (see :func:`normalise`) for each field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "company_name": (
        "raison sociale", "denomination", "denomination sociale", "nom", "nom de l entreprise",
        "nom entreprise", "nom de la societe", "nom societe", "societe", "entreprise", "client",
        "nom du client", "nom client", "dossier", "nom du dossier", "company", "company name",
        "name", "legal name", "business name", "customer", "customer name",
    ),
    "siren": (
        "siren", "n siren", "no siren", "numero siren", "num siren", "siren number",
        "company number", "registration number",
    ),
    "siret": (
        "siret", "n siret", "no siret", "numero siret", "num siret", "siret du siege",
        "siret siege", "siret number",
    ),
    "naf_code": (
        "code naf", "naf", "ape", "code ape", "naf ape", "ape naf", "code naf ape",
        "code ape naf", "naf code", "ape code", "activity code",
    ),
    "legal_form": (
        "forme juridique", "forme", "statut juridique", "forme sociale", "legal form",
        "legal status", "company type",
    ),
    "vat_number": (
        "tva", "n tva", "no tva", "numero tva", "numero de tva", "tva intracom", "n tva intracom",
        "no tva intracom", "tva intracommunautaire", "n tva intracommunautaire",
        "numero de tva intracommunautaire", "vat", "vat number", "vat id",
    ),
    "address": (
        "adresse", "adresse 1", "adresse ligne 1", "adresse du siege", "adresse siege", "rue",
        "address", "address 1", "address line 1", "street",
    ),
    "postal_code": ("cp", "code postal", "postal code", "postcode", "zip", "zip code"),
    "city": ("ville", "commune", "localite", "city", "town"),
    "fiscal_year_end": (
        "cloture", "date de cloture", "cloture de l exercice", "cloture exercice",
        "date cloture", "fin d exercice", "fin exercice", "fiscal year end", "year end",
    ),
    "contact_name": (
        "contact", "nom du contact", "contact principal", "nom contact", "dirigeant",
        "nom du dirigeant", "gerant", "nom du gerant", "interlocuteur", "representant legal",
        "contact name", "director",
    ),
    "contact_email": (
        "email", "e mail", "courriel", "mail", "adresse email", "adresse e mail", "adresse mail",
        "email du contact", "e mail du contact", "email contact", "e mail contact",
        "contact email", "email address",
    ),
    "contact_phone": (
        "telephone", "tel", "telephone du contact", "telephone contact", "tel contact",
        "contact telephone", "portable", "mobile", "phone", "phone number",
    ),
    "signer_civility": (
        "civilite du signataire", "civilite signataire", "civilite du representant legal",
        "signer title", "signer civility",
    ),
    "signer_last_name": (
        "nom du signataire", "nom signataire", "nom du representant legal",
        "signer last name", "signer surname",
    ),
    "signer_first_name": (
        "prenom du signataire", "prenom signataire", "prenom du representant legal",
        "signer first name",
    ),
    "signer_email": (
        "email du signataire", "e mail du signataire", "email signataire",
        "email du representant legal", "signer email",
    ),
    "signer_mobile": (
        "mobile du signataire", "portable du signataire", "mobile signataire",
        "mobile du representant legal", "signer mobile", "signer phone",
    ),
    "billing_emails": (
        "email facturation", "e mail facturation", "email de facturation",
        "e mail de facturation", "emails de facturation", "e mails de facturation",
        "courriel facturation", "courriel de facturation", "mail facturation", "billing email",
        "billing emails", "invoice email",
    ),
    "assigned_to": (
        "collaborateur", "collaborateur en charge", "responsable", "responsable du dossier",
        "charge de mission", "gestionnaire", "assigned to", "accountant", "account manager",
    ),
    "tags": ("etiquettes", "etiquette", "tags", "tag", "mots cles", "labels"),
}  # fmt: skip

# Names too common to be trusted as the first word of a longer header ("Client depuis").
EXACT_ONLY = {"nom", "client", "name", "contact", "forme", "dossier", "company", "customer"}
HEADER_SEARCH_ROWS = 10


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "N° TVA" → "n tva"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.lower()).split())


_EXACT = {synonym: field for field, synonyms in SYNONYMS.items() for synonym in synonyms}
# Longest first, so that "email facturation" wins over "email".
_PREFIXES = sorted(
    ((synonym, field) for synonym, field in _EXACT.items() if synonym not in EXACT_ONLY),
    key=lambda item: -len(item[0]),
)


def guess_mapping(headers: Sequence[str]) -> dict[int, str]:
    """{column index: field} for the columns whose header is recognised; a field once at most."""
    names = [normalise(header) for header in headers]
    mapping: dict[int, str] = {}
    for index, name in enumerate(names):
        field = _EXACT.get(name)
        if field and field not in mapping.values():
            mapping[index] = field
    for index, name in enumerate(names):
        if index in mapping or not name:
            continue
        for synonym, field in _PREFIXES:
            if field not in mapping.values() and (name + " ").startswith(synonym + " "):
                mapping[index] = field
                break
    return dict(sorted(mapping.items()))


def missing_fields(mapping: Mapping[int, str]) -> list[str]:
    """The labels of the mandatory fields that no column feeds."""
    chosen = set(mapping.values())
    return [str(FIELD_LABELS[field]) for field in REQUIRED_FIELDS if field not in chosen]


def missing_columns_message(missing: Sequence[str]) -> str:
    message = ngettext(
        "Colonne obligatoire manquante : %(names)s. Le fichier doit contenir au moins la raison "
        "sociale et le SIREN de chaque client.",
        "Colonnes obligatoires manquantes : %(names)s. Le fichier doit contenir au moins la "
        "raison sociale et le SIREN de chaque client.",
        len(missing),
    )
    return message % {"names": ", ".join(missing)}


def header_index(rows: Sequence[Sequence[str]]) -> int:
    """Which of the first rows is the header: the first where both mandatory fields are
    recognised (exports often start with a title line), else the first row."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not missing_fields(guess_mapping(row)):
            return index
    return 0


def mapping_to_json(mapping: Mapping[int, str]) -> dict[str, str]:
    return {str(index): field for index, field in mapping.items() if field}


def mapping_from_json(data: Mapping[str, str]) -> dict[int, str]:
    return {
        int(index): field
        for index, field in data.items()
        if str(index).isdigit() and field in FIELD_LABELS
    }
