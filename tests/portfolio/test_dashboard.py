"""The portfolio dashboard (Cartographie FE): rows, filters, sort, pagination, figures, stale
flag, the collaborator's own portfolio, the bulk reassignment, snapshots, and a fixed number of
queries whatever the size of the portfolio."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartography.models import ClientPlatform, ClientSoftware, Platform
from clients.models import Client
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Obligations
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION
from portfolio.dashboard import (
    PAGE_SIZE,
    SORT_FIELDS,
    DashboardFilters,
    headline_figures,
    page_rows,
    portfolio_clients,
)
from portfolio.models import PortfolioSnapshot
from portfolio.snapshots import take_portfolio_snapshot, week_of
from portfolio.tasks import take_portfolio_snapshots
from scoring.inputs import scoring_inputs
from scoring.models import ClientScore, PortfolioFacts
from scoring.portfolio_facts import portfolio_facts
from scoring.services import score_clients
from tests import factories

# The view reads the firm's write state, then counts the figures unless they are kept
# (test_kept_figures.py: a view that reads kept figures costs one statement less).
MAX_QUERIES = 13


def equip(
    firm,
    client,
    *,
    level: str | None = None,
    total: int = 0,
    compliance: int = 0,
    size: str = "",
    complete: bool = False,
    must_issue: bool | None = None,
    issue_from: date | None = None,
    reception: str | None = None,
    issuing: str | None = None,
    software_ready: str | None = None,
) -> Client:
    """Give a client its obligations, platforms, software and a hand-chosen score, with the
    facts beside the score as the app would store them."""
    now = timezone.now()
    with firm_scope(firm):
        Obligations.objects.create(
            firm=firm,
            client=client,
            in_scope=True,
            size_category=size,
            must_receive=True,
            receive_from=date(2026, 9, 1),
            must_issue=must_issue,
            issue_from=issue_from,
            complete=complete,
            questionnaire_version=QUESTIONNAIRE_VERSION,
            computed_at=now,
        )
        for role, status in (("reception", reception), ("issuing", issuing)):
            if status:
                platform, _ = Platform.objects.get_or_create(firm=firm, name="PA Test")
                ClientPlatform.objects.create(
                    firm=firm, client=client, role=role, platform=platform, status=status
                )
        if software_ready:
            from cartography.models import SoftwareProduct

            product, _ = SoftwareProduct.objects.get_or_create(
                firm=firm,
                vendor="Éditeur",
                name=f"Logiciel {software_ready}",
                defaults={"category": "accounting", "reform_ready": software_ready},
            )
            ClientSoftware.objects.create(
                firm=firm, client=client, product=product, category="accounting"
            )
        if level:
            ClientScore.objects.create(
                firm=firm,
                client=client,
                total=total,
                level=level,
                compliance=compliance,
                breakdown=[{"criterion": "x", "label": "Émission due", "answer": "", "points": 5}],
                grid_version=0,
                computed_at=now,
            )
            # The facts as scoring.services.score_clients writes them beside the score.
            inputs = scoring_inputs(firm.pk, [client.pk], today=now.date())[client.pk]
            PortfolioFacts.objects.create(
                firm=firm,
                client=client,
                level=level,
                total=total,
                compliance=compliance,
                **portfolio_facts(inputs),
            )
    return client


@pytest.fixture
def portfolio(firm_a):
    """Four clients of firm A with hand-chosen figures, and one of firm B."""
    firm = firm_a.firm
    old = timezone.now() - timedelta(days=400)
    mine = firm_a.collaborator.user
    other = firm_a.other_collaborator.user
    clients = {
        "alpha": equip(
            firm,
            factories.make_client(firm, company_name="Alpha", assigned_to=mine),
            level="high",
            total=40,
            compliance=20,
            size="PME",
            complete=True,
            must_issue=True,
            issue_from=date(2027, 9, 1),
            reception="chosen",
            software_ready="no",
        ),
        "bravo": equip(
            firm,
            factories.make_client(
                firm, company_name="Bravo", assigned_to=mine, last_reviewed_at=old
            ),
            level="medium",
            total=20,
            compliance=60,
            size="ETI",
            complete=True,
            must_issue=True,
            issue_from=date(2026, 9, 1),
            reception="tested",
            issuing="contract_signed",
            software_ready="yes",
        ),
        "charlie": equip(
            firm,
            factories.make_client(firm, company_name="Charlie", assigned_to=other),
            level="low",
            total=5,
            compliance=100,
            size="MICRO",
            must_issue=False,
            reception="considered",
        ),
        "delta": factories.make_client(
            firm, company_name="Delta", assigned_to=other, last_reviewed_at=timezone.now()
        ),
    }
    factories.make_client(firm_a.firm, company_name="Archivé", status=Client.Status.ARCHIVED)
    equip(firm_b_firm := factories.make_firm("Cabinet Gamma"), factories.make_client(firm_b_firm))
    # Delta was created long ago but never reviewed since: backdate its creation.
    with firm_scope(firm):
        Client.objects.for_firm(firm).filter(pk=clients["delta"].pk).update(
            created_at=old - timedelta(days=1), last_reviewed_at=None
        )
    return clients


def url(firm_a, **params) -> str:
    from urllib.parse import urlencode

    base = reverse("portfolio_dashboard", args=[firm_a.firm.slug])
    return base + ("?" + urlencode(params) if params else "")


def names(response) -> list[str]:
    return [row["company_name"] for row in response.context["rows"]]


def test_the_supervisor_sees_the_whole_firm_with_every_column(as_member, firm_a, portfolio):
    response = as_member(firm_a.supervisor).get(url(firm_a, sort="name"))
    assert response.status_code == 200
    assert names(response) == ["Alpha", "Bravo", "Charlie", "Delta"]
    body = response.content.decode()
    assert "urgency urgency--high" in body  # the badge with its hover breakdown
    assert "Émission due" in body
    assert "09/2027" in body  # issuing date (always the first of a month)
    assert "Pas prêt" in body and "Prêts" in body  # software readiness
    assert "data-mandate-status" not in body and ">Aucun<" in body  # no mandate yet
    bravo = next(row for row in response.context["rows"] if row["company_name"] == "Bravo")
    assert bravo["issuing_chosen"] and bravo["reception_label"] == "Testée"


def test_plurals_and_size_labels_are_french(as_member, firm_a, portfolio):
    one = as_member(firm_a.supervisor).get(url(firm_a, size="MICRO")).content.decode()
    assert "1 client du filtre" in one and "1 clients" not in one
    assert "le seul client du filtre" in one  # the bulk reassignment bar
    # The size category has one label, as on the client's obligations.
    assert '<span class="badge">Microentreprise</span>' in one
    assert '<option value="MICRO" selected>Microentreprise</option>' in one
    assert ">MICRO<" not in one
    every = as_member(firm_a.supervisor).get(url(firm_a)).content.decode()
    assert "4 clients" in every and "les 4 clients du filtre" in every


def test_a_collaborator_sees_only_their_own_portfolio(as_member, firm_a, portfolio):
    response = as_member(firm_a.collaborator).get(url(firm_a, sort="name", collaborator="x"))
    assert names(response) == ["Alpha", "Bravo"]
    assert response.context["figures"].clients == 2
    # Asking for another collaborator's clients changes nothing.
    other = firm_a.other_collaborator.user.pk
    response = as_member(firm_a.collaborator).get(url(firm_a, collaborator=other))
    assert sorted(names(response)) == ["Alpha", "Bravo"]
    assert b"bulkbar" not in response.content


def test_the_collaborator_filter_of_a_supervisor(as_member, firm_a, portfolio):
    other = firm_a.other_collaborator.user.pk
    response = as_member(firm_a.admin).get(url(firm_a, collaborator=other, sort="name"))
    assert names(response) == ["Charlie", "Delta"]


@pytest.mark.parametrize("collaborator", ["²", "99999999999999999999999", "-1"])
def test_a_collaborator_filter_that_is_no_id_matches_nobody(
    as_member, firm_a, portfolio, collaborator
):
    response = as_member(firm_a.admin).get(url(firm_a, collaborator=collaborator))
    assert response.status_code == 200
    assert names(response) == []
    assert response.context["figures"].clients == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"urgency": "high"}, ["Alpha"]),
        ({"urgency": "none"}, ["Delta"]),
        ({"size": "ETI"}, ["Bravo"]),
        ({"size": "unknown"}, ["Delta"]),
        ({"obligation": "issue"}, ["Alpha", "Bravo"]),
        ({"obligation": "undetermined"}, ["Charlie", "Delta"]),
        ({"issuing_year": "2026"}, ["Bravo"]),
        ({"issuing_year": "2027"}, ["Alpha"]),
        ({"platform": "reception_chosen"}, ["Alpha", "Bravo"]),
        ({"platform": "reception_missing"}, ["Charlie", "Delta"]),
        ({"platform": "issuing_missing"}, ["Alpha"]),
        ({"platform": "issuing_chosen"}, ["Bravo"]),
        ({"stale": "1"}, ["Bravo", "Delta"]),
        ({"q": "char"}, ["Charlie"]),
        ({"urgency": "bogus"}, ["Alpha", "Bravo", "Charlie", "Delta"]),
    ],
)
def test_filters(as_member, firm_a, portfolio, params, expected):
    response = as_member(firm_a.supervisor).get(url(firm_a, sort="name", **params))
    assert names(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("-name", ["Delta", "Charlie", "Bravo", "Alpha"]),
        ("-urgency", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("urgency", ["Charlie", "Bravo", "Alpha", "Delta"]),
        ("compliance", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("-compliance", ["Charlie", "Bravo", "Alpha", "Delta"]),
        ("issue", ["Bravo", "Alpha", "Charlie", "Delta"]),
        ("size", ["Bravo", "Charlie", "Alpha", "Delta"]),
        ("-reception", ["Bravo", "Alpha", "Charlie", "Delta"]),
        ("-issuing", ["Bravo", "Alpha", "Charlie", "Delta"]),
        ("software", ["Alpha", "Bravo", "Charlie", "Delta"]),
        ("reviewed", ["Delta", "Bravo", "Alpha", "Charlie"]),
    ],
)
def test_sort_on_every_column(as_member, firm_a, portfolio, sort, expected):
    response = as_member(firm_a.supervisor).get(url(firm_a, sort=sort))
    assert names(response) == expected


def test_clients_of_undecided_size_sort_last_both_ways(as_member, firm_a):
    firm = firm_a.firm
    equip(firm, factories.make_client(firm, company_name="Taille connue"), level="low", size="PME")
    undecided = factories.make_client(firm, company_name="Taille inconnue")
    with firm_scope(firm):
        score_clients(firm=firm, client_ids=[undecided.pk])[0]  # scored, the size not determined
    member = as_member(firm_a.admin)
    for sort in ("size", "-size"):
        assert names(member.get(url(firm_a, sort=sort))) == ["Taille connue", "Taille inconnue"]


def test_column_headers_link_to_their_sort_keeping_the_filters(as_member, firm_a, portfolio):
    response = as_member(firm_a.supervisor).get(url(firm_a, urgency="high", sort="name", page=1))
    columns = {column["key"]: column for column in response.context["columns"]}
    assert columns["name"]["url"] == "?urgency=high&sort=-name"
    assert columns["name"]["aria_sort"] == "ascending"
    assert columns["compliance"]["url"] == "?urgency=high&sort=compliance"
    assert columns["mandate"]["url"] == "?urgency=high&sort=mandate"


def test_headline_figures_against_hand_computed_values(as_member, firm_a, portfolio):
    figures = as_member(firm_a.admin).get(url(firm_a)).context["figures"]
    assert (figures.clients, figures.high, figures.medium, figures.low) == (4, 1, 1, 1)
    assert figures.unscored == 1
    assert (figures.determined, figures.determined_percent) == (2, 50)
    # Chosen or further: Alpha (chosen), Bravo (tested); Charlie only considers one.
    assert (figures.reception_pa, figures.reception_percent) == (2, 50)
    assert (figures.issuing_due, figures.issuing_pa, figures.issuing_percent) == (2, 1, 50)
    assert figures.stale == 2
    assert figures.average_compliance == 60  # (20 + 60 + 100) / 3
    # For a filtered set, the figures follow the filter.
    figures = as_member(firm_a.admin).get(url(firm_a, size="ETI")).context["figures"]
    assert (figures.clients, figures.medium, figures.issuing_percent) == (1, 1, 100)


def test_stale_follows_the_firm_setting(as_member, firm_a, portfolio):
    firm_a.firm.stale_after_months = 24
    firm_a.firm.save()
    response = as_member(firm_a.admin).get(url(firm_a, stale="1"))
    assert names(response) == []
    response = as_member(firm_a.admin).get(url(firm_a, sort="name"))
    assert b'data-testid="stale"' not in response.content


def test_pagination(as_member, firm_a):
    firm = firm_a.firm
    for number in range(PAGE_SIZE + 3):
        factories.make_client(firm, company_name=f"Client {number:03d}")
    member = as_member(firm_a.admin)
    first = member.get(url(firm_a, sort="name"))
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["page"].num_pages == 2
    second = member.get(url(firm_a, sort="name", page=2))
    assert names(second) == [f"Client {n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert b"page=1" in second.content  # the previous link keeps the sort
    assert b"sort=name" in second.content
    assert names(member.get(url(firm_a, sort="name", page=99))) == names(second)


@pytest.mark.parametrize("page", ["²", "99999999999999999999999", "-1", "1e23", "", "0"])
def test_a_page_number_that_is_no_number_shows_a_page(as_member, firm_a, page):
    firm = firm_a.firm
    for number in range(PAGE_SIZE + 3):
        factories.make_client(firm, company_name=f"Client {number:03d}")
    response = as_member(firm_a.admin).get(url(firm_a, sort="name", page=page))
    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.parametrize("sort", sorted([*SORT_FIELDS, *[f"-{key}" for key in SORT_FIELDS]]))
def test_pages_read_from_the_end_are_the_pages_read_from_the_start(firm_a, portfolio, sort):
    """Past the middle of the list, a page is read backwards; it must be the very same page."""
    membership = firm_a.admin
    with firm_scope(firm_a.firm):
        clients = portfolio_clients(membership, DashboardFilters(sort=sort))
        everyone = [
            row["company_name"] for row in page_rows(firm_a.firm, clients, sort=sort, offset=0)
        ]
        assert len(everyone) == 4
        for limit in (1, 3):
            for offset in range(0, 4, limit):
                page = page_rows(
                    firm_a.firm, clients, sort=sort, offset=offset, limit=limit, count=4
                )
                assert [row["company_name"] for row in page] == everyone[offset : offset + limit]


@pytest.mark.parametrize("sort", ["urgency", "-urgency"])
def test_pages_by_urgency_read_scored_and_unscored_clients_apart(firm_a, sort):
    """By urgency, the scored clients are read on their own (by the index, in either direction)
    and the clients without a score after them: every page, read from either end, is the page
    of the whole list sorted at once."""
    firm = firm_a.firm
    totals = [30, 10, 30, 0, 30, 55, 10, None, 30, None, 0, 55, None]
    for number, total in enumerate(totals):
        client = factories.make_client(firm, company_name=f"Client {(number * 7) % 13:02d}")
        if total is not None:
            equip(firm, client, level="medium", total=total)
    membership = firm_a.admin
    with firm_scope(firm):
        clients = portfolio_clients(membership, DashboardFilters(sort=sort))
        figures = headline_figures(clients)
        assert (figures.clients, figures.unscored) == (13, 3)
        everyone = [row["pk"] for row in page_rows(firm, clients, sort=sort, offset=0, limit=20)]
        assert len(everyone) == 13
        assert [
            pk
            for pk in everyone
            if pk not in set(PortfolioFacts.objects.values_list("client_id", flat=True))
        ] == everyone[10:]  # the three without a score come last
        for limit in (1, 2, 4, 5, 13):
            for offset in range(13):
                page = page_rows(
                    firm,
                    clients,
                    sort=sort,
                    offset=offset,
                    limit=limit,
                    count=figures.clients,
                    unscored=figures.unscored,
                )
                assert [row["pk"] for row in page] == everyone[offset : offset + limit]


def test_the_last_page_of_a_larger_portfolio(as_member, firm_a):
    firm = firm_a.firm
    for number in range(2 * PAGE_SIZE + 7):
        factories.make_client(firm, company_name=f"Client {number:03d}")
    member = as_member(firm_a.admin)
    first = member.get(url(firm_a, sort="-name")).content.decode()
    assert '<a class="btn btn--small" href="?sort=-name&amp;page=3"' in first  # « Dernière »
    assert "Première" not in first
    last = member.get(url(firm_a, sort="-name", page=3))
    assert "Première" in last.content.decode() and "Dernière »" not in last.content.decode()
    assert names(last) == [f"Client {n:03d}" for n in range(6, -1, -1)]
    middle = member.get(url(firm_a, sort="-name", page=2))
    assert names(middle) == [f"Client {n:03d}" for n in range(56, 6, -1)]


def test_an_htmx_request_gets_the_results_only(as_member, firm_a, portfolio):
    response = as_member(firm_a.admin).get(url(firm_a, urgency="low"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="dashboard-filters"' not in body
    assert "Charlie" in body and "Répartition par urgence" in body
    restore = as_member(firm_a.admin).get(
        url(firm_a, urgency="low"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert b'id="dashboard-filters"' in restore.content


def test_the_urgency_chart_and_progress_chart_render_as_svg(as_member, firm_a, portfolio):
    take_portfolio_snapshot(firm=firm_a.firm, today=date.today() - timedelta(weeks=1))
    take_portfolio_snapshot(firm=firm_a.firm)
    response = as_member(firm_a.admin).get(url(firm_a))
    body = response.content.decode()
    assert body.count('<svg class="chart__svg"') == 2
    assert "Élevée : 1" in body
    assert "<polyline" in body
    assert response.context["progress"]["series"][0]["last"] == 50


def _count_queries(client, target: str) -> int:
    """Statements of one request, without the savepoints that exist only because the test runs
    inside a transaction (a real request's BEGIN and COMMIT are not captured either)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return sum(1 for query in queries if "SAVEPOINT" not in query["sql"])


@pytest.mark.parametrize("sort", ["name", "-urgency", "software"])
def test_the_query_count_does_not_grow_with_the_portfolio(as_member, firm_a, sort):
    firm = firm_a.firm
    member = as_member(firm_a.admin)
    for number in range(3):
        equip(
            firm,
            factories.make_client(firm, assigned_to=firm_a.collaborator.user),
            level="high",
            total=number,
            reception="chosen",
            software_ready="yes",
        )
    target = url(firm_a, sort=sort, urgency="high")
    small = _count_queries(member, target)
    for number in range(60):
        equip(
            firm,
            factories.make_client(firm, assigned_to=firm_a.other_collaborator.user),
            level="high",
            total=number,
            reception="chosen",
            issuing="tested",
            software_ready="no",
        )
    large = _count_queries(member, target)
    assert small == large
    assert large <= MAX_QUERIES


def test_reassigning_the_checked_rows(as_member, firm_a, portfolio):
    target = firm_a.other_collaborator.user
    response = as_member(firm_a.supervisor).post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {
            "action": "reassign",
            "scope": "selected",
            "selected": [portfolio["alpha"].pk],
            "assignee": target.pk,
            "querystring": "urgency=high",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/cartographie/?urgency=high")
    with firm_scope(firm_a.firm):
        assert Client.objects.for_firm(firm_a.firm).get(pk=portfolio["alpha"].pk).assigned_to == (
            target
        )


def test_reassigning_the_whole_filtered_set(as_member, firm_a, portfolio):
    response = as_member(firm_a.admin).post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {"action": "reassign", "scope": "all", "assignee": "none", "querystring": "stale=1"},
    )
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        unassigned = Client.objects.for_firm(firm_a.firm).filter(assigned_to__isnull=True)
        assert sorted(unassigned.values_list("company_name", flat=True)) == [
            "Archivé",
            "Bravo",
            "Delta",
        ]


def test_checked_rows_that_are_no_ids_are_left_out(as_member, firm_a, portfolio):
    response = as_member(firm_a.supervisor).post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {
            "action": "reassign",
            "scope": "selected",
            "selected": ["²", "9" * 23],
            "assignee": "none",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Aucun client sélectionné." in response.content.decode()


def test_a_collaborator_may_not_reassign(as_member, firm_a, portfolio):
    response = as_member(firm_a.collaborator).post(
        reverse("portfolio_bulk_action", args=[firm_a.firm.slug]),
        {"action": "reassign", "scope": "all", "assignee": "none"},
    )
    assert response.status_code == 403


def test_the_weekly_snapshot_is_per_firm_and_once_a_week(firm_a, firm_b, portfolio):
    monday = week_of(date(2026, 3, 12))
    assert monday == date(2026, 3, 9)
    take_portfolio_snapshot(firm=firm_a.firm, today=date(2026, 3, 12))
    snapshot = take_portfolio_snapshot(firm=firm_a.firm, today=date(2026, 3, 13))
    with firm_scope(firm_a.firm):
        assert PortfolioSnapshot.objects.for_firm(firm_a.firm).count() == 1
    assert snapshot.taken_on == monday
    assert (snapshot.clients, snapshot.high, snapshot.determined, snapshot.stale) == (4, 1, 2, 2)
    assert take_portfolio_snapshots.run(firm_ids=[firm_b.firm.pk]) == 1
    with firm_scope(firm_b.firm):
        assert PortfolioSnapshot.objects.for_firm(firm_b.firm).get().clients == 0


def test_this_weeks_progress_is_the_headline_figure(as_member, firm_a, portfolio):
    """One figure, one source: the chart's last point is the card's figure, not last Monday's."""
    take_portfolio_snapshot(firm=firm_a.firm, today=date.today() - timedelta(weeks=1))
    monday = take_portfolio_snapshot(firm=firm_a.firm)
    with firm_scope(firm_a.firm):  # the portfolio moved on since Monday's snapshot
        PortfolioSnapshot.objects.for_firm(firm_a.firm).filter(pk=monday.pk).update(determined=0)
    response = as_member(firm_a.admin).get(url(firm_a))
    figures = response.context["figures"]
    determined = response.context["progress"]["series"][0]
    assert determined["last"] == figures.determined_percent == 50
    assert len(determined["points"]) == 2  # last week's snapshot, and this week's live figures


def test_a_collaborator_is_told_the_progress_chart_is_the_firms(as_member, firm_a, portfolio):
    take_portfolio_snapshot(firm=firm_a.firm)
    body = as_member(firm_a.collaborator).get(url(firm_a)).content.decode()
    assert "tout le cabinet, pas seulement vos dossiers" in body
