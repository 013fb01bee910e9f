from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartography import services
from cartography.selectors import cartography_inputs_for_clients
from firms.tenancy import firm_scope
from tests import factories


def cartography_inputs(client):
    return cartography_inputs_for_clients(client.firm_id, [client.pk])[client.pk]


def test_an_empty_cartography(firm_a, client_a):
    with firm_scope(firm_a.firm):
        inputs = cartography_inputs(client_a)
    assert inputs == {
        "profile": {
            "invoice_tool": None,
            "invoices_issued_per_month": None,
            "invoices_received_per_month": None,
            "paper_share_received": None,
            "purchase_entry": None,
            "bank_feed": None,
            "has_pos": None,
            "digital_maturity": None,
        },
        "software": [],
        "reception_platform": None,
        "issuing_platform": None,
    }


def test_the_shape_the_scoring_consumes(firm_a, client_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm):
        services.add_client_software(
            firm=firm,
            client=client_a,
            data={"product": catalogue_a["pennylane"], "used_for_issuing": True},
            by=None,
        )
        services.add_client_software(
            firm=firm, client=client_a, data={"product": catalogue_a["excel"]}, by=None
        )
        services.add_client_software(
            firm=firm,
            client=client_a,
            data={"name": "Caisse", "category": "point_of_sale", "used_for_receiving": True},
            by=None,
        )
        services.set_client_platform(
            firm=firm,
            client=client_a,
            role="reception",
            platform=catalogue_a["pa"],
            status="contract_signed",
            by=None,
        )
        services.save_digital_profile(
            firm=firm,
            client=client_a,
            answers={"invoice_tool": "word_excel", "paper_share_received": "30", "has_pos": "oui"},
            by=None,
        )
        inputs = cartography_inputs(client_a)
    assert inputs["profile"]["invoice_tool"] == "word_excel"
    assert inputs["profile"]["paper_share_received"] == 30
    assert inputs["profile"]["has_pos"] is True
    assert inputs["profile"]["bank_feed"] is None
    assert sorted(inputs["software"], key=lambda s: s["category"]) == [
        {
            "category": "accounting",
            "reform_ready": True,
            "used_for_issuing": True,
            "used_for_receiving": False,
        },
        {
            "category": "other",
            "reform_ready": False,
            "used_for_issuing": False,
            "used_for_receiving": False,
        },
        {
            "category": "point_of_sale",
            "reform_ready": None,
            "used_for_issuing": False,
            "used_for_receiving": True,
        },
    ]
    assert inputs["reception_platform"] == "contract_signed"
    assert inputs["issuing_platform"] is None


def test_many_clients_in_three_queries(firm_a, catalogue_a):
    firm = firm_a.firm
    clients = [factories.make_client(firm) for _ in range(5)]
    with firm_scope(firm):
        for client in clients:
            services.add_client_software(
                firm=firm, client=client, data={"product": catalogue_a["excel"]}, by=None
            )
        with CaptureQueriesContext(connection) as queries:
            inputs = cartography_inputs_for_clients(firm, [c.pk for c in clients])
    assert len(queries) == 3
    assert set(inputs) == {c.pk for c in clients}
    assert all(len(i["software"]) == 1 for i in inputs.values())
