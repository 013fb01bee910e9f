from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def signer_client(firm_a):
    """A client of firm A with a complete signer, assigned to its collaborator."""
    return factories.make_client(
        firm_a.firm,
        assigned_to=firm_a.collaborator.user,
        company_name="Boulangerie Martin",
        signer_civility="Mme",
        signer_first_name="Claire",
        signer_last_name="Martin",
        signer_email="claire@boulangerie-martin.test",
        signer_mobile="+33612345678",
        address="3 rue des Lilas",
        postal_code="69003",
        city="Lyon",
    )


def minimal_pdf(text: str = "signé") -> bytes:
    """A tiny but real PDF file."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
