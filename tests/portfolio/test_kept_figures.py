"""The dashboard's headline figures kept between views: read again without counting while nothing
changed, counted again after every kind of write that changes them (committed by requests and
tasks alike), per member scope and filters, when time makes a client stale, never from a
transaction that has written; the cache is a shortcut the dashboard does without; the write log
is trimmed."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from clients.selectors import list_filters
from firms.models import Firm
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Obligations
from portfolio.dashboard import (
    DashboardFilters,
    headline_figures,
    kept_headline_figures,
    portfolio_clients,
)
from portfolio.dashboard.filters import CHOICE_FILTERS
from portfolio.dashboard.kept_figures import trim_write_log
from portfolio.models import PortfolioWrite
from scoring.models import PortfolioFacts
from self_service import services as self_service
from self_service.models import Proposal
from tests import factories
from tests.portfolio.test_dashboard import MAX_QUERIES, equip, url

pytestmark = pytest.mark.django_db(transaction=True)

FIGURES_SQL = 'COUNT("clients_client"."id") AS "clients"'
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def view(member, firm_a, **params):
    """The figures a view shows, and whether it counted them."""
    with CaptureQueriesContext(connection) as queries:
        response = member.get(url(firm_a, **params))
    assert response.status_code == 200
    counted = sum(FIGURES_SQL in query["sql"] for query in queries)
    return response.context["figures"], bool(counted)


def counted_now(membership, **params):
    """What counting the set gives at this moment."""
    query = QueryDict(mutable=True)
    query.update(params)
    with firm_scope(membership.firm):
        filters = DashboardFilters.from_params(query)
        return headline_figures(portfolio_clients(membership, filters))


@pytest.fixture
def scored(firm_a):
    firm = firm_a.firm
    return [
        equip(
            firm,
            factories.make_client(firm, assigned_to=firm_a.collaborator.user),
            level=level,
            total=total,
            reception="chosen",
            complete=True,
        )
        for level, total in (("high", 40), ("medium", 20), ("low", 5))
    ]


def test_figures_are_kept_until_a_write_changes_them(as_member, firm_a, scored):
    firm, admin = firm_a.firm, firm_a.admin
    member = as_member(admin)
    first, counted = view(member, firm_a)
    assert counted and first == counted_now(admin) and first.clients == 3
    again, counted = view(member, firm_a)
    assert not counted and again == first
    with CaptureQueriesContext(connection) as queries:
        member.get(url(firm_a))
    statements = [q for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert len(statements) <= MAX_QUERIES - 1

    def after(write, **params):
        write()
        figures, counted = view(member, firm_a, **params)
        assert counted, write.__doc__
        assert figures == counted_now(admin, **params), write.__doc__
        figures, counted = view(member, firm_a, **params)
        assert not counted, write.__doc__
        return figures

    def new_client():
        """A client created."""
        factories.make_client(firm, assigned_to=firm_a.collaborator.user)

    assert after(new_client).clients == 4

    def rescored():
        """A score (its facts) written."""
        with firm_scope(firm):
            PortfolioFacts.objects.for_firm(firm).filter(client=scored[2]).update(level="high")

    assert after(rescored).high == 2

    def obligations():
        """Obligations changed (the questionnaire filter reads them)."""
        with firm_scope(firm):
            Obligations.objects.for_firm(firm).filter(client=scored[0]).update(complete=False)

    assert after(obligations, questionnaire="complete").clients == 2

    def proposal():
        """A client's self-service answers sent."""
        with firm_scope(firm):
            issued = self_service.issue_link(client=scored[1], user=firm_a.admin.user)
            Proposal.objects.create(
                firm=firm, client=scored[1], link=issued.link, submitted_at=timezone.now()
            )

    assert after(proposal).client_answers == 1

    def archived():
        """A client archived."""
        with firm_scope(firm):
            Client.objects.for_firm(firm).filter(pk=scored[0].pk).update(
                status=Client.Status.ARCHIVED
            )

    assert after(archived).clients == 3

    def deleted():
        """A client deleted."""
        with firm_scope(firm):
            Client.objects.for_firm(firm).filter(pk=scored[1].pk).delete()

    assert after(deleted).clients == 2


def test_each_member_scope_and_filter_keeps_its_own_figures(as_member, firm_a, scored):
    factories.make_client(firm_a.firm, assigned_to=firm_a.other_collaborator.user)
    admin = as_member(firm_a.admin)
    assert view(admin, firm_a)[0].clients == 4
    high, counted = view(admin, firm_a, urgency="high")
    assert counted and high.clients == 1
    # The sort changes no figure: the same kept value.
    assert view(admin, firm_a, urgency="high", sort="name") == (high, False)
    collaborator = as_member(firm_a.collaborator)
    figures, counted = view(collaborator, firm_a)
    assert counted and figures.clients == 3


def test_a_client_turning_stale_is_counted_without_any_write(as_member, firm_a, scored):
    firm = firm_a.firm
    months = firm.stale_after_months
    soon = timezone.now() - relativedelta(months=months) + timedelta(seconds=2)
    with firm_scope(firm):
        Client.objects.for_firm(firm).update(last_reviewed_at=timezone.now())
        Client.objects.for_firm(firm).filter(pk=scored[0].pk).update(last_reviewed_at=soon)
    member = as_member(firm_a.admin)
    figures, counted = view(member, firm_a)
    assert counted and figures.stale == 0
    assert view(member, firm_a) == (figures, False)
    # The filter "to review" shows stale clients only: the next one is not in its set.
    assert view(member, firm_a, stale="1")[0].clients == 0
    time.sleep(max(0.0, (soon + relativedelta(months=months) - timezone.now()).total_seconds()))
    time.sleep(0.1)
    figures, counted = view(member, firm_a)
    assert counted and figures.stale == 1
    figures, counted = view(member, firm_a, stale="1")
    assert counted and figures.clients == 1


def test_a_transaction_that_has_written_keeps_nothing(as_member, firm_a, scored):
    firm, admin = firm_a.firm, firm_a.admin
    admin.firm = firm

    class Undone(Exception):
        pass

    with pytest.raises(Undone), firm_scope(firm), transaction.atomic():
        factories.make_client(firm)
        seen = kept_headline_figures(
            admin, DashboardFilters(), portfolio_clients(admin, DashboardFilters())
        )
        assert seen.clients == 4
        raise Undone
    figures, counted = view(as_member(admin), firm_a)
    assert counted and figures.clients == 3


def test_the_dashboard_counts_when_the_cache_is_unreachable(as_member, firm_a, scored, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    member = as_member(firm_a.admin)
    for _ in range(2):
        figures, counted = view(member, firm_a)
        assert counted and figures.clients == 3


def test_one_row_per_writing_transaction_and_the_nightly_trim(firm_a, firm_b, scored):
    firm = firm_a.firm
    with firm_scope(firm):
        before = PortfolioWrite.objects.for_firm(firm).count()
    with firm_scope(firm), transaction.atomic():
        for _ in range(3):
            factories.make_client(firm)
        PortfolioFacts.objects.for_firm(firm).update(level="low")
    with firm_scope(firm):
        rows = PortfolioWrite.objects.for_firm(firm)
        assert rows.count() == before + 1
        rows.exclude(pk=rows.order_by("-pk")[0].pk).update(
            written_at=timezone.now() - timedelta(days=2)
        )
    with firm_scope(firm_b.firm):
        factories.make_client(firm_b.firm)
    assert trim_write_log() == before
    with firm_scope(firm):
        assert PortfolioWrite.objects.for_firm(firm).count() == 1
    with firm_scope(firm_b.firm):
        assert PortfolioWrite.objects.for_firm(firm_b.firm).count() == 1


FILTER_CHOICES = {
    **CHOICE_FILTERS,
    "stale": {"1": ""},
    **{list_filter.name: list_filter.choices for list_filter in list_filters()},
    "q": {"Alpha": "", "552100554": ""},
}


def test_the_triggers_cover_every_table_the_figures_read(firm_a):
    admin = firm_a.admin
    read: set[str] = set()
    for name, choices in FILTER_CHOICES.items():
        for value in choices:
            with CaptureQueriesContext(connection) as queries:
                counted_now(admin, **{name: value})
            sql = " ".join(query["sql"] for query in queries if FIGURES_SQL in query["sql"])
            assert sql, (name, value)
            read |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'portfolio_write_%%' "
            "GROUP BY c.relname"
        )
        watched = {
            table: triggers
            for table, triggers in cursor.fetchall()
            if triggers
            == ["portfolio_write_delete", "portfolio_write_insert", "portfolio_write_update"]
        }
    assert {"clients_client", "scoring_portfoliofacts"} <= read
    assert read <= set(watched), read - set(watched)


def test_a_firm_deleted_with_its_clients_leaves_no_constraint_broken():
    """The triggers note the deletion of its clients after the log's own rows were collected."""
    firm = factories.make_firm()
    for level in ("high", "low"):
        equip(firm, factories.make_client(firm), level=level, complete=True)
    firm_id = firm.pk
    with firm_scope(firm):
        firm.delete()
    assert not Firm.objects.filter(pk=firm_id).exists()
