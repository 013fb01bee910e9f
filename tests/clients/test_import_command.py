"""``manage.py import_clients``: the JSON contract, dry runs and exit statuses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories
from tests.clients.test_import_reading import PNG, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
CSV = (
    "Raison sociale;SIREN;Ville\n"
    "Café Noir;552100554;Lyon\n"
    "Garage Moreau;732829321;Lyon\n"  # wrong check digit
    "Boulangerie Martin;732829320;Villeurbanne\n"
)


def run(firm, path: Path, *options: str) -> dict:
    out = io.StringIO()
    call_command("import_clients", "--firm", firm.slug, str(path), "--json", *options, stdout=out)
    return json.loads(out.getvalue())


def counts(firm) -> tuple[int, int]:
    with firm_scope(firm):
        return (
            Client.objects.for_firm(firm).count(),
            HistoryEntry.objects.for_firm(firm).count(),
        )


@pytest.fixture
def clients_csv(tmp_path) -> Path:
    path = tmp_path / "clients.csv"
    path.write_bytes(CSV.encode("cp1252"))
    return path


def test_json_reports_created_updated_and_rejected_rows_with_file_lines(firm_a, clients_csv):
    factories.make_client(firm_a.firm, siren="552100554", city="Paris")
    assert run(firm_a.firm, clients_csv) == {
        "created": 1,
        "updated": 1,
        "rejected": [
            {
                "row": 3,
                "errors": {"SIREN": "Ce SIREN n'existe pas : sa clé de contrôle est fausse."},
            }
        ],
    }
    assert counts(firm_a.firm) == (2, 2)
    # Again: everything is already there.
    assert run(firm_a.firm, clients_csv)["created"] == 0


def test_dry_run_reports_the_same_and_writes_nothing(firm_a, clients_csv):
    result = run(firm_a.firm, clients_csv, "--dry-run")
    assert (result["created"], result["updated"], len(result["rejected"])) == (2, 0, 1)
    assert counts(firm_a.firm) == (0, 0)


def test_a_duplicate_siren_in_the_file_rejects_both_lines(firm_a, tmp_path):
    path = tmp_path / "doublons.csv"
    path.write_text("Raison sociale,SIREN\nCafé Noir,552100554\nCafé Noir bis,552100554\n")
    result = run(firm_a.firm, path)
    assert [row["row"] for row in result["rejected"]] == [2, 3]
    assert result["rejected"][0]["errors"]["SIREN"] == (
        "Ce SIREN figure aussi ligne 3 du fichier : gardez une seule ligne par entreprise."
    )
    assert counts(firm_a.firm) == (0, 0)


def test_xlsx_rows_are_numbered_as_in_the_sheet(firm_a, tmp_path):
    path = tmp_path / "clients.xlsx"
    path.write_bytes(
        xlsx_bytes([["Raison sociale", "SIREN"], ["Café Noir", 552100554], [], ["Faux", 732829321]])
    )
    result = run(firm_a.firm, path)
    assert (result["created"], [row["row"] for row in result["rejected"]]) == (1, [4])


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("vide.csv", b"", "Le fichier est vide."),
        ("image.csv", PNG, "Ce fichier porte l'extension .csv mais c'est une image PNG"),
        ("faux.xlsx", b"Raison sociale;SIREN\n", "ce n'est pas un classeur Excel lisible"),
        (
            "sans-siren.csv",
            "Raison sociale;Ville\nCafé;Lyon\n".encode(),
            "Colonne obligatoire manquante : SIREN.",
        ),
    ],
)
def test_an_unreadable_file_exits_with_status_2_and_changes_nothing(
    firm_a, tmp_path, filename, content, message
):
    path = tmp_path / filename
    path.write_bytes(content)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_clients", "--firm", firm_a.firm.slug, str(path), "--json", stdout=out)
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert message in json.loads(out.getvalue())["error"]
    assert counts(firm_a.firm) == (0, 0)


def test_a_missing_file_or_one_over_the_limit_exits_with_status_2(firm_a, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable") as error:
        call_command("import_clients", "--firm", firm_a.firm.slug, str(tmp_path / "absent.csv"))
    assert error.value.returncode == 2
    big = tmp_path / "gros.csv"
    big.write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    with pytest.raises(CommandError, match="dépasse la taille maximale de 10 Mo") as error:
        call_command("import_clients", "--firm", firm_a.firm.slug, str(big))
    assert error.value.returncode == 2


def test_an_unknown_firm_is_an_error(db, clients_csv):
    with pytest.raises(CommandError, match="Aucun cabinet actif") as error:
        call_command("import_clients", "--firm", "inconnu", str(clients_csv))
    assert error.value.returncode == 1


def test_the_text_report_lists_rejected_lines(firm_a, clients_csv):
    out = io.StringIO()
    call_command("import_clients", "--firm", firm_a.firm.slug, str(clients_csv), stdout=out)
    text = out.getvalue()
    assert "CSV · Windows-1252 · séparateur point-virgule · 3 lignes de clients" in text
    assert "Créer : 2 · mettre à jour : 0 · inchangés : 0 · rejetés : 1" in text
    assert "Ligne 3 — SIREN : Ce SIREN n'existe pas : sa clé de contrôle est fausse." in text


@pytest.mark.django_db(transaction=True)
def test_exit_statuses_from_the_shell(firm_a, clients_csv, tmp_path):
    firm_option = ("--firm", firm_a.firm.slug)

    def shell(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "import_clients", "--json", str(path), *firm_option],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        )

    read = shell(clients_csv)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["created"] == 2
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    unreadable = shell(empty)
    assert unreadable.returncode == 2
    assert "Le fichier est vide." in unreadable.stderr
    assert counts(firm_a.firm) == (2, 2)
