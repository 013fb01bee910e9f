"""The dry run (what each row would do, nothing written) and the writing of a plan."""

from __future__ import annotations

import pytest

from clients.forms import ClientForm
from clients.importing.applying import apply_rows, import_rows
from clients.importing.mapping import guess_mapping
from clients.importing.planning import CREATE, REJECT, UNCHANGED, UPDATE, Planner, plan_import
from clients.importing.reading import Table, read_table
from clients.models import Client, HistoryEntry
from firms.models import Role
from firms.tenancy import firm_scope
from tests import factories

HEADER = ["Raison sociale", "N° SIREN", "CP", "Ville", "Email", "Collaborateur", "Clôture"]
BAD_CHECK_DIGIT = "732829321"  # 732829320 is valid


def table(*rows: list[str], header: list[str] = HEADER) -> Table:
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return read_table("\n".join(lines).encode(), "clients.csv")


def plan(firm, source: Table):
    with firm_scope(firm):
        return plan_import(firm=firm, table=source, mapping=guess_mapping(source.headers))


def counts(firm) -> tuple[int, int]:
    with firm_scope(firm):
        return (
            Client.objects.for_firm(firm).count(),
            HistoryEntry.objects.for_firm(firm).count(),
        )


def test_valid_rows_would_be_created_and_nothing_is_written(firm_a):
    source = table(
        ["Boulangerie Martin", "732 829 320", "69002", "Lyon", "paul@martin.test", "", ""],
        ["Café Noir", "552100554", "1000", "Bourg", "", "", "30/06/2025"],
    )
    result = plan(firm_a.firm, source)
    assert [(row.line, row.action) for row in result.rows] == [(2, CREATE), (3, CREATE)]
    assert result.counts() == {CREATE: 2, UPDATE: 0, UNCHANGED: 0, REJECT: 0}
    first, second = result.rows
    assert first.data["siren"] == "732829320" and first.data["fiscal_year_end"] == "31/12"
    # A spreadsheet lost the zero of 01000; the year end came as a full date.
    assert (second.data["postal_code"], second.data["fiscal_year_end"]) == ("01000", "30/06")
    assert counts(firm_a.firm) == (0, 0)


def test_a_wrong_check_digit_is_rejected_with_the_forms_own_message(firm_a):
    result = plan(firm_a.firm, table(["Garage Moreau", BAD_CHECK_DIGIT, "", "", "", "", ""]))
    [row] = result.rows
    form = ClientForm({"company_name": "x", "siren": BAD_CHECK_DIGIT}, firm=firm_a.firm)
    assert not form.is_valid()
    assert row.action == REJECT
    assert row.errors == {"N° SIREN": form.errors["siren"][0]}
    assert row.errors == {"N° SIREN": "Ce SIREN n'existe pas : sa clé de contrôle est fausse."}
    assert counts(firm_a.firm) == (0, 0)


def test_each_invalid_cell_is_reported_under_its_column(firm_a):
    source = table(
        ["", "", "", "", "pas-une-adresse", "", "31/13"],
        ["Café", "552100554", "", "", "", "", ""],
    )
    rejected, valid = plan(firm_a.firm, source).rows
    assert rejected.errors == {
        "Raison sociale": "Ce champ est obligatoire.",
        "N° SIREN": "Le SIREN est obligatoire.",
        "Email": "Saisissez une adresse e-mail valide.",
        "Clôture": "Date de clôture au format JJ/MM (ex. 31/12).",
    }
    assert valid.action == CREATE


def test_a_siren_twice_in_the_file_rejects_both_rows(firm_a):
    source = table(
        ["Café Noir", "552100554", "", "", "", "", ""],
        ["Garage Moreau", "732829320", "", "", "", "", ""],
        ["Café Noir (bis)", "552 100 554", "", "", "", "", ""],
        ["Café Noir (ter)", "552100554", "", "", "", "", ""],
    )
    rows = plan(firm_a.firm, source).rows
    assert [row.action for row in rows] == [REJECT, CREATE, REJECT, REJECT]
    assert rows[0].errors == {
        "N° SIREN": "Ce SIREN figure aussi lignes 4 et 5 du fichier : gardez une seule ligne par "
        "entreprise."
    }
    assert rows[2].errors["N° SIREN"].startswith("Ce SIREN figure aussi lignes 2 et 5 du fichier")


def test_an_existing_siren_updates_only_what_the_file_gives(firm_a):
    existing = factories.make_client(
        firm_a.firm,
        company_name="Café Noir",
        siren="552100554",
        city="Lyon",
        postal_code="69001",
        contact_email="ancien@cafe.test",
    )
    source = table(["Café Noir", "552100554", "69002", "", "nouveau@cafe.test", "", ""])
    [row] = plan(firm_a.firm, source).rows
    assert (row.action, row.client.pk) == (UPDATE, existing.pk)
    assert row.changes == {
        "postal_code": {"label": "code postal", "from": "69001", "to": "69002"},
        "contact_email": {
            "label": "e-mail du contact",
            "from": "ancien@cafe.test",
            "to": "nouveau@cafe.test",
        },
    }
    assert "city" not in row.data  # an empty cell keeps "Lyon"
    assert counts(firm_a.firm) == (1, 0)


def test_a_row_identical_to_the_client_is_unchanged(firm_a):
    factories.make_client(firm_a.firm, company_name="Café Noir", siren="552100554", city="Lyon")
    [row] = plan(firm_a.firm, table(["Café Noir", "552100554", "", "Lyon", "", "", ""])).rows
    assert (row.action, row.changes) == (UNCHANGED, {})


def test_another_firms_client_with_the_same_siren_is_not_touched(firm_a, firm_b):
    factories.make_client(firm_b.firm, siren="552100554")
    [row] = plan(firm_a.firm, table(["Café Noir", "552100554", "", "", "", "", ""])).rows
    assert row.action == CREATE


def test_the_collaborator_is_found_by_email_or_full_name(firm_a):
    julie = factories.make_member(
        firm_a.firm, Role.COLLABORATOR, factories.make_user("julie@cabinet.test", "Julie Bérard")
    ).user
    source = table(
        ["A", "552100554", "", "", "", "JULIE@cabinet.test", ""],
        ["B", "732829320", "", "", "", "BERARD Julie", ""],
        ["C", factories.valid_siren(42), "", "", "", "Inconnu Total", ""],
    )
    by_email, by_name, unknown = plan(firm_a.firm, source).rows
    assert by_email.data["assigned_to"] == julie and by_name.data["assigned_to"] == julie
    assert unknown.errors == {
        "Collaborateur": "« Inconnu Total » n'est pas un membre actif du cabinet : indiquez "
        "l'adresse e-mail ou le nom complet d'un collaborateur."
    }


def test_a_name_two_members_share_must_be_an_email(firm_a):
    for email in ("l.martin@cabinet.test", "luc.martin@cabinet.test"):
        factories.make_member(firm_a.firm, user=factories.make_user(email, "Luc Martin"))
    [row] = plan(firm_a.firm, table(["A", "552100554", "", "", "", "Luc Martin", ""])).rows
    assert row.errors["Collaborateur"].startswith(
        "Plusieurs membres du cabinet s'appellent « Luc Martin »"
    )


def test_a_member_of_another_firm_is_not_a_collaborator(firm_a, firm_b):
    outsider = firm_b.admin.user
    [row] = plan(firm_a.firm, table(["A", "552100554", "", "", "", outsider.email, ""])).rows
    assert (
        row.action == REJECT
        and "n'est pas un membre actif du cabinet" in row.errors["Collaborateur"]
    )


def test_an_import_writes_through_the_services_and_is_idempotent(firm_a):
    factories.make_client(firm_a.firm, company_name="Café Noir", siren="552100554", city="Lyon")
    source = table(
        ["Café Noir", "552100554", "", "Villeurbanne", "", "", ""],
        ["Garage Moreau", "732829320", "69002", "Lyon", "", "", ""],
        ["Faux", BAD_CHECK_DIGIT, "", "", "", "", ""],
    )
    mapping = guess_mapping(source.headers)
    by = firm_a.admin.user
    first = import_rows(firm=firm_a.firm, table=source, mapping=mapping, by=by)
    assert first.as_command_output() == {
        "created": 1,
        "updated": 1,
        "rejected": [
            {
                "row": 4,
                "errors": {"N° SIREN": "Ce SIREN n'existe pas : sa clé de contrôle est fausse."},
            }
        ],
    }
    with firm_scope(firm_a.firm):
        clients = {c.siren: c for c in Client.objects.for_firm(firm_a.firm)}
        entries = list(HistoryEntry.objects.for_firm(firm_a.firm).order_by("id"))
    assert clients["552100554"].city == "Villeurbanne"
    assert clients["732829320"].vat_number == "FR44732829320"
    assert [(entry.action, entry.actor) for entry in entries] == [
        (HistoryEntry.Action.IMPORTED, by),
        (HistoryEntry.Action.IMPORTED, by),
    ]
    again = import_rows(firm=firm_a.firm, table=source, mapping=mapping, by=by)
    assert again.counts() == {CREATE: 0, UPDATE: 0, UNCHANGED: 2, REJECT: 1}
    assert counts(firm_a.firm) == (2, 2)


def test_a_dry_run_through_import_rows_writes_nothing(firm_a):
    source = table(["Café Noir", "552100554", "", "", "", "", ""])
    result = import_rows(
        firm=firm_a.firm, table=source, mapping=guess_mapping(source.headers), by=None, dry_run=True
    )
    assert result.counts()[CREATE] == 1
    assert counts(firm_a.firm) == (0, 0)


def test_a_siren_taken_between_planning_and_writing_rejects_the_row(firm_a):
    source = table(["Café Noir", "552100554", "", "", "", "", ""])
    with firm_scope(firm_a.firm):
        planner = Planner(firm=firm_a.firm, table=source, mapping=guess_mapping(source.headers))
        rows = planner.plan(source.rows)
    factories.make_client(firm_a.firm, siren="552100554")
    with firm_scope(firm_a.firm):
        apply_rows(rows, firm=firm_a.firm, by=None, siren_column="N° SIREN")
    assert (rows[0].action, rows[0].errors) == (
        REJECT,
        {"N° SIREN": "Un client du cabinet a déjà ce SIREN."},
    )
    assert counts(firm_a.firm) == (1, 0)


def test_the_planner_needs_the_mandatory_columns(firm_a):
    source = table(["Lyon"], header=["Ville"])
    with firm_scope(firm_a.firm), pytest.raises(ValueError, match="mandatory"):
        Planner(firm=firm_a.firm, table=source, mapping={0: "city"})
