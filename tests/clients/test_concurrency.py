"""Two people editing the same client: nobody's change is silently reverted (the lost update).

A form carries the values it was loaded with; a save writes only what its user changed, and a
field someone else changed meanwhile is refused with both values. The API does the same with
ETag and If-Match.
"""

from __future__ import annotations

import pytest

from clients import concurrency, services
from clients.concurrency import EditConflict, edited_fields
from clients.models import Client, HistoryEntry
from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests import factories
from tests.auth import VerifiedClient as Browser


@pytest.mark.parametrize(
    ("loaded", "current", "yours", "expected"),
    [
        # Nobody changed anything.
        ({"a": 1}, {"a": 1}, {"a": 1}, ([], [])),
        # Only you: written.
        ({"a": 1}, {"a": 1}, {"a": 2}, (["a"], [])),
        # Only someone else: theirs is kept, yours (the old value) is not written.
        ({"a": 1}, {"a": 3}, {"a": 1}, ([], [])),
        # Both, to the same value: nothing to write.
        ({"a": 1}, {"a": 2}, {"a": 2}, ([], [])),
        # Both, to different values: a conflict.
        ({"a": 1}, {"a": 3}, {"a": 2}, ([], ["a"])),
        # Nothing loaded: compared with the stored value.
        (None, {"a": 3}, {"a": 2}, (["a"], [])),
        ({}, {"a": 3}, {"a": 3}, ([], [])),
        # An unanswered question (None) answered meanwhile by someone else.
        ({"q": None}, {}, {"q": None}, ([], [])),
        ({"q": None}, {"q": True}, {"q": False}, ([], ["q"])),
    ],
)
def test_edited_fields(loaded, current, yours, expected):
    assert edited_fields(loaded=loaded, current=current, yours=yours) == expected


@pytest.fixture
def target(firm_a) -> Client:
    return factories.make_client(
        firm_a.firm,
        company_name="Garage Moreau",
        siren="732829320",
        city="Lyon",
        contact_name="Paul Moreau",
        contact_phone="04 78 00 00 00",
    )


def _signed_in(membership) -> Browser:
    browser = Browser()
    browser.force_login(membership.user)
    return browser


def _edit_url(firm, client) -> str:
    return f"/f/{firm.slug}/clients/{client.pk}/modifier/"


def _form_data(page) -> dict[str, object]:
    """What the browser would post back: each field of the form as shown."""
    form = page.context["form"]
    return {name: "" if form[name].value() is None else form[name].value() for name in form.fields}


def _stored(firm, client) -> Client:
    with firm_scope(firm):
        return Client.objects.for_firm(firm).get(pk=client.pk)


def _last_entry(firm, client) -> HistoryEntry:
    with firm_scope(firm):
        return HistoryEntry.objects.for_firm(firm).filter(client=client).latest("id")


def test_a_stale_form_writes_only_what_its_user_changed(firm_a, target):
    alice, bob = _signed_in(firm_a.supervisor), _signed_in(firm_a.admin)
    url = _edit_url(firm_a.firm, target)
    alices_form = _form_data(alice.get(url))
    bobs_form = _form_data(bob.get(url))
    assert bob.post(url, {**bobs_form, "city": "Villeurbanne"}).status_code == 302
    # Alice's form still shows Lyon; she changes the phone only.
    assert alice.post(url, {**alices_form, "contact_phone": "04 72 11 22 33"}).status_code == 302
    stored = _stored(firm_a.firm, target)
    assert (stored.city, stored.contact_phone) == ("Villeurbanne", "04 72 11 22 33")
    entry = _last_entry(firm_a.firm, target)
    assert entry.actor == firm_a.supervisor.user
    assert set(entry.changes) == {"contact_phone"}  # the history does not blame her for the city


def test_a_field_changed_by_both_is_refused_with_both_values_then_kept_if_resaved(firm_a, target):
    alice, bob = _signed_in(firm_a.supervisor), _signed_in(firm_a.admin)
    url = _edit_url(firm_a.firm, target)
    alices_form = _form_data(alice.get(url))
    bobs_form = _form_data(bob.get(url))
    bob.post(url, {**bobs_form, "city": "Villeurbanne", "contact_name": "Julie Moreau"})
    refused = alice.post(url, {**alices_form, "city": "Bron", "contact_phone": "04 72 11 22 33"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "rien n&#x27;est enregistré" in page
    assert (
        f"Modifié entre-temps par {firm_a.admin.user.full_name}. "
        "Sa valeur : « Villeurbanne » ; la vôtre : « Bron »."
    ) in page
    stored = _stored(firm_a.firm, target)
    assert (stored.city, stored.contact_phone) == ("Villeurbanne", "04 78 00 00 00")
    # The form shown again holds her changes and Bob's other change.
    again = _form_data(refused)
    assert (again["city"], again["contact_phone"], again["contact_name"]) == (
        "Bron",
        "04 72 11 22 33",
        "Julie Moreau",
    )
    # Saved as it is, her values win; Bob's other change stays.
    assert alice.post(url, again).status_code == 302
    stored = _stored(firm_a.firm, target)
    assert (stored.city, stored.contact_phone, stored.contact_name) == (
        "Bron",
        "04 72 11 22 33",
        "Julie Moreau",
    )


def test_the_service_refuses_a_field_changed_meanwhile(firm_a, target):
    loaded = {"city": "Lyon", "contact_phone": "04 78 00 00 00"}
    with firm_scope(firm_a.firm):
        services.update_client(
            firm=firm_a.firm, client=target, data={"city": "Paris"}, by=firm_a.admin.user
        )
        with pytest.raises(EditConflict) as raised:
            services.update_client(
                firm=firm_a.firm,
                client=target,
                data={"city": "Bron", "contact_phone": "01 00 00 00 00"},
                by=firm_a.supervisor.user,
                loaded=loaded,
            )
    [conflict] = raised.value.conflicts
    assert (conflict.field, conflict.theirs, conflict.yours, conflict.by) == (
        "city",
        "Paris",
        "Bron",
        firm_a.admin.user.full_name,
    )
    assert sorted(raised.value.changed) == ["city", "contact_phone"]
    assert _stored(firm_a.firm, target).contact_phone == "04 78 00 00 00"


# The API ------------------------------------------------------------------------------------


@pytest.fixture
def api(firm_a):
    """A call with a membership's own token, in a client of its own (another session)."""

    def call(membership, method, path, data=None, **headers):
        with firm_scope(membership.firm):
            _, token = create_api_token(membership=membership, name="test")
        return getattr(Browser(), method)(
            path,
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            **headers,
        )

    return call


def test_the_api_sends_the_version_and_refuses_a_change_made_from_an_old_one(api, firm_a, target):
    url = f"/api/v1/clients/{target.pk}/"
    alices = api(firm_a.supervisor, "get", url)["ETag"]
    bobs = api(firm_a.admin, "get", url)["ETag"]
    assert alices == bobs and alices.startswith('"')
    by_bob = api(firm_a.admin, "patch", url, {"city": "Villeurbanne"}, HTTP_IF_MATCH=bobs)
    assert by_bob.status_code == 200
    assert by_bob["ETag"] != bobs
    stale = api(
        firm_a.supervisor, "patch", url, {"contact_phone": "04 72 11 22 33"}, HTTP_IF_MATCH=alices
    )
    assert stale.status_code == 412
    assert "modifié depuis que vous l'avez lu" in stale.json()["detail"]
    assert stale["ETag"] == by_bob["ETag"]
    assert _stored(firm_a.firm, target).contact_phone == "04 78 00 00 00"
    # Read again, then changed: Bob's city stays.
    fresh = api(firm_a.supervisor, "get", url)["ETag"]
    assert fresh == by_bob["ETag"]
    by_alice = api(
        firm_a.supervisor, "put", url, {"contact_phone": "04 72 11 22 33"}, HTTP_IF_MATCH=fresh
    )
    assert by_alice.status_code == 200
    assert (by_alice.json()["city"], by_alice.json()["contact_phone"]) == (
        "Villeurbanne",
        "04 72 11 22 33",
    )


@pytest.mark.parametrize(
    ("if_match", "status"),
    [("*", 200), (None, 200), ("W/{etag}", 412), ('"other", {etag}', 200), ('"other"', 412)],
)
def test_if_match_forms(api, firm_a, target, if_match, status):
    url = f"/api/v1/clients/{target.pk}/"
    etag = api(firm_a.admin, "get", url)["ETag"]
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match.format(etag=etag)}
    response = api(firm_a.admin, "patch", url, {"city": "Bron"}, **headers)
    assert response.status_code == status
    assert _stored(firm_a.firm, target).city == ("Bron" if status == 200 else "Lyon")


def test_a_field_changed_between_the_apis_read_and_its_write_is_a_conflict(
    api, firm_a, target, monkeypatch
):
    # As if the city had been "Ancienne" when the API read the client, then changed to Lyon.
    real = concurrency.client_values
    monkeypatch.setattr(
        "clients.api.client_values", lambda client: {**real(client), "city": "Ancienne"}
    )
    response = api(firm_a.admin, "patch", f"/api/v1/clients/{target.pk}/", {"city": "Bron"})
    assert response.status_code == 409
    assert response.json()["conflicts"] == {"city": {"theirs": "Lyon", "yours": "Bron", "by": ""}}
    assert _stored(firm_a.firm, target).city == "Lyon"
