"""Tenancy: one scoping mechanism, two walls.

Application wall: every tenant model inherits :class:`TenantModel` (a direct ``firm`` foreign key)
and is queried through ``Model.objects.for_firm(firm)``; a test fails unscoped queries.

Database wall (PostgreSQL): every tenant table has row-level security forced, with a policy keyed
on ``app.current_firm``, a setting local to the transaction that :func:`firm_scope` opens. A query
made outside a scope sees no tenant row at all, and a connection reused by the next request or
task starts with no firm, because the setting dies with the transaction.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from django.db import connection, models, transaction

if TYPE_CHECKING:
    from firms.models import Firm

_current_firm_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_firm_id", default=None
)

FIRM_SETTING = "app.current_firm"
USER_SETTING = "app.current_user"
FIRM_CONDITION = f"firm_id = NULLIF(current_setting('{FIRM_SETTING}', true), '')::bigint"
USER_CONDITION = f"user_id = NULLIF(current_setting('{USER_SETTING}', true), '')::bigint"


class TenantQuerySet(models.QuerySet):
    def for_firm(self, firm: Firm | int) -> TenantQuerySet:
        firm_id = firm if isinstance(firm, int) else firm.pk
        return self.filter(firm_id=firm_id)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    pass


class TenantModel(models.Model):
    """Base of every row that belongs to a firm."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    # Extra rows a policy lets through besides those of the current firm (SQL, ORed).
    rls_extra_visibility: ClassVar[str] = ""

    class Meta:
        abstract = True


_active_database_scope: contextvars.ContextVar[tuple[int | None, int | None]] = (
    contextvars.ContextVar("active_database_scope", default=(None, None))
)


def current_firm_id() -> int | None:
    return _current_firm_id.get()


def _set_database_scope(firm_id: int | None, user_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [FIRM_SETTING, str(firm_id or ""), USER_SETTING, str(user_id or "")],
        )


@contextmanager
def _database_scope(firm_id: int | None, user_id: int | None) -> Iterator[None]:
    """A transaction whose row-level security settings are the given firm and user.

    The settings are transaction-local, so they vanish when a top-level scope ends. A scope
    nested in an open transaction (a savepoint) puts the outer values back when it ends.
    """
    if connection.vendor != "postgresql":
        yield
        return
    outer = _active_database_scope.get()
    nested = connection.in_atomic_block
    token = _active_database_scope.set((firm_id, user_id))
    try:
        with transaction.atomic():
            _set_database_scope(firm_id, user_id)
            yield
        if nested:
            _set_database_scope(*outer)
    finally:
        _active_database_scope.reset(token)


@contextmanager
def firm_scope(firm: Firm | int, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block as the given firm: in a transaction on PostgreSQL, with the RLS setting.

    Every request under ``/f/<firm_slug>/`` and every task runs inside one. Nesting the same firm
    is allowed (a savepoint); nesting another firm is a programming error.
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    active = _current_firm_id.get()
    if active is not None and active != firm_id:
        raise RuntimeError(f"firm scope {active} is active; cannot enter firm {firm_id}")
    token = _current_firm_id.set(firm_id)
    try:
        with _database_scope(firm_id, user_id):
            yield
    finally:
        _current_firm_id.reset(token)


@contextmanager
def user_scope(user_id: int) -> Iterator[None]:
    """Scope for pages outside any firm (the firm chooser): the user's own memberships only."""
    with _database_scope(None, user_id):
        yield


def tenant_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy and model._meta.managed
    ]


def row_level_security_statements(model: type[models.Model]) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    using = FIRM_CONDITION
    extra = getattr(model, "rls_extra_visibility", "")
    if extra:
        using = f"({FIRM_CONDITION}) OR ({extra})"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
        f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({FIRM_CONDITION})",
    ]


def apply_row_level_security(*, using: str = "default", app_role: str = "") -> None:
    """Enable and force RLS on every tenant table, and grant the application role its rights.

    Run after every ``migrate`` (post_migrate), as the owner of the tables; idempotent.
    """
    from django.db import connections

    db = connections[using]
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
            "AND tableowner = current_user"
        )
        if not cursor.fetchone()[0]:
            return  # not the owner (e.g. the application role after a test flush): nothing to do
        for model in tenant_models():
            for statement in row_level_security_statements(model):
                cursor.execute(statement)
        if app_role:
            role = db.ops.quote_name(app_role)
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
