"""Guessing which client field each column of a file feeds."""

from __future__ import annotations

import pytest

from clients.importing.mapping import (
    guess_mapping,
    header_index,
    mapping_from_json,
    mapping_to_json,
    missing_columns_message,
    missing_fields,
    normalise,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Raison sociale", "raison sociale"),
        ("  RAISON   SOCIALE ", "raison sociale"),
        ("N° TVA intracom.", "n tva intracom"),
        ("Nº SIREN", "no siren"),
        ("E-mail", "e mail"),
        ("Tél.", "tel"),
        ("Clôture de l'exercice", "cloture de l exercice"),
        ("Étiquettes", "etiquettes"),
    ],
)
def test_headers_are_normalised_without_accents_case_or_punctuation(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Raison sociale", "company_name"),
        ("Dénomination", "company_name"),
        ("Nom", "company_name"),
        ("Company name", "company_name"),
        ("SIREN", "siren"),
        ("N° SIREN", "siren"),
        ("siret", "siret"),
        ("SIRET du siège", "siret"),
        ("Code NAF", "naf_code"),
        ("APE", "naf_code"),
        ("NAF", "naf_code"),
        ("Code NAF/APE", "naf_code"),
        ("Forme juridique", "legal_form"),
        ("Adresse", "address"),
        ("Adresse 1", "address"),
        ("Address line 1", "address"),
        ("CP", "postal_code"),
        ("Code postal", "postal_code"),
        ("Zip", "postal_code"),
        ("Ville", "city"),
        ("City", "city"),
        ("Email", "contact_email"),
        ("E-mail", "contact_email"),
        ("Courriel", "contact_email"),
        ("Contact", "contact_name"),
        ("Nom du contact", "contact_name"),
        ("Dirigeant", "contact_name"),
        ("Téléphone", "contact_phone"),
        ("Tél", "contact_phone"),
        ("TVA", "vat_number"),
        ("N° TVA intracom", "vat_number"),
        ("Clôture", "fiscal_year_end"),
        ("Date de clôture", "fiscal_year_end"),
        ("Email facturation", "billing_emails"),
        ("E-mails de facturation", "billing_emails"),
        ("Collaborateur", "assigned_to"),
        ("Étiquettes", "tags"),
        ("Tags", "tags"),
        # The first words of a longer header, for the distinctive names.
        ("SIREN du client", "siren"),
        ("Ville du siège", "city"),
        ("Téléphone fixe", "contact_phone"),
    ],
)
def test_usual_french_and_english_headers_are_recognised(header, field):
    assert guess_mapping(["Autre", header]) == {1: field}


@pytest.mark.parametrize("header", ["Commentaire", "Client depuis", "Nom commercial", "Date", ""])
def test_other_headers_are_left_alone(header):
    assert guess_mapping([header]) == {}


def test_a_typical_export_is_mapped_entirely():
    headers = [
        "Code client",
        "Raison sociale",
        "SIREN",
        "SIRET",
        "Code NAF",
        "Adresse",
        "CP",
        "Ville",
        "Email",
        "Email facturation",
        "Collaborateur",
    ]
    assert guess_mapping(headers) == {
        1: "company_name",
        2: "siren",
        3: "siret",
        4: "naf_code",
        5: "address",
        6: "postal_code",
        7: "city",
        8: "contact_email",
        9: "billing_emails",
        10: "assigned_to",
    }


def test_a_field_is_fed_by_one_column_at_most_exact_names_first():
    # "Nom du dirigeant" is the contact even before the exact "Nom"; two "Email": the first.
    assert guess_mapping(["Nom du dirigeant", "Nom", "Email", "E-mail"]) == {
        0: "contact_name",
        1: "company_name",
        2: "contact_email",
    }
    assert guess_mapping(["Raison sociale", "Nom"]) == {0: "company_name"}


def test_missing_mandatory_fields_are_named():
    assert missing_fields({0: "company_name", 1: "siren"}) == []
    assert missing_fields({0: "city"}) == ["Raison sociale", "SIREN"]
    assert missing_columns_message(["SIREN"]) == (
        "Colonne obligatoire manquante : SIREN. Le fichier doit contenir au moins la raison "
        "sociale et le SIREN de chaque client."
    )
    assert missing_columns_message(["Raison sociale", "SIREN"]).startswith(
        "Colonnes obligatoires manquantes : Raison sociale, SIREN."
    )


def test_the_header_is_the_first_row_naming_the_mandatory_columns():
    rows = [("Portefeuille au 31/12",), ("Raison sociale", "SIREN"), ("Café", "552100554")]
    assert header_index(rows) == 1
    assert header_index([("Société", "Numéro"), ("Café", "552100554")]) == 0


def test_mapping_round_trips_through_json_and_ignores_unknown_fields():
    mapping = {0: "company_name", 3: "siren"}
    assert mapping_from_json(mapping_to_json(mapping)) == mapping
    assert mapping_from_json({"0": "company_name", "1": "password", "x": "siren"}) == {
        0: "company_name"
    }
