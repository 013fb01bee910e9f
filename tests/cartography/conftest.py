from __future__ import annotations

import pytest

from cartography.models import Platform, SoftwareProduct
from firms.tenancy import firm_scope
from tests import factories


@pytest.fixture
def client_a(firm_a):
    """A client of firm A assigned to its collaborator."""
    return factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)


@pytest.fixture
def catalogue_a(firm_a):
    """A small catalogue for firm A: two products (one a duplicate) and two platforms."""
    firm = firm_a.firm
    with firm_scope(firm):
        return {
            "pennylane": SoftwareProduct.objects.create(
                firm=firm,
                vendor="Pennylane",
                name="Pennylane",
                category="accounting",
                reform_ready="yes",
            ),
            "pennylane_dup": SoftwareProduct.objects.create(
                firm=firm,
                vendor="PennyLane SAS",
                name="Penny Lane",
                category="accounting",
            ),
            "excel": SoftwareProduct.objects.create(
                firm=firm, vendor="Microsoft", name="Excel", category="other", reform_ready="no"
            ),
            "pa": Platform.objects.create(firm=firm, name="PENNYLANE"),
            "pa_dup": Platform.objects.create(firm=firm, name="Pennylane PA"),
        }
