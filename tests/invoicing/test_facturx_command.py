"""``manage.py check_facturx FILE``: a Factur-X PDF or a CII XML checked offline."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from invoicing.facturx import build_cii_xml, facturx_pdf
from pdf import render_pdf
from tests.invoicing.facturx_samples import SELLER, invoice

HTML = (
    "<!doctype html><html lang='fr'><head><title>Facture</title></head>"
    "<body><p>Facture</p></body></html>"
)


def run(*arguments: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_facturx", *arguments, stdout=out)
    except SystemExit as stopped:
        return stopped.code, out.getvalue()
    return 0, out.getvalue()


def test_a_valid_factur_x_pdf(tmp_path):
    path = tmp_path / "F2026-0001.pdf"
    path.write_bytes(facturx_pdf(invoice(), render_pdf(HTML, pdf_variant="pdf/a-3b")))
    status, output = run(str(path))
    assert status == 0
    assert "XML embarqué : factur-x.xml" in output
    assert "PDF/A : PDF/A-3" in output
    assert "Facture valide" in output


def test_an_invalid_xml_lists_its_failures(tmp_path):
    path = tmp_path / "factur-x.xml"
    path.write_bytes(build_cii_xml(invoice(seller=replace(SELLER, siren=""))))
    status, output = run(str(path))
    assert status == 1
    assert "[fr-ctc] BR-FR-10_BT-30" in output
    assert "erreur(s) bloquante(s)" in output


def test_json_output(tmp_path):
    path = tmp_path / "factur-x.xml"
    path.write_bytes(build_cii_xml(invoice(seller=replace(SELLER, siren=""))))
    status, output = run(str(path), "--json")
    result = json.loads(output)
    assert status == 1
    assert result["valid"] is False
    assert {"check": "fr-ctc", "rule": "BR-FR-10_BT-30"}.items() <= result["failures"][0].items()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a pdf nor xml", "Ni un PDF ni un XML lisible"),
        (b"%PDF-1.7 truncated", "PDF illisible"),
    ],
)
def test_unreadable_files_stop_with_status_2(tmp_path, content, message):
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as raised:
        run(str(path))
    assert raised.value.returncode == 2


def test_a_pdf_without_factur_x_xml(tmp_path):
    path = tmp_path / "plain.pdf"
    path.write_bytes(render_pdf(HTML))
    with pytest.raises(CommandError, match="ne contient pas de XML Factur-X") as raised:
        run(str(path))
    assert raised.value.returncode == 2


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire") as raised:
        run(str(tmp_path / "absent.pdf"))
    assert raised.value.returncode == 2
