"""The sending pages and API: works / checks ownership / requires the role."""

from __future__ import annotations

from django.urls import reverse

from clients.models import Client
from firms.tenancy import firm_scope
from invoicing import sending
from invoicing.models import DeliveryState, InvoiceBatch, InvoiceDelivery
from jobs.services import execute_job
from outbox.models import OutboxMessage
from tests import factories
from tests.invoicing.conftest import make_draft, make_issued
from tests.invoicing.test_api import _api
from tests.invoicing.test_sending import FIRM_ANSWERS


def _paper(cast, n):
    return factories.make_client(
        cast.firm, company_name=f"Papier {n}", invoice_delivery=Client.Delivery.PAPER
    )


def test_the_sending_page_shows_the_collection_and_each_route(
    client, seller, buyer, django_assert_max_num_queries
):
    invoices = [make_issued(seller, buyer)] + [
        make_issued(seller, _paper(seller, n)) for n in range(4)
    ]
    factories.make_client(seller.firm, invoice_delivery=Client.Delivery.EMAIL_REFUSED)
    client.force_login(seller.supervisor.user)
    url = reverse("invoice_sending", args=[seller.firm.slug])
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for invoice in invoices:
        assert invoice.number in page
    assert "route à confirmer" in page  # the firm gave no answers yet
    assert "Papier 3" in page  # a paper client to chase
    collection = response.context["collection"]
    assert (collection.clients, collection.with_address, collection.paper, collection.refused) == (
        6,
        1,
        4,
        1,
    )


def test_a_batch_started_from_the_page_sends_through_its_job(client, seller, buyer):
    email_invoice = make_issued(seller, buyer)
    paper_invoice = make_issued(seller, _paper(seller, 1))
    client.force_login(seller.supervisor.user)
    response = client.post(
        reverse("invoice_sending_start", args=[seller.firm.slug]),
        {"invoice": [email_invoice.pk, paper_invoice.pk, "junk", "-3"]},
    )
    with firm_scope(seller.firm):
        batch = InvoiceBatch.objects.for_firm(seller.firm).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[seller.firm.slug, batch.job_id])
    execute_job(firm_id=seller.firm.pk, job_id=batch.job_id)
    with firm_scope(seller.firm):
        batch.refresh_from_db()
        batch.job.refresh_from_db()
        states = dict(
            InvoiceDelivery.objects.for_firm(seller.firm).values_list("invoice_id", "state")
        )
    assert batch.job.status == "succeeded", batch.job.error
    assert batch.counts == {"email": 1, "paper": 1, "platform": 0, "skipped": 0}
    assert batch.job.result_name == f"envoi-{batch.pk}.zip"
    assert states == {email_invoice.pk: "queued", paper_invoice.pk: "paper"}

    listing = client.get(reverse("invoice_list", args=[seller.firm.slug]), {"envoi": "paper"})
    assert paper_invoice.number in listing.content.decode()
    assert email_invoice.number not in listing.content.decode()
    junk = client.get(reverse("invoice_list", args=[seller.firm.slug]), {"envoi": "\x00<x>"})
    assert junk.status_code == 200


def test_a_draft_cannot_be_sent_and_a_collaborator_cannot_send(client, seller, buyer):
    draft = make_draft(seller, buyer)
    client.force_login(seller.supervisor.user)
    url = reverse("invoice_sending_start", args=[seller.firm.slug])
    response = client.post(url, {"invoice": [draft.pk]}, follow=True)
    assert "brouillon" in response.content.decode()
    client.force_login(seller.collaborator.user)
    assert client.post(url, {"invoice": [draft.pk]}).status_code == 403


def test_settings_refuse_an_unknown_keyword_and_date_the_platform(client, seller, buyer):
    make_issued(seller, buyer)
    client.force_login(seller.admin.user)
    url = reverse("invoice_sending_settings", args=[seller.firm.slug])
    assert client.get(url).status_code == 200
    data = {
        "send_by_email": "on",
        "email_subject": "Facture {numero}",
        "email_body": "Bonjour {client}, {montant}",
        "memo_text": "",
        **{
            f"firm_{code}": ("yes" if value is True else "no" if value is False else value)
            for code, value in FIRM_ANSWERS.items()
        },
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Mot-clé inconnu : {montant}" in response.content.decode()

    data["email_body"] = "Bonjour {client}, voici la facture {numero} ({montant_ttc})."
    assert client.post(url, data).status_code == 302
    settings_row = sending.sending_settings(seller.firm)
    assert settings_row.firm_answers == FIRM_ANSWERS
    assert "01/09/2027" in client.get(url).content.decode()

    preview = client.get(reverse("invoice_sending_preview", args=[seller.firm.slug]))
    page = preview.content.decode()
    assert "Bonjour Boulangerie Martin, voici la facture FA-" in page
    assert "120,00" in page


def test_a_failed_email_shows_on_the_invoice_and_an_uncertain_one_can_be_resolved(
    client, seller, buyer
):
    invoice = make_issued(seller, buyer)
    batch = sending.create_batch(firm=seller.firm, by=None, invoice_ids=[invoice.pk])
    [delivery] = sending.write_batch(firm=seller.firm, batch=batch, by=None).deliveries
    with firm_scope(seller.firm):
        OutboxMessage.objects.for_firm(seller.firm).filter(pk=delivery.message_id).update(
            state="sending", attempts=1
        )
        message = OutboxMessage.objects.for_firm(seller.firm).get(pk=delivery.message_id)
    from outbox.services import _settle

    _settle(message, "unknown", last_error="Connexion perdue après l'envoi des données.")
    with firm_scope(seller.firm):
        delivery.refresh_from_db()
    assert delivery.state == DeliveryState.UNKNOWN

    client.force_login(seller.collaborator.user)
    page = client.get(reverse("invoice_detail", args=[seller.firm.slug, invoice.pk]))
    assert "Connexion perdue après l&#x27;envoi des données." in page.content.decode()
    assert "Marquer comme envoyé" not in page.content.decode()
    resolve = reverse("invoice_delivery_resolve", args=[seller.firm.slug, invoice.pk, delivery.pk])
    assert client.post(resolve, {"delivered": "1"}).status_code == 403

    client.force_login(seller.supervisor.user)
    page = client.get(reverse("invoice_detail", args=[seller.firm.slug, invoice.pk]))
    assert "Marquer comme envoyé" in page.content.decode()
    assert client.post(resolve, {"delivered": "1"}).status_code == 302
    with firm_scope(seller.firm):
        delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


def test_the_api_sends_a_batch_in_the_background(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    draft = make_draft(seller, buyer)
    api = _api(client, seller.supervisor)
    response = api("post", "/api/v1/invoices/send/", {"numbers": [invoice.number]})
    assert response.status_code == 202
    data = response.json()
    assert data["invoices"] == [invoice.pk]
    assert data["url"] == f"/api/v1/invoices/batches/{data['id']}/"
    followed = api("get", data["url"])
    assert followed.status_code == 200
    assert followed.json()["job"]["status"] == "pending"
    assert api("get", "/api/v1/invoices/send/").json()["count"] == 1

    refused = api("post", "/api/v1/invoices/send/", {"ids": [draft.pk]})
    assert refused.status_code == 400
    assert "brouillon" in refused.json()["detail"]
    for junk in ({}, {"ids": ["x"]}, {"numbers": "FA"}, {"ids": [10**30]}, {"numbers": ["X"]}):
        assert api("post", "/api/v1/invoices/send/", junk).status_code == 400, junk
    collaborator = _api(client, seller.collaborator)
    assert collaborator("post", "/api/v1/invoices/send/", {"ids": [invoice.pk]}).status_code == 403
