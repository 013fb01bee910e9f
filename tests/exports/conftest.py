from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import openpyxl
import pytest

from cartography import services as cartography_services
from cartography.models import Platform, SoftwareProduct
from clients.models import Client
from firms.tenancy import firm_scope
from fiscal_questionnaire import services as fiscal_services
from tests import factories

# Values a spreadsheet would take for formulas, in the places a firm types text.
FORMULA_NAME = '=HYPERLINK("http://evil.test","Cliquez")'
FORMULA_TAG = "@SUM(1+1)"
FORMULA_SOFTWARE = "+cmd|' /C calc'!A0"


@dataclass
class Equipped:
    client: Client
    plain: Client


@pytest.fixture
def equipped(firm_a) -> Equipped:
    """A client of firm A with every part of the export filled in, and a plain one."""
    firm, admin = firm_a.firm, firm_a.admin.user
    client = factories.make_client(
        firm,
        assigned_to=firm_a.collaborator.user,
        company_name=FORMULA_NAME,
        legal_form="SARL",
        naf_code="1071C",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        contact_name="Claire Martin",
        contact_email="claire@martin.test",
        signer_civility="Mme",
        signer_first_name="Claire",
        signer_last_name="Martin",
        signer_email="claire@martin.test",
        signer_mobile="+33639980001",
        billing_emails=["compta@martin.test", "=1+1@martin.test"],
        tags=[FORMULA_TAG, "mailing"],
    )
    plain = factories.make_client(firm, company_name="Atelier Bernard")
    with firm_scope(firm):
        fiscal_services.save_answers(
            firm=firm,
            client=client,
            values={
                "vat_liable": True,
                "establishment": "france_hq",
                "vat_group_member": False,
                "exempt_operations": "none",
                "vat_regime": "reel_normal_mensuel",
                "employees": 12,
                "turnover_eur": 1_500_000,
                "balance_sheet_eur": 800_000,
            },
            by=admin,
        )
        product = SoftwareProduct.objects.create(
            firm=firm, vendor="Sage", name="Sage 50", category="accounting", reform_ready="yes"
        )
        cartography_services.add_client_software(
            firm=firm,
            client=client,
            data={"product": product, "category": "accounting", "version": "v9"},
            by=admin,
        )
        cartography_services.add_client_software(
            firm=firm,
            client=client,
            data={"name": FORMULA_SOFTWARE, "category": "invoicing"},
            by=admin,
        )
        platform = Platform.objects.create(firm=firm, name="PA Alpha")
        cartography_services.set_client_platform(
            firm=firm,
            client=client,
            role="reception",
            platform=platform,
            status="contract_signed",
            by=admin,
            on=datetime.date(2026, 10, 5),
        )
        cartography_services.save_digital_profile(
            firm=firm,
            client=client,
            answers={
                "invoices_issued_per_month": 40,
                "paper_share_received": 30,
                "bank_feed": True,
            },
            by=admin,
        )
        client.refresh_from_db()
    return Equipped(client=client, plain=plain)


def read_xlsx(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_rows(content: bytes) -> tuple[list[str], list[dict]]:
    """The header and the rows of an exported workbook, each row as {header: value}."""
    sheet = read_xlsx(content).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    return header, [dict(zip(header, row, strict=True)) for row in values[1:]]
