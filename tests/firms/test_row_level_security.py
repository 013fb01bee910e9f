"""The database wall: PostgreSQL row-level security on every tenant table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from clients.models import Client
from firms.models import Membership
from firms.tenancy import firm_scope, tenant_models, user_scope
from tests import factories
from tests.conftest import rls_raw_count

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_application_connects_as_a_role_rls_applies_to():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname = 'public' AND tableowner = current_user"
        )
        assert cursor.fetchone()[0] == 0


def test_a_raw_query_outside_any_scope_sees_no_tenant_row(firm_a, firm_b):
    factories.make_client(firm_a.firm)
    factories.make_client(firm_b.firm)
    with firm_scope(firm_a.firm):
        assert rls_raw_count("clients_client") == 1
    assert rls_raw_count("clients_client") == 0
    assert rls_raw_count("firms_membership") == 0


def test_a_forgotten_filter_returns_only_the_scoped_firm(firm_a, firm_b):
    mine = factories.make_client(firm_a.firm)
    factories.make_client(firm_b.firm)
    with firm_scope(firm_a.firm):
        # Deliberately unscoped: the database wall still hides the other firm.
        assert list(Client.objects.values_list("pk", flat=True)) == [mine.pk]  # scoping: test


def test_writing_a_row_for_another_firm_is_refused(firm_a, firm_b):
    from django.db import ProgrammingError

    with pytest.raises(ProgrammingError, match="row-level security"), firm_scope(firm_a.firm):
        Client.objects.create(firm=firm_b.firm, company_name="Intrus", siren="732829320")


def test_a_user_sees_own_memberships_across_firms_but_no_one_else(firm_a, firm_b):
    firm_b_membership = factories.make_member(firm_b.firm, user=firm_a.admin.user)
    with user_scope(firm_a.admin.user.pk):
        visible = set(Membership.objects.values_list("pk", flat=True))  # scoping: test
    assert visible == {firm_a.admin.pk, firm_b_membership.pk}


def test_a_nested_scope_puts_the_outer_setting_back():
    with transaction.atomic():
        with firm_scope(41):
            pass
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.current_firm', true)")
            assert cursor.fetchone()[0] in ("", None)


def test_a_reused_connection_starts_the_next_request_with_no_firm(client, firm_a):
    factories.make_client(firm_a.firm)
    client.force_login(firm_a.admin.user)
    assert client.get(f"/f/{firm_a.firm.slug}/clients/").status_code == 200
    # The same connection (tests share one) comes out of the request with nothing set.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_firm', true)")
        assert cursor.fetchone()[0] in ("", None)
    assert rls_raw_count("clients_client") == 0


def _tenant_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name FROM information_schema.columns
               WHERE table_schema = 'public' AND column_name = 'firm_id'"""
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_table_with_a_firm_column_has_forced_rls_and_a_policy():
    tables = _tenant_tables()
    assert {model._meta.db_table for model in tenant_models()} <= tables
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                      EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relname = ANY(%s)""",
            [sorted(tables)],
        )
        unprotected = [row[0] for row in cursor.fetchall() if not all(row[1:])]
    assert unprotected == []


def test_every_unique_constraint_on_a_tenant_table_includes_the_firm():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, i.relname
               FROM pg_index x
               JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_class i ON i.oid = x.indexrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'public' AND x.indisunique AND NOT x.indisprimary
                 AND t.relname = ANY(%s)
                 AND NOT EXISTS (
                   SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = t.oid AND a.attname = 'firm_id'
                     AND a.attnum = ANY(x.indkey))""",
            [sorted(_tenant_tables())],
        )
        assert cursor.fetchall() == []


def test_every_table_pointing_at_a_tenant_table_is_itself_a_tenant_table():
    """Otherwise its rows (an automatic many-to-many table, say) would escape the policy."""
    tenant_tables = _tenant_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT src.relname, dst.relname
               FROM pg_constraint c
               JOIN pg_class src ON src.oid = c.conrelid
               JOIN pg_class dst ON dst.oid = c.confrelid
               WHERE c.contype = 'f' AND dst.relname = ANY(%s)""",
            [sorted(tenant_tables)],
        )
        leaks = [row for row in cursor.fetchall() if row[0] not in tenant_tables]
    assert leaks == []
