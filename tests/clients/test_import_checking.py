"""The import's row checker against the client form itself: for every field's valid, invalid,
odd and empty values, on a new client and on an existing one, the same cleaned values and the
same French messages, in the same order, as ``is_valid()`` on a form built for the row."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.db import models

from clients.forms import ClientForm
from clients.importing.checking import RowChecker, model_defaults
from clients.importing.planning import (
    ImportRowForm,
    KnownMemberField,
    MemberDirectory,
    _form_values,
    import_row_form,
)
from clients.models import Client
from firms.tenancy import firm_scope
from tests import factories

SIREN = "732829320"
SIRET = "73282932000074"
OTHER_SIREN = "552100554"

VALID_ROW = {
    "company_name": "Boulangerie Martin",
    "siren": SIREN,
    "siret": SIRET,
    "naf_code": "10.71C",
    "legal_form": "SARL",
    "vat_number": "",
    "address": "3 rue de la Paix",
    "postal_code": "69002",
    "city": "Lyon",
    "fiscal_year_end": "31/12",
    "contact_name": "Paul Martin",
    "contact_email": "paul@martin.test",
    "contact_phone": "04 78 00 00 00",
    "signer_civility": "M.",
    "signer_last_name": "Martin",
    "signer_first_name": "Paul",
    "signer_email": "paul@martin.test",
    "signer_mobile": "06 39 98 12 34",
    "billing_emails": "compta@martin.test, paul@martin.test",
    "invoice_delivery": "email",
    "assigned_to": "",
    "tags": "boulangerie, lyon",
}

# (field, value): each replaces the valid row's value; "MEMBER" and "OUTSIDER" are user ids.
VARIANTS = [
    ("company_name", ""),
    ("company_name", "x" * 201),
    ("company_name", "Nul\x00"),
    ("company_name", "  Espaces  "),
    ("siren", ""),
    ("siren", "732 829 320"),
    ("siren", "732829321"),
    ("siren", "12345"),
    ("siren", "abcdefghi"),
    ("siren", "7" * 21),
    ("siren", "７３２８２９３２０"),
    ("siret", ""),
    ("siret", "732 829 320 00074"),
    ("siret", "73282932000075"),
    ("siret", "123"),
    ("siret", "55210055400013"),
    ("siret", "x" * 31),
    ("naf_code", ""),
    ("naf_code", "10.71c"),
    ("naf_code", "1071 C"),
    ("naf_code", "99.99Z"),
    ("naf_code", "abc"),
    ("naf_code", "x" * 11),
    ("legal_form", "x" * 51),
    ("vat_number", "FR44732829320"),
    ("vat_number", "FR 44 732 829 320"),
    ("vat_number", "FR00732829320"),
    ("vat_number", "FR83552100554"),
    ("vat_number", "n'importe quoi"),
    ("address", "x" * 251),
    ("postal_code", "x" * 11),
    ("city", "x" * 101),
    ("fiscal_year_end", ""),
    ("fiscal_year_end", "30/06"),
    ("fiscal_year_end", "31/13"),
    ("fiscal_year_end", "x" * 6),
    ("contact_name", "x" * 151),
    ("contact_email", ""),
    ("contact_email", "PAUL@Martin.test"),
    ("contact_email", "pas-une-adresse"),
    ("contact_email", "a" * 250 + "@b.fr"),
    ("contact_phone", "x" * 31),
    ("signer_civility", ""),
    ("signer_civility", "Mme"),
    ("signer_civility", "Mr"),
    ("signer_last_name", "x" * 101),
    ("signer_email", "faux@"),
    ("signer_mobile", ""),
    ("signer_mobile", "+33 6 12 34 56 78"),
    ("signer_mobile", "01 23 45 67 89"),
    ("signer_mobile", "abc"),
    ("billing_emails", ""),
    ("billing_emails", "A@B.fr\na@b.fr; c@d.fr"),
    ("billing_emails", "a@b.fr, pas-une-adresse"),
    ("invoice_delivery", ""),
    ("invoice_delivery", "paper"),
    ("invoice_delivery", "fax"),
    ("assigned_to", "MEMBER"),
    ("assigned_to", "OUTSIDER"),
    ("assigned_to", "999999999"),
    ("assigned_to", "abc"),
    ("tags", ""),
    ("tags", "a, b, a;c\nd"),
    ("tags", "x" * 50),
]


def everything_wrong() -> dict[str, str]:
    return {
        **VALID_ROW,
        "company_name": "",
        "siren": "732829321",
        "siret": "123",
        "naf_code": "abc",
        "vat_number": "FR00",
        "fiscal_year_end": "31/13",
        "contact_email": "faux",
        "signer_civility": "Mr",
        "signer_mobile": "abc",
        "billing_emails": "faux",
        "invoice_delivery": "fax",
        "assigned_to": "abc",
    }


def results(cleaned: dict, errors) -> tuple[dict, list[tuple[str, list[str]]]]:
    plain = {
        name: value.pk if isinstance(value, models.Model) else value
        for name, value in cleaned.items()
    }
    return plain, [(name, list(messages)) for name, messages in errors.items()]


@pytest.fixture
def setting(firm_a, firm_b):
    """The firm's members as an import reads them, a member and an outsider, a client."""
    firm = firm_a.firm
    with firm_scope(firm):
        directory = MemberDirectory(firm)
        members = list(directory.users.values())
        client = factories.make_client(
            firm, company_name="Ancien nom", siren=OTHER_SIREN, city="Bourg", tags=["vieux"]
        )
    return {
        "firm": firm,
        "directory": directory,
        "member": firm_a.collaborator.user.pk,
        "outsider": firm_b.admin.user.pk,
        "members": members,
        "client": client,
    }


def row_data(setting, base: dict, field: str | None, value: str | None) -> dict:
    data = dict(base)
    if field is not None:
        data[field] = value
    for name, text in data.items():
        if text == "MEMBER":
            data[name] = str(setting["member"])
        elif text == "OUTSIDER":
            data[name] = str(setting["outsider"])
    return data


def import_form_results(setting, data: dict, client: Client | None):
    """What the import did before the checker: a form per row, its fields as for the file."""
    from clients.forms import firm_members

    firm = setting["firm"]
    member_choices = firm_members(firm)
    form = ImportRowForm(
        data,
        instance=copy.copy(client) if client else None,
        firm=firm,
        check_siren_unique=False,
        members=member_choices,
    )
    form.fields["assigned_to"] = KnownMemberField(setting["directory"].users, member_choices)
    form.is_valid()
    return results(form.cleaned_data, form.errors)


def checker_results(setting, data: dict, client: Client | None):
    from clients.forms import firm_members

    firm = setting["firm"]
    member_choices = firm_members(firm)
    checker = RowChecker(
        import_row_form(
            firm, member_choices, KnownMemberField(setting["directory"].users, member_choices)
        )
    )
    cleaned, errors = checker.check(data, vars(client) if client else model_defaults(Client))
    return results(cleaned, errors)


CASES = [(None, None), *VARIANTS]


@pytest.mark.parametrize(("field", "value"), CASES)
def test_a_new_clients_row_is_checked_as_the_form_checks_it(setting, field, value):
    data = row_data(setting, VALID_ROW, field, value)
    with firm_scope(setting["firm"]):
        expected = import_form_results(setting, data, None)
        assert checker_results(setting, data, None) == expected
        # Only the file's non-empty cells, as the planner hands them, with the defaults.
        given = {name: text for name, text in data.items() if text}
        given = {"fiscal_year_end": "31/12", "invoice_delivery": "email", **given}
        assert checker_results(setting, given, None) == import_form_results(setting, given, None)
    if field is None:
        assert expected[1] == []  # the valid row is valid


@pytest.mark.parametrize(("field", "value"), CASES)
def test_an_existing_clients_row_is_checked_as_the_form_checks_it(setting, field, value):
    client = setting["client"]
    data = _form_values(client)
    if field is not None:
        data.update(row_data(setting, {}, field, value) if value else {})
    with firm_scope(setting["firm"]):
        assert checker_results(setting, data, client) == import_form_results(setting, data, client)


def test_every_error_at_once_in_the_forms_order(setting):
    data = row_data(setting, everything_wrong(), None, None)
    with firm_scope(setting["firm"]):
        expected = import_form_results(setting, data, None)
        assert checker_results(setting, data, None) == expected
    assert [name for name, _ in expected[1]] == [
        "company_name",
        "siren",
        "naf_code",
        "vat_number",
        "fiscal_year_end",
        "contact_email",
        "signer_civility",
        "signer_mobile",
        "billing_emails",
        "invoice_delivery",
        "assigned_to",
        "siret",  # the form's clean(), after every field
    ]


@pytest.mark.parametrize(("field", "value"), CASES)
def test_the_checker_follows_the_client_form_itself(setting, field, value):
    """With the sheet's form as it is (its collaborator select, whose model check reads the
    user), not only the import's."""
    data = row_data(setting, VALID_ROW, field, value)
    firm = setting["firm"]
    with firm_scope(firm):
        form = ClientForm(data, firm=firm, check_siren_unique=False)
        form.is_valid()
        checker = RowChecker(ClientForm(firm=firm, check_siren_unique=False))
        assert results(*checker.check(data, model_defaults(Client))) == results(
            form.cleaned_data, form.errors
        )


def test_a_model_check_the_checker_would_not_run_is_refused(firm_a, monkeypatch):
    monkeypatch.setattr(Client, "clean", lambda self: None)
    with pytest.raises(ValueError, match="clean is not run"):
        RowChecker(ClientForm(firm=firm_a.firm))


class LooseForm(ClientForm):
    """A form looser than its model: the model's own check catches the long legal form."""

    legal_form = forms.CharField(max_length=200, required=False)


def test_the_models_own_check_is_run_on_what_the_form_let_through(firm_a):
    firm = firm_a.firm
    # An instance whose year end (not in the data: it keeps its value) is too long.
    instance = Client(firm=firm, company_name="Ancien", siren=SIREN, fiscal_year_end="123456")
    data = {"company_name": "Nouveau", "siren": SIREN, "legal_form": "x" * 51}
    with firm_scope(firm):
        form = LooseForm(data, instance=copy.copy(instance), firm=firm, check_siren_unique=False)
        form.is_valid()
        checker = RowChecker(LooseForm(firm=firm, check_siren_unique=False))
        found = results(*checker.check(data, vars(instance)))
    assert found == results(form.cleaned_data, form.errors)
    assert found[1] == [
        (
            "legal_form",
            ["Assurez-vous que cette valeur comporte au plus 50 caractères (actuellement 51)."],
        ),
        (
            "fiscal_year_end",
            ["Assurez-vous que cette valeur comporte au plus 5 caractères (actuellement 6)."],
        ),
    ]
