from __future__ import annotations

from decimal import Decimal

import pytest

from firms.models import Firm
from firms.tenancy import firm_scope
from invoicing import issuing, services
from tests import factories

SELLER = {
    "siren": "812452375",
    "vat_number": "FR39812452375",
    "address": "12 rue de la République",
    "postal_code": "69002",
    "city": "Lyon",
    "legal_form": "SARL",
    "share_capital": Decimal("50000.00"),
    "rcs_city": "Lyon",
    "iban": "FR7630006000011234567890189",
    "bic": "BNPAFRPPXXX",
}


def complete_seller(firm: Firm) -> Firm:
    Firm.objects.filter(pk=firm.pk).update(**SELLER)
    firm.refresh_from_db()
    return firm


@pytest.fixture
def seller(firm_a):
    """Firm A with every seller mention of its invoices."""
    complete_seller(firm_a.firm)
    return firm_a


@pytest.fixture
def buyer(seller):
    """A client of firm A, assigned to its collaborator."""
    return factories.make_client(
        seller.firm,
        assigned_to=seller.collaborator.user,
        company_name="Boulangerie Martin",
        siren="732829320",
        vat_number="FR44732829320",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
        billing_emails=["compta@boulangerie-martin.test"],
    )


def line(description="Honoraires", quantity="1", unit_price="100", vat_rate="20", **extra):
    return services.DraftLine(
        description=description,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price),
        vat_rate=Decimal(vat_rate),
        **extra,
    )


def make_draft(cast, client, *lines, **terms):
    with firm_scope(cast.firm):
        return services.create_draft(
            firm=cast.firm,
            client=client,
            lines=list(lines) or [line()],
            by=cast.supervisor.user,
            terms=services.DraftTerms(**terms),
        )


def make_issued(cast, client, *lines, **terms):
    draft = make_draft(cast, client, *lines, **terms)
    with firm_scope(cast.firm):
        return issuing.issue_invoice(firm=cast.firm, invoice=draft, by=cast.supervisor.user)
