"""An administrator takes all of the firm's data out: one JSON file per table and every stored
file, in a ZIP built by a background job."""

from __future__ import annotations

import json
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from firms.models import Firm, Membership
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from privacy.tables import file_fields, firm_tables, stored_files

FIRM_EXPORT_JOB_KIND = "firm_data_export"
CHUNK = 2000
# Never part of an export: secrets, even hashed.
LEFT_OUT_FIELDS = {
    "firms.apitoken": {"key_hash"},
    "self_service.clientlink": {"token_hash"},
    "campaigns.campaignrecipient": {"unsubscribe_token_hash"},
    "campaigns.unsubscription": {"token_hash"},
}
README = """Export des données du cabinet {name} ({slug}), le {date}.

tables/<application>.<table>.json : une liste d'objets, un par ligne de la table, avec tous
  ses champs ; les clés étrangères donnent l'identifiant de la ligne visée.
cabinet.json : la fiche du cabinet.
membres.json : les utilisateurs membres du cabinet (sans leur mot de passe).
fichiers/ : chaque fichier conservé (logos, documents, rapports, factures, exports…), sous son
  nom de stockage, celui que donnent les champs des tables.
"""


def export_firm_job(run: JobRun) -> None:
    tables = firm_tables()
    run.set_total(len(tables) + 1)
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            write_firm(archive, firm)
            files: set[str] = set()
            for model in tables:
                with firm_scope(run.firm_id):
                    write_table(archive, model, run.firm_id)
                    files.update(stored_files(model, run.firm_id))
                run.advance()
            if firm.logo:
                files.add(firm.logo.name)
            for name in sorted(files):
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as stored:
                        archive.writestr(f"fichiers/{name}", stored.read())
            run.advance()
        spool.seek(0)
        run.save_result(
            name=f"donnees-{firm.slug}-{timezone.localdate():%Y-%m-%d}.zip",
            content=spool.read(),
            summary={"tables": len(tables), "files": len(files)},
        )


def write_firm(archive: zipfile.ZipFile, firm: Firm) -> None:
    archive.writestr(
        "LISEZMOI.txt",
        README.format(name=firm.name, slug=firm.slug, date=timezone.localdate().isoformat()),
    )
    archive.writestr("cabinet.json", _json(_row(firm, Firm)))
    with firm_scope(firm):
        members = [
            {
                "id": membership.user_id,
                "email": membership.user.email,
                "full_name": membership.user.full_name,
                "role": membership.role,
                "is_active": membership.is_active,
            }
            for membership in Membership.objects.for_firm(firm).select_related("user")
        ]
    archive.writestr("membres.json", _json(members))


def write_table(archive: zipfile.ZipFile, model, firm_id: int) -> None:
    """The table's rows of the firm, streamed into the archive as one JSON list."""
    label = model._meta.label_lower
    with archive.open(f"tables/{label}.json", "w") as target:
        target.write(b"[")
        rows = model.objects.filter(firm_id=firm_id).order_by("pk").iterator(chunk_size=CHUNK)
        for index, row in enumerate(rows):
            target.write((",\n" if index else "\n").encode())
            target.write(_json(_row(row, model)).encode())
        target.write(b"\n]\n")


def _row(row, model) -> dict:
    left_out = LEFT_OUT_FIELDS.get(model._meta.label_lower, set())
    files = {field.name for field in file_fields(model)}
    data = {}
    for field in model._meta.concrete_fields:
        if field.name in left_out:
            continue
        value = getattr(row, field.attname)
        if field.name in files:
            value = value.name if value else ""
        data[field.attname] = value
    return data


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
