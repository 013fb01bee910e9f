"""``/api/v1/invoices/``: drafts, issuing, credit notes and the PDF, with the web's checks."""

from __future__ import annotations

from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests.invoicing.conftest import make_issued

LINE = {"description": "Honoraires", "quantity": "1.5", "unit_price": "99.99", "vat_rate": "20"}


def _token(membership) -> str:
    with firm_scope(membership.firm):
        return create_api_token(membership=membership, name="outil")[1]


def _api(client, membership):
    headers = {"HTTP_AUTHORIZATION": f"Token {_token(membership)}"}

    def call(method, url, data=None):
        return getattr(client, method)(url, data, content_type="application/json", **headers)

    return call


def test_draft_edit_issue_credit_and_pdf(client, seller, buyer):
    api = _api(client, seller.supervisor)
    created = api("post", "/api/v1/invoices/", {"client": buyer.pk, "lines": [LINE]})
    assert created.status_code == 201, created.json()
    draft = created.json()
    assert draft["status"] == "draft" and draft["number"] == ""
    assert draft["total_excl_vat"] == "149.99" and draft["total_incl_vat"] == "179.99"
    url = f"/api/v1/invoices/{draft['id']}/"
    patched = api("patch", url, {"lines": [LINE, {**LINE, "vat_rate": "10", "unit_price": "10"}]})
    assert patched.status_code == 200 and patched.json()["total_excl_vat"] == "164.99"
    issued = api("post", url + "issue/")
    assert issued.status_code == 200 and issued.json()["number"].endswith("-000001")
    assert api("patch", url, {"lines": [LINE]}).status_code == 409
    assert api("delete", url).status_code == 409
    assert api("post", url + "issue/").status_code == 409
    pdf = api("get", url + "pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    note = api("post", url + "credit-note/")
    assert note.status_code == 201 and note.json()["kind"] == "381"
    assert note.json()["credited_invoice"] == draft["id"]
    listed = api("get", f"/api/v1/invoices/?client={buyer.pk}&status=issued").json()
    assert listed["count"] == 1


def test_french_messages_naming_the_line_and_field(client, seller, buyer):
    api = _api(client, seller.admin)
    response = api(
        "post",
        "/api/v1/invoices/",
        {"client": buyer.pk, "lines": [LINE, {**LINE, "vat_rate": "0", "vat_category": "E"}]},
    )
    assert response.status_code == 400
    assert "motif d'exonération" in str(response.json()["lines[2]"])
    assert api("post", "/api/v1/invoices/", {"client": buyer.pk, "lines": []}).status_code == 400
    bad = api(
        "post", "/api/v1/invoices/", {"client": buyer.pk, "lines": [{**LINE, "quantity": [1]}]}
    )
    assert bad.status_code == 400
    assert api("post", "/api/v1/invoices/", [1]).status_code == 400
    assert api("post", "/api/v1/invoices/", {"client": "²", "lines": [LINE]}).status_code == 400


def test_issuing_refused_says_what_is_missing(client, firm_a):
    from tests import factories

    customer = factories.make_client(firm_a.firm)
    api = _api(client, firm_a.admin)
    draft = api("post", "/api/v1/invoices/", {"client": customer.pk, "lines": [LINE]}).json()
    refused = api("post", f"/api/v1/invoices/{draft['id']}/issue/")
    assert refused.status_code == 409
    assert "Complétez le profil du cabinet" in refused.json()["detail"]


def test_collaborators_read_only_their_clients_invoices(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    api = _api(client, seller.collaborator)
    assert api("get", f"/api/v1/invoices/{invoice.pk}/").status_code == 200
    assert (
        api("post", "/api/v1/invoices/", {"client": buyer.pk, "lines": [LINE]}).status_code == 403
    )
    assert api("post", f"/api/v1/invoices/{invoice.pk}/credit-note/").status_code == 403
    other = _api(client, seller.other_collaborator)
    assert other("get", f"/api/v1/invoices/{invoice.pk}/").status_code == 404
