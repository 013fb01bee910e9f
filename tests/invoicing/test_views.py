"""The invoice pages: works / checks ownership / requires the role."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from firms.tenancy import firm_scope
from invoicing.models import Engagement, Invoice, InvoiceStatus
from tests import factories
from tests.invoicing.conftest import make_draft, make_issued


def _draft_post(**overrides):
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-description": "Tenue de la comptabilité",
        "lines-0-quantity": "1,5",
        "lines-0-unit_price": "99,99",
        "lines-0-vat_rate": "20",
        "lines-0-vat_category": "",
        "lines-1-description": "Frais de dossier",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "1 000",
        "lines-1-vat_rate": "10",
        "payment_terms_days": "30",
        "operation_category": "services",
        "delivery_address": "",
        "delivery_postal_code": "",
        "delivery_city": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_a_supervisor_writes_issues_and_downloads_an_invoice(client, seller, buyer):
    client.force_login(seller.supervisor.user)
    create_url = reverse("invoice_create", args=[seller.firm.slug, buyer.pk])
    page = client.get(create_url)
    assert page.status_code == 200 and "Nouvelle facture" in page.content.decode()
    response = client.post(create_url, _draft_post(), follow=True)
    assert "Brouillon enregistré : 1 149,99" in response.content.decode().replace("\u202f", " ")
    with firm_scope(seller.firm):
        invoice = Invoice.objects.for_firm(seller.firm).get()
    assert invoice.total_excl_vat == Decimal("1149.99")
    assert invoice.total_vat == Decimal("130.00")  # 30.00 + 100.00
    issued = client.post(reverse("invoice_issue", args=[seller.firm.slug, invoice.pk]), follow=True)
    assert "émise : 1 279,99" in issued.content.decode().replace("\u202f", " ")
    pdf = client.get(reverse("invoice_pdf", args=[seller.firm.slug, invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]


def test_add_line_and_live_totals(client, seller, buyer):
    client.force_login(seller.supervisor.user)
    create_url = reverse("invoice_create", args=[seller.firm.slug, buyer.pk])
    more = client.post(create_url, {**_draft_post(), "add_line": "1"}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert 'name="lines-2-description"' in more.content.decode()
    assert 'id="invoice-editor"' in more.content.decode()
    totals = (
        client.post(
            reverse("invoice_totals", args=[seller.firm.slug, buyer.pk]),
            _draft_post(),
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
        .replace("\u202f", " ")
        .replace("\xa0", " ")
    )
    assert "1 149,99 €" in totals and "1 279,99 €" in totals
    wrong = client.post(
        reverse("invoice_totals", args=[seller.firm.slug, buyer.pk]),
        _draft_post(**{"lines-1-vat_rate": "7"}),
    ).content.decode()
    assert "dès que chaque ligne est complète" in wrong
    with firm_scope(seller.firm):
        assert not Invoice.objects.for_firm(seller.firm).exists()


def test_a_refused_line_keeps_the_form_with_its_message(client, seller, buyer):
    client.force_login(seller.supervisor.user)
    response = client.post(
        reverse("invoice_create", args=[seller.firm.slug, buyer.pk]),
        _draft_post(**{"lines-1-vat_rate": "0", "lines-1-vat_category": "E"}),
    )
    assert response.status_code == 200
    assert "motif d&#x27;exonération" in response.content.decode()


def test_edit_a_draft_then_delete_it_after_a_confirmation(client, seller, buyer):
    draft = make_draft(seller, buyer)
    client.force_login(seller.admin.user)
    edit_url = reverse("invoice_edit", args=[seller.firm.slug, draft.pk])
    assert "Honoraires" in client.get(edit_url).content.decode()
    client.post(edit_url, _draft_post(**{"lines-TOTAL_FORMS": "1"}))
    with firm_scope(seller.firm):
        assert Invoice.objects.for_firm(seller.firm).get().total_excl_vat == Decimal("149.99")
    delete_url = reverse("invoice_delete", args=[seller.firm.slug, draft.pk])
    assert "Supprimer ce brouillon" in client.get(delete_url).content.decode()
    client.post(delete_url)
    with firm_scope(seller.firm):
        assert not Invoice.objects.for_firm(seller.firm).exists()


def test_an_issued_invoice_is_neither_edited_nor_deleted(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    client.force_login(seller.admin.user)
    for name in ("invoice_edit", "invoice_delete"):
        response = client.post(reverse(name, args=[seller.firm.slug, invoice.pk]), follow=True)
        assert "émise" in response.content.decode()
    with firm_scope(seller.firm):
        assert Invoice.objects.for_firm(seller.firm).get().status == InvoiceStatus.ISSUED


def test_issuing_is_refused_with_what_is_missing(client, seller, buyer):
    from firms.models import Firm

    Firm.objects.filter(pk=seller.firm.pk).update(legal_form="")
    draft = make_draft(seller, buyer)
    client.force_login(seller.supervisor.user)
    detail = client.get(
        reverse("invoice_detail", args=[seller.firm.slug, draft.pk])
    ).content.decode()
    assert "la forme juridique" in detail
    response = client.post(reverse("invoice_issue", args=[seller.firm.slug, draft.pk]), follow=True)
    assert "Complétez le profil du cabinet" in response.content.decode()


def test_credit_note_from_the_detail_page(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    client.force_login(seller.supervisor.user)
    detail = client.get(
        reverse("invoice_detail", args=[seller.firm.slug, invoice.pk])
    ).content.decode()
    assert "Créer un avoir" in detail and invoice.number in detail
    response = client.post(
        reverse("invoice_credit_note", args=[seller.firm.slug, invoice.pk]), follow=True
    )
    assert "Avoir en brouillon" in response.content.decode()
    with firm_scope(seller.firm):
        note = Invoice.objects.for_firm(seller.firm).get(credited_invoice=invoice)
    client.post(reverse("invoice_issue", args=[seller.firm.slug, note.pk]))
    with firm_scope(seller.firm):
        note.refresh_from_db()
    assert note.number.startswith("AV-")


def test_collaborators_read_their_clients_invoices_and_write_none(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    other = factories.make_client(seller.firm, assigned_to=seller.other_collaborator.user)
    hidden = make_issued(seller, other)
    client.force_login(seller.collaborator.user)
    listing = client.get(reverse("invoice_list", args=[seller.firm.slug])).content.decode()
    assert invoice.number in listing and hidden.number not in listing
    assert "Nouvelle facture" not in listing and "Facturer la période" not in listing
    assert (
        client.get(reverse("invoice_pdf", args=[seller.firm.slug, invoice.pk])).status_code == 200
    )
    assert (
        client.get(reverse("invoice_detail", args=[seller.firm.slug, hidden.pk])).status_code == 404
    )
    assert (
        client.get(reverse("invoice_create", args=[seller.firm.slug, buyer.pk])).status_code == 403
    )
    assert (
        client.post(reverse("invoice_credit_note", args=[seller.firm.slug, invoice.pk])).status_code
        == 403
    )


def test_the_list_filters_and_its_query_count(client, seller, buyer, django_assert_max_num_queries):
    for _ in range(3):
        make_issued(seller, buyer)
    make_draft(seller, buyer)
    others = [factories.make_client(seller.firm) for _ in range(5)]
    for other in others:
        make_issued(seller, other)
    client.force_login(seller.supervisor.user)
    url = reverse("invoice_list", args=[seller.firm.slug])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count("<tr>") == 1 + 9
    with django_assert_max_num_queries(12):
        drafts = client.get(url, {"status": "draft"}).content.decode()
    assert drafts.count("<tr>") == 1 + 1
    by_client = client.get(url, {"client": "Boulangerie"}).content.decode()
    assert by_client.count("<tr>") == 1 + 4
    empty = client.get(
        url, {"period_start": "2001-01-01", "period_end": "2001-01-31"}
    ).content.decode()
    assert "Aucune facture pour ces filtres" in empty
    junk = client.get(url, {"status": "²", "period_start": "1e23", "page": "-1", "client": "x\x00"})
    assert junk.status_code == 200


def test_empty_list(client, seller):
    client.force_login(seller.admin.user)
    page = client.get(reverse("invoice_list", args=[seller.firm.slug])).content.decode()
    assert "Aucune facture" in page and "Facturer la période" in page


def test_new_invoice_from_the_list_by_siren(client, seller, buyer):
    client.force_login(seller.supervisor.user)
    response = client.get(
        reverse("invoice_start", args=[seller.firm.slug]), {"client": "732 829 320"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("invoice_create", args=[seller.firm.slug, buyer.pk])
    missing = client.get(
        reverse("invoice_start", args=[seller.firm.slug]), {"client": "nobody"}, follow=True
    )
    assert "Aucun client actif" in missing.content.decode()


def test_the_client_tab_lists_invoices_and_manages_engagements(client, seller, buyer):
    invoice = make_issued(seller, buyer)
    client.force_login(seller.supervisor.user)
    tab_url = reverse("client_invoices", args=[seller.firm.slug, buyer.pk])
    page = client.get(tab_url).content.decode()
    assert invoice.number in page and "Honoraires récurrents" in page
    create_url = reverse("client_engagement_create", args=[seller.firm.slug, buyer.pk])
    refused = client.post(
        create_url,
        {"description": "Tenue", "amount": "250", "vat_rate": "7", "periodicity": "monthly"},
    )
    assert "Taux de TVA français" in refused.content.decode()
    client.post(
        create_url,
        {"description": "Tenue", "amount": "250,00", "vat_rate": "20", "periodicity": "quarterly"},
    )
    with firm_scope(seller.firm):
        engagement = Engagement.objects.for_firm(seller.firm).get()
    assert engagement.amount == Decimal("250.00")
    edit_url = reverse("client_engagement_edit", args=[seller.firm.slug, buyer.pk, engagement.pk])
    client.post(
        edit_url,
        {
            "description": "Tenue et révision",
            "amount": "300",
            "vat_rate": "20",
            "periodicity": "quarterly",
        },
    )
    client.post(reverse("client_engagement_stop", args=[seller.firm.slug, buyer.pk, engagement.pk]))
    with firm_scope(seller.firm):
        engagement.refresh_from_db()
    assert engagement.description == "Tenue et révision" and not engagement.is_active
    client.force_login(seller.collaborator.user)
    assert "Ajouter des honoraires" not in client.get(tab_url).content.decode()
    assert client.post(create_url, {}).status_code == 403


def test_the_settings_page_for_administrators(client, seller):
    client.force_login(seller.admin.user)
    url = reverse("invoicing_settings", args=[seller.firm.slug])
    page = client.get(url).content.decode()
    assert "Réglages des factures" in page and "toutes les mentions obligatoires" in page
    data = {
        "number_prefix": "F{year}-",
        "credit_note_prefix": "F{year}-",
        "payment_terms_days": "75",
        "default_operation_category": "services",
        "late_penalty_text": "x",
        "recovery_indemnity_text": "y",
        "discount_text": "z",
    }
    refused = client.post(url, data).content.decode()
    assert "60 jours au plus" in refused and "propre préfixe" in refused
    client.post(url, {**data, "credit_note_prefix": "AV{year}-", "payment_terms_days": "45"})
    client.force_login(seller.supervisor.user)
    assert client.get(url).status_code == 403


def test_the_firm_profile_edits_the_seller_mentions(client, firm_a):
    client.force_login(firm_a.admin.user)
    url = reverse("firm_settings", args=[firm_a.firm.slug])
    response = client.post(
        url,
        {
            "name": "Cabinet Alpha",
            "legal_form": "SAS",
            "share_capital": "50 000",
            "rcs_city": "Lyon",
            "bic": "BNPA FR PP XXX",
            "stale_after_months": "6",
        },
    )
    assert response.status_code == 302
    firm_a.firm.refresh_from_db()
    assert firm_a.firm.share_capital == Decimal("50000.00")
    assert firm_a.firm.bic == "BNPAFRPPXXX"
    refused = client.post(
        url,
        {
            "name": "Cabinet Alpha",
            "share_capital": "beaucoup",
            "bic": "X",
            "stale_after_months": "6",
        },
    )
    assert (
        "BIC invalide" in refused.content.decode()
        and "Saisissez un montant" in refused.content.decode()
    )
