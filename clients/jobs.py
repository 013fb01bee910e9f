"""Background work on clients."""

from __future__ import annotations

import csv
import io

from clients.models import Client
from firms.tenancy import firm_scope
from jobs.progress import JobRun

CHUNK = 500
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> str:
    """A cell that a spreadsheet would read as a formula is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_clients_csv(run: JobRun) -> None:
    columns = [
        ("company_name", "Raison sociale"),
        ("siren", "SIREN"),
        ("siret", "SIRET"),
        ("naf_code", "Code NAF"),
        ("legal_form", "Forme juridique"),
        ("postal_code", "Code postal"),
        ("city", "Ville"),
        ("contact_name", "Contact"),
        ("contact_email", "E-mail"),
    ]
    with firm_scope(run.firm_id):
        ids = list(
            Client.objects.for_firm(run.firm_id)
            .filter(status=Client.Status.ACTIVE)
            .order_by("company_name", "id")
            .values_list("id", flat=True)
        )
    run.set_total(len(ids))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([label for _, label in columns])
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with firm_scope(run.firm_id):
            rows = (
                Client.objects.for_firm(run.firm_id)
                .filter(id__in=chunk)
                .order_by("company_name", "id")
                .values_list(*(name for name, _ in columns))
            )
            writer.writerows([neutralise_formula(value) for value in row] for row in rows)
        run.advance(len(chunk))
    run.save_result(
        name="clients.csv",
        content=buffer.getvalue().encode("utf-8-sig"),
        summary={"rows": len(ids)},
    )
