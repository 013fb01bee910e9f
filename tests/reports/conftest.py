from __future__ import annotations

import pytest

from cartography import services as cartography_services
from firms.tenancy import firm_scope
from fiscal_questionnaire import services as questionnaire_services
from scoring.services import score_clients
from tests import factories

ANSWERS = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "vat_regime": "reel_normal_mensuel",
    "employees": 12,
    "turnover_eur": 1_500_000,
    "balance_sheet_eur": 900_000,
    "sells_b2b_domestic": True,
    "sells_b2c": False,
    "sells_international": False,
    "buys_international": False,
    "sells_public_sector": False,
    "activity_nature": "goods",
}


@pytest.fixture
def equipped_client(firm_a):
    """A client of firm A, assigned to its collaborator, with a complete questionnaire (a PME
    that must issue in 2027), an invoicing software not ready, a reception PA chosen, and its
    score."""
    firm, admin = firm_a.firm, firm_a.admin.user
    client = factories.make_client(
        firm,
        assigned_to=firm_a.collaborator.user,
        company_name="Boulangerie Martin",
        legal_form="SARL",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        contact_name="Claire Martin",
        contact_email="claire@boulangerie-martin.test",
        signer_civility="Mme",
        signer_first_name="Claire",
        signer_last_name="Martin",
        signer_email="claire@boulangerie-martin.test",
        signer_mobile="+33639980123",
    )
    with firm_scope(firm):
        questionnaire_services.save_answers(firm=firm, client=client, values=ANSWERS, by=admin)
        product = cartography_services.add_software_product(
            firm=firm,
            data={
                "vendor": "Ebp",
                "name": "Facturation Classic",
                "category": "invoicing",
                "reform_ready": "no",
            },
            by=admin,
        )
        cartography_services.add_client_software(
            firm=firm,
            client=client,
            data={"product": product, "category": "invoicing", "used_for_issuing": True},
            by=admin,
        )
        platform = cartography_services.add_platform(
            firm=firm, data={"name": "PA Lumière"}, by=admin
        )
        cartography_services.set_client_platform(
            firm=firm, client=client, role="reception", platform=platform, status="chosen", by=admin
        )
        score_clients(firm=firm, client_ids=[client.pk])
        client.refresh_from_db()
    return client
