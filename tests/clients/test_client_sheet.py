"""Creating, editing, archiving and restoring a client, and its history."""

from __future__ import annotations

import pytest

from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from tests import factories

VALID = {
    "company_name": "Boulangerie Martin",
    "siren": "732 829 320",
    "siret": "73282932000074",
    "naf_code": "1071c",
    "legal_form": "SARL",
    "address": "3 rue du Four",
    "postal_code": "69002",
    "city": "Lyon",
    "fiscal_year_end": "31/12",
    "contact_name": "Paul Martin",
    "contact_email": "paul@example.test",
    "billing_emails": "compta@example.test, PAUL@example.test",
    "invoice_delivery": "email",
    "tags": "BIC, prioritaire",
}


def _history(firm, client) -> list[HistoryEntry]:
    with firm_scope(firm):
        return list(HistoryEntry.objects.for_firm(firm).filter(client=client).order_by("id"))


def test_a_supervisor_creates_a_client_and_it_is_in_the_history(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    response = client.post(f"/f/{firm_a.firm.slug}/clients/nouveau/", VALID)
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        created = Client.objects.for_firm(firm_a.firm).get()
    assert (created.siren, created.naf_code, created.vat_number) == (
        "732829320",
        "10.71C",
        "FR44732829320",
    )
    assert created.billing_emails == ["compta@example.test", "paul@example.test"]
    assert created.tags == ["BIC", "prioritaire"]
    [entry] = _history(firm_a.firm, created)
    assert entry.action == HistoryEntry.Action.CREATED and entry.actor == firm_a.supervisor.user
    assert entry.changes["city"] == {"label": "ville", "from": "", "to": "Lyon"}
    sheet = client.get(response["Location"]).content.decode()
    assert "Boulangerie et boulangerie-pâtisserie" in sheet  # the NAF label


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "732829321", "clé de contrôle est fausse"),
        ("siren", "", "Le SIREN est obligatoire"),
        ("siren", "²" * 9, "Le SIREN compte 9 chiffres"),  # digits for str.isdigit() only
        ("siret", "²" * 14, "Le SIRET compte 14 chiffres"),
        ("siret", "73282932000075", "clé de contrôle est fausse"),
        ("siret", "55210055400013", "doit commencer par le SIREN"),
        ("naf_code", "5610", "Code NAF au format"),
        ("naf_code", "99.99Z", "n&#x27;existe pas dans la nomenclature"),
        ("vat_number", "FR96552100554", "ne correspond pas au SIREN"),
        ("fiscal_year_end", "31/13", "JJ/MM"),
        ("billing_emails", "compta@example.test, pas-un-email", "pas-un-email"),
        ("company_name", "", "Ce champ est obligatoire"),
    ],
)
def test_mistakes_are_explained_next_to_the_field_and_nothing_is_saved(
    client, firm_a, field, value, message
):
    client.force_login(firm_a.supervisor.user)
    response = client.post(f"/f/{firm_a.firm.slug}/clients/nouveau/", {**VALID, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()


def test_a_siren_is_unique_within_the_firm_only(client, firm_a, firm_b):
    factories.make_client(firm_b.firm, siren="732829320")
    client.force_login(firm_a.supervisor.user)
    assert client.post(f"/f/{firm_a.firm.slug}/clients/nouveau/", VALID).status_code == 302
    again = client.post(
        f"/f/{firm_a.firm.slug}/clients/nouveau/", {**VALID, "company_name": "Autre"}
    )
    assert "a déjà ce SIREN" in again.content.decode()


def test_an_edit_records_each_changed_field_from_what_to_what(client, firm_a):
    existing = factories.make_client(
        firm_a.firm, company_name="Garage Moreau", city="Lyon", siren="732829320"
    )
    client.force_login(firm_a.admin.user)
    data = {**VALID, "company_name": "Garage Moreau & Fils", "city": "Villeurbanne"}
    client.post(f"/f/{firm_a.firm.slug}/clients/{existing.pk}/modifier/", data)
    entry = _history(firm_a.firm, existing)[-1]
    assert entry.action == HistoryEntry.Action.UPDATED
    assert entry.changes["company_name"]["from"] == "Garage Moreau"
    assert entry.changes["city"] == {"label": "ville", "from": "Lyon", "to": "Villeurbanne"}
    page = client.get(f"/f/{firm_a.firm.slug}/clients/{existing.pk}/historique/").content.decode()
    assert "Garage Moreau &amp; Fils" in page and "Villeurbanne" in page
    assert '<span class="strong">Modification</span>' in page


def test_saving_without_change_writes_no_history(client, firm_a):
    existing = factories.make_client(
        firm_a.firm, **{**VALID, "siren": "732829320", "siret": "", "naf_code": ""}
    )
    client.force_login(firm_a.admin.user)
    form = {**VALID, "siret": "", "naf_code": "", "vat_number": existing.vat_number}
    client.post(f"/f/{firm_a.firm.slug}/clients/{existing.pk}/modifier/", form)
    client.post(f"/f/{firm_a.firm.slug}/clients/{existing.pk}/modifier/", form)
    assert len(_history(firm_a.firm, existing)) == 1


def test_archiving_asks_first_then_hides_the_client_and_restoring_brings_it_back(client, firm_a):
    existing = factories.make_client(firm_a.firm, company_name="Café de la Poste")
    url = f"/f/{firm_a.firm.slug}/clients/{existing.pk}/archiver/"
    client.force_login(firm_a.admin.user)
    assert "Archiver « Café de la Poste » ?" in client.get(url).content.decode()
    with firm_scope(firm_a.firm):
        assert Client.objects.for_firm(firm_a.firm).get().status == Client.Status.ACTIVE
    client.post(url)
    listing = client.get(f"/f/{firm_a.firm.slug}/clients/")
    assert [row.company_name for row in listing.context["page"].object_list] == []
    archived = client.get(f"/f/{firm_a.firm.slug}/clients/?status=archived")
    assert [row.company_name for row in archived.context["page"].object_list] == [
        "Café de la Poste"
    ]
    client.post(f"/f/{firm_a.firm.slug}/clients/{existing.pk}/restaurer/")
    actions = [entry.action for entry in _history(firm_a.firm, existing)]
    assert actions == [HistoryEntry.Action.ARCHIVED, HistoryEntry.Action.RESTORED]


def test_a_collaborator_cannot_reassign_their_client(client, firm_a):
    mine = factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, siren="732829320"
    )
    client.force_login(firm_a.collaborator.user)
    data = {**VALID, "assigned_to": firm_a.other_collaborator.user.pk}
    client.post(f"/f/{firm_a.firm.slug}/clients/{mine.pk}/modifier/", data)
    with firm_scope(firm_a.firm):
        assert Client.objects.for_firm(firm_a.firm).get().assigned_to == firm_a.collaborator.user


def test_a_typed_vat_number_keeps_its_country_prefix(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    client.post(
        f"/f/{firm_a.firm.slug}/clients/nouveau/", {**VALID, "vat_number": "fr 44 732 829 320"}
    )
    with firm_scope(firm_a.firm):
        assert Client.objects.for_firm(firm_a.firm).get().vat_number == "FR44732829320"
