"""The import's downloadable report: no cell a spreadsheet would run as a formula."""

from __future__ import annotations

from clients.importing.job import report_csv
from clients.importing.planning import REJECT, ImportPlan, RowPlan
from clients.importing.reading import Record, Table


def test_formulas_are_neutralised_in_the_headers_as_in_the_cells():
    headers = ['=HYPERLINK("http://x")', "SIREN", "+cmd|' /C calc'!A0", "@SUM(A1)", "-1"]
    cells = ("=1+1", "732829321", "Lyon", "@x", "-2")
    table = Table(headers=headers, rows=[Record(line=2, cells=cells)], description="CSV")
    row = RowPlan(line=2, action=REJECT, company_name="=1+1", siren="732829321", cells=cells)
    row.reject("SIREN", "=clé fausse")
    report = report_csv(ImportPlan([row]), table).decode("utf-8-sig").splitlines()
    assert report == [
        "Ligne;Résultat;Motifs du rejet;"
        "\"'=HYPERLINK(\"\"http://x\"\")\";SIREN;'+cmd|' /C calc'!A0;'@SUM(A1);'-1",
        "2;Rejetée;SIREN : =clé fausse;'=1+1;732829321;Lyon;'@x;'-2",
    ]
