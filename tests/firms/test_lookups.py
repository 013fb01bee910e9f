"""field__in_array: the same rows as __in, one array parameter on PostgreSQL, IN elsewhere."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from firms.lookups import among
from firms.tenancy import firm_scope
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_same_rows_as_in_with_one_parameter(firm_a):
    firm = firm_a.firm
    clients = [factories.make_client(firm) for _ in range(4)]
    wanted = [clients[0].pk, clients[2].pk, 10**12]
    with firm_scope(firm):
        scoped = Client.objects.for_firm(firm)
        with CaptureQueriesContext(connection) as queries:
            found = set(scoped.filter(pk__in_array=wanted).values_list("pk", flat=True))
        assert found == set(scoped.filter(pk__in=wanted).values_list("pk", flat=True))
        assert found == {clients[0].pk, clients[2].pk}
        assert "= ANY(" in queries[0]["sql"]
        assert not scoped.filter(pk__in_array=[]).exists()
        assert scoped.filter(assigned_to_id__in_array=[firm_a.collaborator.user.pk]).count() == 0


def test_elsewhere_a_plain_in():
    query = Client.objects.filter(pk__in_array=[3, 5]).query  # scoping: SQL compiled, never run
    lookup = query.where.children[0]
    compiler = query.get_compiler(connection=connection)
    elsewhere = SimpleNamespace(vendor="sqlite", ops=connection.ops)
    sql, params = lookup.as_sql(compiler, elsewhere)
    assert sql.endswith("IN (%s, %s)") and params == [3, 5]
    empty = Client.objects.filter(pk__in_array=[]).query  # scoping: SQL compiled, never run
    assert empty.where.children[0].as_sql(compiler, elsewhere) == ("1 = 0", [])


def test_among_bounds_the_ids_by_their_lowest_and_highest(firm_a):
    firm = firm_a.firm
    clients = [factories.make_client(firm) for _ in range(5)]
    chosen = [clients[1].pk, clients[3].pk]
    with firm_scope(firm):
        scoped = Client.objects.for_firm(firm)
        with CaptureQueriesContext(connection) as queries:
            found = sorted(scoped.filter(among("id", chosen)).values_list("pk", flat=True))
        assert not scoped.filter(among("id", [])).exists()
    assert found == chosen
    sql = queries[0]["sql"]
    assert "= ANY(" in sql and f">= {min(chosen)}" in sql and f"<= {max(chosen)}" in sql


def test_model_instances_stand_for_their_keys(firm_a):
    firm = firm_a.firm
    mine = factories.make_client(firm, assigned_to=firm_a.collaborator.user)
    factories.make_client(firm, assigned_to=firm_a.other_collaborator.user)
    with firm_scope(firm):
        found = Client.objects.for_firm(firm).filter(
            assigned_to__in_array=[firm_a.collaborator.user]
        )
        assert list(found) == [mine]
