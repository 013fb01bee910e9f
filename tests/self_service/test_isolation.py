"""A link is one client's: firm A's token never shows nor writes firm B's data, a token cannot
be guessed, and the database itself shows a public request only the row of its token."""

from __future__ import annotations

import math
import re

from django.db import connection

from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer
from self_service import services, tokens
from self_service.models import ClientLink, ProposedField
from tests import factories


def _token(issued) -> str:
    return issued.url.rstrip("/").rsplit("/", 1)[-1]


def test_a_token_shows_its_own_client_only(client, firm_a, firm_b):
    mine = factories.make_client(firm_a.firm, company_name="Alpha Boulangerie")
    neighbour = factories.make_client(firm_a.firm, company_name="Alpha Voisin")
    theirs = factories.make_client(firm_b.firm, company_name="Bêta Menuiserie")
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=mine)
    with firm_scope(firm_b.firm):
        other = services.issue_link(client=theirs)
    page = client.get(f"/q/{_token(issued)}/").content.decode()
    assert "Alpha Boulangerie" in page
    assert "Alpha Voisin" not in page and "Bêta" not in page
    assert firm_b.firm.name not in page
    other_page = client.get(f"/q/{_token(other)}/").content.decode()
    assert "Bêta Menuiserie" in other_page and "Alpha" not in other_page
    assert neighbour.pk  # a client of the same firm is not shown either


def test_a_token_writes_only_its_own_client(client, firm_a, firm_b):
    mine = factories.make_client(firm_a.firm)
    theirs = factories.make_client(firm_b.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=mine)
    with firm_scope(firm_b.firm):
        services.issue_link(client=theirs)
    token = _token(issued)
    client.post(f"/q/{token}/reponse/q:vat_liable/", {"value": "oui"}, HTTP_HX_REQUEST="true")
    client.post(f"/q/{token}/envoyer/")
    with firm_scope(firm_a.firm):
        rows = list(ProposedField.objects.for_firm(firm_a.firm).values_list("proposal__client_id"))
    with firm_scope(firm_b.firm):
        b_rows = ProposedField.objects.for_firm(firm_b.firm).count()
        b_answers = Answer.objects.for_firm(firm_b.firm).count()
        b_history = HistoryEntry.objects.for_firm(firm_b.firm).filter(subject="self_service")
        b_summaries = list(b_history.values_list("summary", flat=True))
    assert rows == [(mine.pk,)]
    assert (b_rows, b_answers) == (0, 0)
    # Firm B's history holds its own link's creation, nothing of firm A's client.
    assert all("créé" in summary for summary in b_summaries)


def test_an_expired_or_revoked_token_of_another_firm_is_410_too(client, firm_a, firm_b):
    theirs = factories.make_client(firm_b.firm)
    with firm_scope(firm_b.firm):
        issued = services.issue_link(client=theirs)
        services.revoke_links(client=theirs, user=None)
    response = client.get(f"/q/{_token(issued)}/")
    assert response.status_code == 410
    assert theirs.company_name not in response.content.decode()


def test_a_firm_members_session_changes_nothing(as_member, firm_a, firm_b):
    """A member of firm B opening firm A's link sees the client's questionnaire as anyone with
    the link would, and nothing of firm B."""
    mine = factories.make_client(firm_a.firm, company_name="Alpha Boulangerie")
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=mine)
    web = as_member(firm_b.admin)
    page = web.get(f"/q/{_token(issued)}/").content.decode()
    assert "Alpha Boulangerie" in page and firm_b.firm.name not in page


def test_tokens_cannot_be_guessed():
    drawn = {tokens.new_token() for _ in range(200)}
    assert len(drawn) == 200
    for token in drawn:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    # 43 characters of a 64-letter alphabet: 258 bits, of which 256 are random (32 bytes).
    assert tokens.TOKEN_BYTES * 8 >= 128
    assert 43 * math.log2(64) >= 256


def test_the_database_shows_a_public_lookup_only_its_tokens_row(firm_a, firm_b):
    mine = factories.make_client(firm_a.firm)
    theirs = factories.make_client(firm_b.firm)
    with firm_scope(firm_a.firm):
        issued = services.issue_link(client=mine)
    with firm_scope(firm_b.firm):
        services.issue_link(client=theirs)
    link = services.find_link(_token(issued))
    assert link is not None and link.client_id == mine.pk and link.firm_id == firm_a.firm.pk
    assert services.find_link("A" * 43) is None
    if connection.vendor == "postgresql":
        # Outside any firm, with no token set, not a single link is visible.
        assert not ClientLink.objects.filter(pk=link.pk).exists()  # scoping: the test's point
