"""The export's content: every part of the client, read in a fixed number of queries per chunk,
in the order and under the filter of the list it was started from."""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exports import services
from exports.reading import Source
from firms.tenancy import firm_scope
from tests import factories
from tests.exports.conftest import FORMULA_NAME, FORMULA_SOFTWARE, FORMULA_TAG, sheet_rows


def export_of(cast, *, source=Source.CLIENT_LIST, querystring="", client_ids=(), fmt="xlsx"):
    params = {"source": source, "querystring": querystring, "client_ids": list(client_ids)}
    ids = services.export_client_ids(cast.supervisor, params)
    return services.write_export(cast.firm.pk, ids, export_format=fmt)


def test_a_row_holds_the_sheet_answers_obligations_software_platforms_profile_and_score(
    firm_a, equipped
):
    _, rows = sheet_rows(export_of(firm_a).content)
    assert len(rows) == 2
    row = next(row for row in rows if row["SIREN"] == equipped.client.siren)
    # The client sheet, formulas neutralised in names, tags and e-mails.
    assert row["Raison sociale"] == "'" + FORMULA_NAME
    assert row["Étiquettes"] == f"'{FORMULA_TAG} ; mailing"
    assert row["E-mails de facturation"] == "compta@martin.test ; =1+1@martin.test"
    assert row["Mobile du signataire"] == "'+33639980001"
    assert row["Civilité du signataire"] == "Mme"
    assert row["Collaborateur"] == firm_a.collaborator.user.full_name
    assert row["Statut"] == "Actif"
    assert row["Dernière revue"].date() == timezone.localdate()  # the cartography's edits
    assert row["Envoi des factures"] == "Par e-mail"
    # The questionnaire's answers: booleans in words, choices by label, numbers typed.
    assert row["L'entreprise est-elle assujettie à la TVA ?"] == "Oui"
    assert row["Où l'entreprise est-elle établie ?"] == "Siège en France"
    assert row["Chiffre d'affaires HT de cet exercice (€)"] == 1_500_000
    assert row["Effectif (ETP) du dernier exercice clos avant le 1er janvier 2025"] == 12
    # The obligations, their dates typed as dates.
    assert row["Réception obligatoire"] == "Oui"
    assert row["Réception à partir du"] == datetime.datetime(2026, 9, 1)
    assert row["Catégorie d'entreprise"] == "PME"
    # The software per category, a formula typed in as a name neutralised.
    assert row["Logiciels : Comptabilité"] == "Sage 50 v9"
    assert row["Logiciels : Facturation"] == "'" + FORMULA_SOFTWARE
    assert row["Logiciels : Paie"] is None
    # The platforms and their statuses.
    assert row["PA réception"] == "PA Alpha"
    assert row["Statut PA réception"] == "Contrat signé"
    assert row["Statut PA réception depuis le"] == datetime.datetime(2026, 10, 5)
    assert row["PA émission"] is None
    # The digital profile and the score.
    assert row["Factures émises par mois"] == 40
    assert row["Part des factures reçues sur papier (%)"] == 30
    assert row["Flux bancaires automatiques"] == "Oui"
    assert isinstance(row["Points"], int | float) and row["Urgence"] in (
        "Faible",
        "Moyenne",
        "Élevée",
    )
    assert isinstance(row["Conformité (%)"], int | float)
    assert row["Mandat de délégation"] == "Aucun"
    plain = next(row for row in rows if row["SIREN"] == equipped.plain.siren)
    assert plain["Raison sociale"] == "Atelier Bernard" and plain["Réception à partir du"] is None


def test_the_csv_has_the_same_columns_and_the_same_neutralised_values(firm_a, equipped):
    content = export_of(firm_a, fmt="csv").content
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, _ = sheet_rows(export_of(firm_a).content)
    assert lines[0] == header
    row = dict(
        zip(lines[0], next(line for line in lines if equipped.client.siren in line), strict=True)
    )
    assert row["Raison sociale"] == "'" + FORMULA_NAME
    assert row["Réception à partir du"] == "01/09/2026"
    assert row["Chiffre d'affaires HT de cet exercice (€)"] == "1500000"
    assert row["Logiciels : Facturation"] == "'" + FORMULA_SOFTWARE


def test_the_client_list_filter_is_honoured_in_its_order(firm_a):
    for name in ("Zinc", "Ardoise", "Marbre"):
        factories.make_client(firm_a.firm, company_name=f"{name} SARL", tags=["mailing"])
    for number in range(5):
        factories.make_client(firm_a.firm, company_name=f"Autre {number}")
    _, rows = sheet_rows(export_of(firm_a, querystring="tag=mailing&sort=-name").content)
    assert [row["Raison sociale"] for row in rows] == ["Zinc SARL", "Marbre SARL", "Ardoise SARL"]


def test_the_portfolio_filter_and_the_selection_are_honoured(firm_a, equipped):
    _, rows = sheet_rows(
        export_of(firm_a, source=Source.PORTFOLIO, querystring="obligation=receive").content
    )
    assert [row["SIREN"] for row in rows] == [equipped.client.siren]
    _, rows = sheet_rows(
        export_of(firm_a, source=Source.SELECTION, client_ids=[equipped.plain.pk]).content
    )
    assert [row["SIREN"] for row in rows] == [equipped.plain.siren]


def test_another_firms_clients_are_never_exported(firm_a, firm_b, equipped):
    other = factories.make_client(firm_b.firm, company_name="Cabinet voisin")
    _, rows = sheet_rows(
        export_of(firm_a, source=Source.SELECTION, client_ids=[other.pk, equipped.plain.pk]).content
    )
    assert [row["Raison sociale"] for row in rows] == ["Atelier Bernard"]


def _queries_to_read(cast, count: int) -> int:
    ids = services.export_client_ids(cast.supervisor, {})
    assert len(ids) == count
    with CaptureQueriesContext(connection) as captured:
        services.write_export(cast.firm.pk, ids, chunk=10)
    # The reads alone: not the firm scope's set_config, savepoints or transaction control.
    return sum(
        1
        for query in captured
        if query["sql"].startswith("SELECT") and "set_config" not in query["sql"]
    )


def test_the_rows_are_read_in_a_fixed_number_of_queries_per_chunk(firm_a, equipped):
    for number in range(8):
        factories.make_client(firm_a.firm, company_name=f"Client {number}")
    one_chunk = _queries_to_read(firm_a, 10)  # 10 clients: one chunk of 10
    for number in range(8, 18):
        factories.make_client(firm_a.firm, company_name=f"Client {number}")
    two_chunks = _queries_to_read(firm_a, 20)  # 20 clients: two chunks
    # Five queries a chunk, never one a client.
    assert one_chunk == 5
    assert two_chunks == 2 * one_chunk


def test_the_columns_do_not_depend_on_the_interface_language(firm_a, equipped, settings):
    from django.utils import translation

    with translation.override("en"):
        header, rows = sheet_rows(export_of(firm_a).content)
    assert "Raison sociale" in header
    row = next(row for row in rows if row["SIREN"] == equipped.client.siren)
    assert row["Statut PA réception"] == "Contrat signé"


def test_a_client_with_answers_but_no_score_row_still_exports(firm_a, equipped):
    from scoring.models import ClientScore

    with firm_scope(firm_a.firm):
        ClientScore.objects.for_firm(firm_a.firm).filter(client=equipped.client).delete()
    _, rows = sheet_rows(export_of(firm_a).content)
    row = next(row for row in rows if row["SIREN"] == equipped.client.siren)
    assert row["Points"] is None and row["Urgence"] is None
