"""``create_invoices`` and ``invoice_pdf`` from the command line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from firms.tenancy import firm_scope
from invoicing.models import Invoice


def _run(firm, items, tmp_path) -> list:
    path = tmp_path / "factures.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    out = io.StringIO()
    call_command("create_invoices", "--firm", firm.slug, str(path), stdout=out)
    return json.loads(out.getvalue())


def test_create_and_issue_from_a_file(seller, buyer, tmp_path):
    printed = _run(
        seller.firm,
        [
            {
                "client_siren": buyer.siren,
                "lines": [
                    {
                        "description": "Honoraires",
                        "quantity": "1.5",
                        "unit_price": "99.99",
                        "vat_rate": "20",
                    },
                    {
                        "description": "Débours",
                        "quantity": "1",
                        "unit_price": "10",
                        "vat_rate": "0",
                        "vat_category": "Z",
                    },
                ],
                "issue": True,
            },
            {
                "client_siren": buyer.siren,
                "lines": [
                    {
                        "description": "Conseil",
                        "quantity": "1",
                        "unit_price": "150.00",
                        "vat_rate": "20",
                    }
                ],
            },
        ],
        tmp_path,
    )
    assert printed[0]["number"].endswith("-000001")
    assert printed[0]["total_excl_vat"] == "159.99" and printed[0]["total_incl_vat"] == "189.99"
    assert printed[1] == {"number": None, "total_excl_vat": "150.00", "total_incl_vat": "180.00"}
    out = tmp_path / "facture.pdf"
    call_command(
        "invoice_pdf",
        "--firm",
        seller.firm.slug,
        printed[0]["number"],
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"client_siren": "000000000", "lines": []}, "Élément 2, client_siren"),
        (
            {
                "client_siren": "732829320",
                "lines": [
                    {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "7"}
                ],
            },
            "Élément 2, lines[1] : vat_rate",
        ),
        (
            {
                "client_siren": "732829320",
                "lines": [
                    {
                        "description": "x",
                        "quantity": "1",
                        "unit_price": "1",
                        "vat_rate": "0",
                        "vat_category": "E",
                    }
                ],
            },
            "exemption_reason",
        ),
        (
            {
                "client_siren": "732829320",
                "lines": [
                    {"description": "x", "quantity": "deux", "unit_price": "1", "vat_rate": "20"}
                ],
            },
            "lines[1] : quantity",
        ),
        (
            {
                "client_siren": "732829320",
                "lines": [
                    {"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "20"}
                ],
                "issue": "oui",
            },
            "Élément 2, issue",
        ),
        ("pas un objet", "Élément 2"),
    ],
)
def test_a_bad_item_creates_nothing(seller, buyer, tmp_path, item, message):
    good = {
        "client_siren": buyer.siren,
        "lines": [{"description": "Ok", "quantity": "1", "unit_price": "1", "vat_rate": "20"}],
        "issue": True,
    }
    with pytest.raises(CommandError) as error:
        _run(seller.firm, [good, item], tmp_path)
    assert error.value.returncode == 2
    assert message in str(error.value)
    with firm_scope(seller.firm):
        assert not Invoice.objects.for_firm(seller.firm).exists()


def test_invoice_pdf_refuses_unknown_numbers_drafts_and_firms(seller, buyer, tmp_path):
    _run(
        seller.firm,
        [
            {
                "client_siren": buyer.siren,
                "lines": [
                    {"description": "Ok", "quantity": "1", "unit_price": "1", "vat_rate": "20"}
                ],
            }
        ],
        tmp_path,
    )
    for firm, number in (
        (seller.firm.slug, "FA-2026-999999"),
        (seller.firm.slug, ""),
        ("inconnu", "FA-2026-000001"),
    ):
        with pytest.raises(CommandError) as error:
            call_command("invoice_pdf", "--firm", firm, number, "--out", str(tmp_path / "x.pdf"))
        assert error.value.returncode == 2
