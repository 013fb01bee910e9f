"""Generating a synthesis report: the numbered version, its snapshot, its PDF as a person reads
it, the history, and versions that nothing can change or delete."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import time
import zipfile
from html import unescape as html_unescape

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.template.loader import render_to_string

from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from reports import services
from reports.document import TEMPLATE, report_context, report_pdf
from reports.models import ImmutableReport, SynthesisReport
from tests import factories
from tests.pdf.poppler import image_count, info_of, save_as_png, text_of
from tests.pdf.test_rendering import logo_png


def generate(firm_a, client, by=None):
    with firm_scope(firm_a.firm):
        return services.generate_report(
            firm=firm_a.firm, client=client, by=by or firm_a.collaborator.user
        )


def pages_of(pdf: bytes) -> int:
    return int(re.search(r"Pages: (\d+)", info_of(pdf))[1])


def test_a_report_is_numbered_hashed_and_kept_with_its_snapshot(
    firm_a, equipped_client, artifacts_dir
):
    report = generate(firm_a, equipped_client)
    with report.document.open("rb") as stored:
        pdf = stored.read()
    assert report.number == 1
    assert report.sha256 == hashlib.sha256(pdf).hexdigest() and report.size == len(pdf)
    assert report.author == firm_a.collaborator.user
    snapshot = report.snapshot
    assert snapshot["number"] == 1 and snapshot["client"]["siren"] == equipped_client.siren
    assert snapshot["obligations"]["issue_from"] == "2027-09-01"
    assert snapshot["platforms"]["reception"]["name"] == "PA Lumière"
    assert snapshot["score"]["level"] in ("low", "medium", "high")
    assert [step["code"] for step in snapshot["next_steps"]][:2] == [
        "reception_platform_stage",
        "sign_mandate",
    ]

    text = text_of(pdf)
    for expected in (
        "Rapport de synthèse",
        "Boulangerie Martin",
        f"SIREN {equipped_client.siren}",
        "Prochaines étapes",
        "Signer le contrat avec PA Lumière",
        "Remplacer ou mettre à jour Ebp Facturation Classic",
        "Obligations de facturation électronique",
        "CGI, art. 289 bis",  # a legal reference
        "Urgence et conformité",
        "Mandat de délégation",
        "Cabinet Alpha",
    ):
        assert expected in text, expected
    assert "1er septembre 2027" in text  # French dates
    assert 2 <= pages_of(pdf) <= 3
    assert "Page 1 / " in text
    # To look at: test-artifacts/reports/report-1.png and the next pages.
    assert save_as_png(pdf, artifacts_dir / "reports" / "report")


def test_the_pdf_is_made_from_the_snapshot_alone(firm_a, equipped_client):
    report = generate(firm_a, equipped_client)
    with firm_scope(firm_a.firm):
        Client.objects.for_firm(firm_a.firm).filter(pk=equipped_client.pk).update(
            company_name="Renommée Depuis"
        )
    with report.document.open("rb") as stored:
        kept = text_of(stored.read())
    again = text_of(report_pdf(report.snapshot))
    assert again == kept and "Renommée Depuis" not in again


def test_french_typography_in_the_pdf(firm_a, equipped_client):
    """The text set in the PDF (its HTML, as pdftotext reads no-break spaces as spaces): never
    a breaking space before « : ; ? ! » nor inside the guillemets; dates held together."""
    report = generate(firm_a, equipped_client)
    html = render_to_string(TEMPLATE, {**report_context(report.snapshot), "pdf_images": set()})
    text = html_unescape(re.sub(r"<[^>]+>", " ", html.split("<main>", 1)[1]))
    assert re.findall(r".{12}[^\s\u00a0\u202f] [:;?!»].{0,12}", text) == []
    assert re.findall(r"« .{0,12}", text) == []
    assert "1er\u00a0septembre\u00a02027" in text
    assert "\u00a0:" in text


def test_versions_follow_each_other_and_stay(firm_a, equipped_client):
    first = generate(firm_a, equipped_client)
    second = generate(firm_a, equipped_client, by=firm_a.supervisor.user)
    other = generate(firm_a, factories.make_client(firm_a.firm))
    assert (first.number, second.number, other.number) == (1, 2, 1)
    with firm_scope(firm_a.firm):
        numbers = list(
            SynthesisReport.objects.for_firm(firm_a.firm)
            .filter(client=equipped_client)
            .values_list("number", flat=True)
        )
        entries = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=equipped_client, subject="report")
            .values_list("summary", flat=True)
        )
    assert numbers == [2, 1]
    assert entries[0].startswith("Rapport de synthèse n° 2 généré (SHA-256 ")
    assert len(entries) == 2
    assert first.document.name != second.document.name


def test_a_stored_version_cannot_change_nor_go(firm_a, equipped_client):
    report = generate(firm_a, equipped_client)
    with firm_scope(firm_a.firm):
        report.number = 7
        with pytest.raises(ImmutableReport):
            report.save()
        with pytest.raises(ImmutableReport):
            report.delete()
        reports = SynthesisReport.objects.for_firm(firm_a.firm)
        with pytest.raises(ImmutableReport):
            reports.update(sha256="0" * 64)
        with pytest.raises(ImmutableReport):
            reports.delete()
        with pytest.raises(Exception, match="protected"):
            Client.objects.for_firm(firm_a.firm).filter(pk=equipped_client.pk).delete()
        assert reports.get().number == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reports_synthesisreport SET sha256 = %s",
        "UPDATE reports_synthesisreport SET snapshot = '{}'::jsonb WHERE sha256 <> %s",
        "DELETE FROM reports_synthesisreport WHERE sha256 <> %s",
    ],
)
def test_the_database_refuses_to_change_a_version(firm_a, equipped_client, statement):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    report = generate(firm_a, equipped_client)
    with firm_scope(firm_a.firm):
        with (
            pytest.raises(IntegrityError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, ["0" * 64])
        assert SynthesisReport.objects.for_firm(firm_a.firm).get().sha256 == report.sha256


def test_an_archived_client_gets_no_new_report(firm_a):
    archived = factories.make_client(firm_a.firm, status=Client.Status.ARCHIVED)
    with pytest.raises(services.ReportRefused, match="Client archivé"):
        generate(firm_a, archived)


def test_the_firms_logo_heads_the_report(firm_a, equipped_client):
    with firm_scope(firm_a.firm):
        report = services.generate_report(
            firm=firm_a.firm,
            client=equipped_client,
            by=None,
            stationery=services.Stationery(logo=logo_png()),
        )
        pdf = report.document.read()
        report.document.close()
    assert image_count(pdf) == 1
    assert report.snapshot["firm"]["logo_sha256"] == hashlib.sha256(logo_png()).hexdigest()
    assert report.snapshot["author"] is None


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        "{{ firm }} {% now 'Y' %}",
    ],
)
def test_every_value_is_text(firm_a, hostile, caplog):
    client = factories.make_client(firm_a.firm, company_name=hostile, contact_name=hostile)
    report = generate(firm_a, client)
    with report.document.open("rb") as stored:
        pdf = stored.read()
    assert text_of(pdf).count(hostile) >= 3
    assert image_count(pdf) == 0
    assert [r for r in caplog.records if r.name == "pdf.fetcher"] == []


def test_a_client_with_nothing_known_still_gets_its_report(firm_a):
    client = factories.make_client(firm_a.firm, company_name="Inconnue SA")
    report = generate(firm_a, client)
    assert report.snapshot["obligations"] is None and report.snapshot["score"] is None
    with report.document.open("rb") as stored:
        text = text_of(stored.read())
    assert "Répondre au questionnaire fiscal" in text


def test_the_archive_holds_the_pdfs_and_their_register(firm_a, equipped_client):
    formula = factories.make_client(firm_a.firm, company_name="=HYPERLINK(1)")
    reports = [generate(firm_a, equipped_client), generate(firm_a, formula)]
    with firm_scope(firm_a.firm):
        content = services.report_archive(reports)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert f"{equipped_client.siren}-boulangerie-martin-rapport-1.pdf" in names
    assert "registre.csv" in names and len(names) == 3
    register = archive.read("registre.csv").decode("utf-8-sig")
    assert reports[0].sha256 in register and "'=HYPERLINK(1)" in register


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_generations_at_once_take_the_next_numbers(firm_a, monkeypatch):
    """The client's row is locked while a version takes its number: the second writer waits and
    takes the next one (PostgreSQL; SQLite writers queue anyway and the constraint retries)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    client = factories.make_client(firm_a.firm)

    def slow_pdf(snapshot, *, logo=b""):
        time.sleep(0.4)
        return b"%PDF-1.4\n% " + str(snapshot["number"]).encode() + b"\n%%EOF\n"

    monkeypatch.setattr(services, "report_pdf", slow_pdf)
    numbers, errors = [], []

    def generate_one():
        try:
            with firm_scope(firm_a.firm):
                numbers.append(
                    services.generate_report(firm=firm_a.firm, client=client, by=None).number
                )
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=generate_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(numbers) == [1, 2]
