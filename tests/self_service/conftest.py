from __future__ import annotations

import pytest
from django.core.cache import cache

from cartography.models import Platform, SoftwareProduct
from firms.tenancy import firm_scope
from self_service import services
from tests import factories


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The counters of requests through links from the test client's address start at zero."""
    keys = [f"self-service:{kind}:127.0.0.1" for kind in ("ip", "unknown")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def linked_client(firm_a):
    """A client of firm A assigned to its collaborator, with a fresh link: (client, token, url)."""
    client = factories.make_client(
        firm_a.firm,
        assigned_to=firm_a.collaborator.user,
        company_name="Boulangerie Martin",
        billing_emails=["compta@boulangerie-martin.test"],
    )
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=client, user=firm_a.collaborator.user)
    token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    return client, token, issued


@pytest.fixture
def catalogue(firm_a):
    """A software and a platform in firm A's catalogues."""
    with firm_scope(firm_a.firm):
        product = SoftwareProduct.objects.create(
            firm=firm_a.firm, vendor="Sage", name="Sage 50", category="invoicing"
        )
        platform = Platform.objects.create(firm=firm_a.firm, name="Plateforme Alpha")
    return product, platform
