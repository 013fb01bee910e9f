"""The JeSignExpert export, re-read as the signing service would, and the bulk signatures."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from firms.tenancy import firm_scope
from mandates import jesignexpert, services
from mandates.models import Mandate, MandateSettings, MandateStatus
from tests import factories
from tests.mandates.conftest import minimal_pdf


def _to_sign(firm_a, *clients):
    with firm_scope(firm_a.firm):
        created, _ = services.create_mandates(
            firm=firm_a.firm, client_ids=[client.pk for client in clients], by=None
        )
        for mandate in created:
            services.render_mandate(firm=firm_a.firm, mandate=mandate, by=None)
        return list(
            Mandate.objects.for_firm(firm_a.firm)
            .filter(pk__in=[m.pk for m in created])
            .select_related("client", "client__assigned_to")
            .order_by("client__company_name")
        )


def _rows(workbook: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(workbook)).active
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_the_default_columns_with_e164_numbers_and_the_documents(firm_a, signer_client):
    mandates = _to_sign(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        export = jesignexpert.build_export(
            firm=firm_a.firm, mandates=mandates, preparer=firm_a.supervisor.user
        )
    workbook = load_workbook(io.BytesIO(export.workbook)).active
    headers = [cell.value for cell in next(workbook.iter_rows())]
    assert headers == [header for header, _ in jesignexpert.DEFAULT_COLUMNS]
    (row,) = _rows(export.workbook)
    reference = mandates[0].reference
    assert row["Reference"].value == reference
    assert row["Fichier"].value == f"{reference}.pdf"
    assert len(row["Objet"].value) <= 45 and len(row["Message"].value) <= 4000
    assert row["Signataire1_Mobile"].value == "+33612345678"
    assert row["Signataire1_Email"].value == "claire@boulangerie-martin.test"
    assert row["Signataire2_Email"].value == firm_a.collaborator.user.email
    assert row["Preparateur_Email"].value == firm_a.supervisor.user.email
    documents = zipfile.ZipFile(io.BytesIO(export.documents))
    assert documents.namelist() == [f"{reference}.pdf"]
    assert documents.read(f"{reference}.pdf").startswith(b"%PDF-")


def test_a_formula_in_a_client_name_is_exported_as_text(firm_a):
    client = factories.make_client(
        firm_a.firm,
        company_name='=HYPERLINK("http://evil.test","clic")',
        signer_last_name="Doe",
        signer_email="doe@example.test",
        signer_mobile="06 12 34 56 78",
    )
    mandates = _to_sign(firm_a, client)
    with firm_scope(firm_a.firm):
        export = jesignexpert.build_export(firm=firm_a.firm, mandates=mandates)
    (row,) = _rows(export.workbook)
    cell = row["Raison_sociale"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.test","clic")'
    assert row["Signataire1_Mobile"].value == "+33612345678"  # normalised to E.164


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"signer_email": ""}, "pas d'adresse e-mail"),
        ({"signer_mobile": ""}, "pas de numéro de mobile"),
        ({"signer_mobile": "04 78 00 00 00"}, "pas valable"),  # a landline
    ],
)
def test_a_signer_without_email_or_mobile_is_listed_not_exported(
    firm_a, signer_client, fields, reason
):
    mandates = _to_sign(firm_a, signer_client)
    with firm_scope(firm_a.firm):
        type(signer_client).objects.for_firm(firm_a.firm).filter(pk=signer_client.pk).update(
            **fields
        )
        mandates = list(
            Mandate.objects.for_firm(firm_a.firm).filter(pk=mandates[0].pk).select_related("client")
        )
        export = jesignexpert.build_export(firm=firm_a.firm, mandates=mandates)
    assert export.exported == []
    assert reason in export.excluded[0][1]
    assert _rows(export.workbook) == []


def test_a_firms_own_columns(firm_a, signer_client):
    mandates = _to_sign(firm_a, signer_client)
    columns = [("Ref", "reference"), ("Portable", "signer_mobile"), ("Le", "date")]
    jesignexpert.check_columns(columns)
    with firm_scope(firm_a.firm):
        MandateSettings.objects.for_firm(firm_a.firm).update_or_create(
            firm=firm_a.firm,
            defaults={
                "export_columns": [{"header": h, "value": v} for h, v in columns],
                "export_date_format": "%Y-%m-%d",
            },
        )
        export = jesignexpert.build_export(firm=firm_a.firm, mandates=mandates)
    (row,) = _rows(export.workbook)
    assert list(row) == ["Ref", "Portable", "Le"]
    assert row["Le"].value == mandates[0].created_at.strftime("%Y-%m-%d")


def test_a_column_template_without_the_reference_is_refused():
    with pytest.raises(Exception, match="référence du mandat"):
        jesignexpert.check_columns([("Nom", "signer_last_name")])


def test_the_commands_generate_then_export(firm_a, signer_client, tmp_path):
    unknown = factories.valid_siren(987_654)
    out = io.StringIO()
    call_command(
        "generate_mandates",
        "--firm",
        firm_a.firm.slug,
        "--client",
        signer_client.siren,
        unknown,
        stdout=out,
    )
    assert json.loads(out.getvalue()) == {
        "generated": 1,
        "skipped": [{"siren": unknown, "reason": "Aucun client du cabinet n'a ce SIREN."}],
    }
    out = io.StringIO()
    call_command("export_mandates", "--firm", firm_a.firm.slug, "--out", str(tmp_path), stdout=out)
    assert json.loads(out.getvalue()) == {"exported": 1, "excluded": []}
    assert (tmp_path / "jesignexpert.xlsx").exists() and (tmp_path / "documents.zip").exists()
    again = io.StringIO()
    call_command("generate_mandates", "--firm", firm_a.firm.slug, "--all", stdout=again)
    result = json.loads(again.getvalue())
    assert result["generated"] == 0 and "déjà en cours" in result["skipped"][0]["reason"]


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("export_mandates", ["--firm", "inconnu", "--out", "nulle-part"]),
        ("generate_mandates", ["--firm", "inconnu", "--all"]),
    ],
)
def test_an_unknown_firm_exits_with_status_2(db, command, arguments):
    with pytest.raises(CommandError) as error:
        call_command(command, *arguments, stdout=io.StringIO())
    assert error.value.returncode == 2


def test_signed_files_are_matched_by_reference(firm_a, firm_b, signer_client):
    (mine,) = _to_sign(firm_a, signer_client)
    theirs_client = factories.make_client(firm_b.firm, signer_email="x@y.test")
    with firm_scope(firm_b.firm):
        created, _ = services.create_mandates(
            firm=firm_b.firm, client_ids=[theirs_client.pk], by=None
        )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"signes/{mine.reference}-signe.pdf", minimal_pdf())
        zipped.writestr(f"{created[0].reference}.pdf", minimal_pdf())  # another firm's
        zipped.writestr("sans-reference.pdf", minimal_pdf())
        zipped.writestr(f"{mine.reference}-copie.pdf", b"not a pdf")
    with firm_scope(firm_a.firm):
        files = services.signed_files_from_upload("lot.zip", archive.getvalue())
        result = services.record_signed_files(firm=firm_a.firm, files=files, by=None)
        mine = Mandate.objects.for_firm(firm_a.firm).get(pk=mine.pk)
    assert [m.reference for m in result.signed] == [mine.reference]
    assert mine.status == MandateStatus.SIGNED
    problems = dict(result.problems)
    assert "Aucun mandat du cabinet" in problems[f"{created[0].reference}.pdf"]
    assert "Aucune référence" in problems["sans-reference.pdf"]
    assert "n'est pas un PDF" in problems[f"{mine.reference}-copie.pdf"]


def test_a_broken_archive_is_refused_with_a_message(db):
    with pytest.raises(Exception, match="archive ZIP lisible"):
        services.signed_files_from_upload("lot.zip", b"PK\x03\x04 broken")


def test_a_damaged_file_inside_the_archive_is_listed_not_fatal(firm_a):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("001000001-DEL-20261201-1.pdf", minimal_pdf("intact"))
    damaged = archive.getvalue().replace(b"intact", b"abimee")  # the CRC no longer matches
    files = services.signed_files_from_upload("lot.zip", damaged)
    assert files == [("001000001-DEL-20261201-1.pdf", b"")]
    with firm_scope(firm_a.firm):
        result = services.record_signed_files(firm=firm_a.firm, files=files, by=None)
    assert result.signed == [] and len(result.problems) == 1
