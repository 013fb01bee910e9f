"""Rendering: the base template and its style sheet, escaping, variants and attachments,
failures."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import weasyprint
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageDraw

from pdf import PdfAttachment, PdfRenderError, render_pdf, render_pdf_template
from tests.pdf.poppler import attachment_names, image_count, info_of, save_as_png, text_of

PROJECT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# A delegation mandate as a later app would write it, on the base template.
MANDATE = """{% extends "pdf/base.html" %}
{% block title %}Mandat de facturation — {{ client }}{% endblock %}
{% block letterhead %}
<div class="letterhead__name">{{ firm }}</div>
<div>12 rue de la Paix, 75002 Paris</div>
<div>SIREN 123 456 789 · contact@cabinet-dupont.fr</div>
{% endblock %}
{% block content %}
<div class="recipient"><strong>{{ client }}</strong><br>4 avenue des Lilas<br>69003 Lyon</div>
<h1>Mandat de facturation électronique</h1>
<dl class="document-meta">
  <dt>Date</dt><dd>22 novembre 2026</dd>
  <dt>Référence</dt><dd>{{ reference }}</dd>
</dl>
<p>Le client donne mandat au cabinet d'émettre et de recevoir en son nom les factures
électroniques prévues par la réforme, et de transmettre les données de transaction
(e-reporting) à l'administration fiscale par la plateforme agréée qu'il a choisie.</p>
<h2>Périmètre du mandat</h2>
<table>
  <thead><tr><th>Obligation</th><th>Échéance</th><th class="amount">Honoraires HT</th></tr></thead>
  <tbody>
  {% for duty in duties %}<tr><td>{{ duty }}</td><td>1er septembre 2026</td>
  <td class="amount">250,00 €</td></tr>{% endfor %}
  </tbody>
</table>
<div class="note">Ce mandat peut être révoqué à tout moment par lettre recommandée.</div>
<div class="signatures">
  <div class="signature"><div class="signature__place">Fait à Paris, le 22 novembre 2026</div>
  Pour le cabinet</div>
  <div class="signature"><div class="signature__place">Fait à Lyon, le</div>Pour le client</div>
</div>
{% endblock %}
"""
DUTIES = ["Réception des factures", "Émission des factures", "E-reporting des transactions"]


@pytest.fixture
def templates(tmp_path, settings):
    """The project's templates, and test templates written in ``tmp_path``."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path, PROJECT_TEMPLATES],
        }
    ]
    (tmp_path / "mandate.html").write_text(MANDATE, encoding="utf-8")
    return tmp_path


def logo_png() -> bytes:
    image = Image.new("RGB", (360, 120), "#163a9c")
    ImageDraw.Draw(image).text((24, 48), "CABINET DUPONT", fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mandate_context(**changes: object) -> dict[str, object]:
    return {
        "firm": "Cabinet Dupont & Associés",
        "client": "Boulangerie Martin SARL",
        "reference": "MAN-2026-0042",
        "duties": DUTIES,
        **changes,
    }


def test_the_base_template_renders_a_mandate(templates, artifacts_dir, caplog):
    pdf = render_pdf_template("mandate.html", mandate_context(), images={"logo": logo_png()})

    text = text_of(pdf)
    assert "Mandat de facturation électronique" in text
    assert "Cabinet Dupont & Associés" in text  # in the letterhead, and the footer
    assert "Page 1 / 1" in text
    assert image_count(pdf) == 1  # the logo
    info = info_of(pdf)
    assert "Title: Mandat de facturation — Boulangerie Martin SARL" in info
    assert "Page size: 595.276 x 841.89 pts (A4)" in info
    assert [r for r in caplog.records if r.name == "pdf.fetcher"] == []
    # To look at: test-artifacts/pdf/mandate-1.png.
    assert len(save_as_png(pdf, artifacts_dir / "pdf" / "mandate")) == 1


def test_no_logo_without_an_image(templates):
    pdf = render_pdf_template("mandate.html", mandate_context())
    assert image_count(pdf) == 0
    assert "Cabinet Dupont & Associés" in text_of(pdf)


def test_the_footer_numbers_the_pages_and_names_the_firm(templates):
    pdf = render_pdf_template("mandate.html", mandate_context(duties=DUTIES * 20))
    pages = int(re.search(r"Pages: (\d+)", info_of(pdf))[1])
    assert pages > 1
    text = text_of(pdf)
    for page in range(1, pages + 1):
        assert f"Page {page} / {pages}" in text
    assert text.count("Cabinet Dupont & Associés") == 1 + pages  # letterhead, each footer


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="file:///etc/passwd">',
        "</style><script>alert(1)</script>",
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        "{{ firm }} {% now 'Y' %}",
    ],
)
def test_context_values_are_text_not_markup(templates, hostile, caplog):
    pdf = render_pdf_template(
        "mandate.html",
        mandate_context(client=hostile, reference=hostile, duties=[hostile], firm=hostile),
    )
    text = text_of(pdf)
    assert text.count(hostile) >= 4  # recipient, reference, table, letterhead
    assert image_count(pdf) == 0
    assert [r for r in caplog.records if r.name == "pdf.fetcher"] == []  # nothing was asked for
    assert hostile in info_of(pdf)  # the title, as text too


def test_a_template_engine_without_autoescape_is_refused(tmp_path, settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path, PROJECT_TEMPLATES],
            "OPTIONS": {"autoescape": False},
        }
    ]
    (tmp_path / "mandate.html").write_text(MANDATE, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="autoescape"):
        render_pdf_template("mandate.html", mandate_context())


def test_a_pdf_a_3b_variant_with_an_attachment(templates):
    """What a Factur-X invoice needs: PDF/A-3b and an embedded XML file; the same attachment
    serves twice (WeasyPrint's own can be written once only)."""
    invoice_xml = PdfAttachment(
        name="factur-x.xml",
        content=b'<?xml version="1.0" encoding="UTF-8"?><rsm:CrossIndustryInvoice/>',
        description="Factur-X",
        relationship="Data",
    )
    for _ in range(2):
        pdf = render_pdf_template(
            "mandate.html",
            mandate_context(),
            images={"logo": logo_png()},
            pdf_variant="pdf/a-3b",
            attachments=[invoice_xml],
        )
        assert attachment_names(pdf) == ["factur-x.xml"]
        metadata = info_of(pdf, "-meta")
        assert 'pdfaid:part="3" pdfaid:conformance="B"' in metadata


def test_bad_variants_and_attachments_are_refused():
    with pytest.raises(ValueError, match="unknown PDF variant"):
        render_pdf("<p>x</p>", pdf_variant="pdf/a-9z")
    with pytest.raises(TypeError, match="PdfAttachment"):
        render_pdf("<p>x</p>", attachments=[b"<xml/>"])
    with pytest.raises(ValueError, match="relationship"):
        PdfAttachment(name="factur-x.xml", content=b"<xml/>", relationship="Data /JS")
    with pytest.raises(ValueError, match="plain file name"):
        PdfAttachment(name="../factur-x.xml", content=b"<xml/>")
    with pytest.raises(TypeError, match="bytes"):
        PdfAttachment(name="factur-x.xml", content="<xml/>")


def test_a_weasyprint_failure_is_a_render_error(monkeypatch, caplog):
    def fails(*args, **kwargs):
        raise RuntimeError("cairo is out of memory")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", fails)
    with pytest.raises(PdfRenderError) as raised:
        render_pdf("<p>x</p>")
    assert str(raised.value) == "Le document PDF n'a pas pu être produit."
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert "WeasyPrint could not render a PDF" in caplog.text
