"""A client's history: a person's quick edits of one tab grouped in one entry, and the timeline
with its filter by kind."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import history
from clients import services as client_services
from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from fiscal_questionnaire import services as questionnaire
from fiscal_questionnaire.answer_formats import parse_answer
from fiscal_questionnaire.questions import QUESTIONS_BY_CODE
from tests import factories

UPDATED = HistoryEntry.Action.UPDATED


@pytest.fixture
def company(firm_a):
    return factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, company_name="Garage Moreau"
    )


def change(before: str, after: str, label: str = "champ") -> dict[str, str]:
    return {"label": label, "from": before, "to": after}


def record(firm_a, company, changes, *, by=None, subject="answers", summary="", action=UPDATED):
    with firm_scope(firm_a.firm):
        return history.record(
            client=company,
            actor=firm_a.collaborator.user if by is None else by,
            action=action,
            subject=subject,
            summary=summary,
            changes=changes,
        )


def entries(firm, company) -> list[HistoryEntry]:
    with firm_scope(firm):
        return list(HistoryEntry.objects.for_firm(firm).filter(client=company).order_by("id"))


def age_last_entry(firm, company, minutes: int) -> None:
    """Make the client's last entry look started ``minutes`` ago."""
    with firm_scope(firm):
        last = HistoryEntry.objects.for_firm(firm).filter(client=company).latest("id")
        HistoryEntry.objects.for_firm(firm).filter(pk=last.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes)
        )


# --- Grouping ---------------------------------------------------------------------------------


def test_a_persons_edits_of_one_tab_within_minutes_make_one_entry(firm_a, company):
    record(firm_a, company, {"employees": change("", "12")})
    age_last_entry(firm_a.firm, company, minutes=4)
    record(firm_a, company, {"turnover_eur": change("", "1 M€")})
    record(firm_a, company, {"employees": change("12", "15"), "sells_b2c": change("", "Oui")})
    [entry] = entries(firm_a.firm, company)
    # Every field, its first "from" and its latest "to".
    assert entry.changes == {
        "employees": change("", "15"),
        "turnover_eur": change("", "1 M€"),
        "sells_b2c": change("", "Oui"),
    }
    assert entry.actor == firm_a.collaborator.user
    assert timezone.now() - entry.created_at >= timedelta(minutes=4)  # when the work began


def test_a_field_changed_back_to_its_first_value_drops_out(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris"), "siret": change("", "1")})
    record(firm_a, company, {"city": change("Paris", "Lyon")})
    [entry] = entries(firm_a.firm, company)
    assert entry.changes == {"siret": change("", "1")}


def test_an_entry_whose_every_field_is_back_where_it_started_is_removed(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    assert record(firm_a, company, {"city": change("Paris", "Lyon")}) is None
    assert entries(firm_a.firm, company) == []
    # The next change starts a new entry.
    record(firm_a, company, {"city": change("Lyon", "Nice")})
    [entry] = entries(firm_a.firm, company)
    assert entry.changes == {"city": change("Lyon", "Nice")}


def _answer(firm, client, code, raw, *, by):
    """One answer as typed in the Fiscalité tab, which saves each answer as it is given."""
    value = parse_answer(QUESTIONS_BY_CODE[code], raw)
    questionnaire.save_answers(firm=firm, client=client, values={code: value}, by=by)


def test_the_same_persons_answers_one_by_one_are_one_entry(firm_a, company):
    """The questionnaire saves each answer as it is given: sixteen answers, one entry."""
    answers = {
        "vat_liable": "oui",
        "establishment": "france_hq",
        "vat_group_member": "non",
        "exempt_operations": "none",
        "vat_regime": "reel_simplifie",
        "vat_filing_2027": "quarterly",
        "employees": "12",
        "turnover_eur": "1,5 M€",
        "balance_sheet_eur": "750 k€",
        "sells_b2b_domestic": "oui",
        "sells_b2c": "oui",
        "sells_international": "non",
        "buys_international": "oui",
        "sells_public_sector": "non",
        "activity_nature": "services",
        "vat_on_debits": "non",
    }
    with firm_scope(firm_a.firm):
        for code, raw in answers.items():
            _answer(firm_a.firm, company, code, raw, by=firm_a.collaborator.user)
        _answer(firm_a.firm, company, "employees", "14", by=None)
    grouped, by_the_system = entries(firm_a.firm, company)
    assert set(grouped.changes) == set(answers)
    assert grouped.changes["employees"]["to"] == "12"
    assert grouped.subject == "answers" and grouped.actor == firm_a.collaborator.user
    assert by_the_system.actor is None and list(by_the_system.changes) == ["employees"]


@pytest.mark.parametrize(
    ("second", "why"),
    [
        pytest.param({"by": "supervisor"}, "another person", id="another-person"),
        pytest.param({"subject": "client"}, "another tab", id="another-kind"),
        pytest.param({"subject": "equipment"}, "another tab", id="another-kind-equipment"),
        pytest.param(
            {"summary": "Logiciel modifié : Sage 100"}, "another thing", id="another-summary"
        ),
        pytest.param({"action": HistoryEntry.Action.ARCHIVED}, "not an edit", id="archiving"),
    ],
)
def test_changes_are_not_grouped_across(firm_a, company, second, why):
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    arguments = dict(second)
    if arguments.get("by") == "supervisor":
        arguments["by"] = firm_a.supervisor.user
    record(firm_a, company, {"siret": change("", "1")}, **arguments)
    assert len(entries(firm_a.firm, company)) == 2, why


def test_system_changes_are_never_grouped_together(firm_a, company):
    with firm_scope(firm_a.firm):
        for value in ("1", "2"):
            history.record(
                client=company,
                actor=None,
                action=UPDATED,
                subject="answers",
                changes={"siret": change("", value)},
            )
    assert len(entries(firm_a.firm, company)) == 2


def test_not_grouped_once_the_window_has_passed(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    age_last_entry(firm_a.firm, company, minutes=11)
    record(firm_a, company, {"city": change("Paris", "Nice")})
    first, second = entries(firm_a.firm, company)
    assert first.changes == {"city": change("Lyon", "Paris")}
    assert second.changes == {"city": change("Paris", "Nice")}


def test_the_window_counts_from_the_first_edit_of_the_group(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    age_last_entry(firm_a.firm, company, minutes=9)
    record(firm_a, company, {"siret": change("", "1")})  # 9 minutes after the first: grouped
    age_last_entry(firm_a.firm, company, minutes=11)
    record(firm_a, company, {"siret": change("1", "2")})  # 11 minutes: a new entry
    first, second = entries(firm_a.firm, company)
    assert set(first.changes) == {"city", "siret"}
    assert second.changes == {"siret": change("1", "2")}


def test_not_grouped_across_another_persons_edit_in_between(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    record(firm_a, company, {"naf": change("", "45.20A")}, by=firm_a.supervisor.user)
    record(firm_a, company, {"city": change("Paris", "Nice")})
    assert [entry.actor for entry in entries(firm_a.firm, company)] == [
        firm_a.collaborator.user,
        firm_a.supervisor.user,
        firm_a.collaborator.user,
    ]


def test_not_grouped_across_the_same_persons_edit_of_another_tab(firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")}, subject="client")
    record(firm_a, company, {"employees": change("", "3")}, subject="answers")
    record(firm_a, company, {"city": change("Paris", "Nice")}, subject="client")
    assert [entry.subject for entry in entries(firm_a.firm, company)] == [
        "client",
        "answers",
        "client",
    ]


def test_only_entries_of_the_same_client_are_grouped(firm_a, company):
    other = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    record(firm_a, company, {"city": change("Lyon", "Paris")})
    record(firm_a, other, {"city": change("Lyon", "Nice")})
    record(firm_a, company, {"siret": change("", "1")})
    [mine] = entries(firm_a.firm, company)
    [theirs] = entries(firm_a.firm, other)
    assert mine.changes == {"city": change("Lyon", "Paris"), "siret": change("", "1")}
    assert theirs.changes == {"city": change("Lyon", "Nice")}


def test_client_edits_through_the_service_are_grouped(firm_a, company):
    with firm_scope(firm_a.firm):
        for city in ("Villeurbanne", "Bron"):
            client_services.update_client(
                firm=firm_a.firm, client=company, data={"city": city}, by=firm_a.admin.user
            )
    [entry] = entries(firm_a.firm, company)
    assert entry.changes["city"]["from"] == "Lyon" and entry.changes["city"]["to"] == "Bron"


def test_merged_changes():
    first = {"a": change("1", "2"), "b": change("x", "y")}
    then = {"a": change("2", "1"), "b": change("y", "z", label="B"), "c": change("", "new")}
    assert history.merged_changes(first, then) == {
        "b": change("x", "z", label="B"),
        "c": change("", "new"),
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_person_lose_no_field(transactional_db):
    """Two saves of the same person at the same moment (two browser tabs): the second waits
    for the first to commit, then folds its field into the entry the first one wrote."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL)")
    firm = factories.make_firm()
    person = factories.make_member(firm).user
    company = factories.make_client(firm, assigned_to=person)

    def save(field: str, value: str) -> None:
        history.record(
            client=company,
            actor=person,
            action=UPDATED,
            subject="answers",
            changes={field: change("", value)},
        )

    with firm_scope(firm):
        save("city", "Paris")
    first_recorded, release_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with firm_scope(firm), transaction.atomic():
                save("siret", "1")
                first_recorded.set()
                release_first.wait(timeout=10)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            with firm_scope(firm):
                save("naf", "45.20A")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert first_recorded.wait(timeout=10)
    threads[1].start()
    threads[1].join(timeout=1)
    waited = threads[1].is_alive()  # blocked until the first commits
    release_first.set()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors
    assert waited
    [entry] = entries(firm, company)
    assert set(entry.changes) == {"city", "siret", "naf"}


# --- The timeline and its filter --------------------------------------------------------------


def history_url(firm_a, company, query: str = "") -> str:
    return f"/f/{firm_a.firm.slug}/clients/{company.pk}/historique/{query}"


def fill_history(firm_a, company, count_per_kind: int = 1) -> None:
    """Entries of every kind by several people, written at once (bulk writes are not grouped)."""
    people = [firm_a.admin.user, firm_a.supervisor.user, firm_a.collaborator.user]
    subjects = ["client", "answers", "equipment", "profile"]
    new = [
        history.entry(
            client=company,
            actor=people[number % len(people)],
            action=UPDATED,
            subject=subject,
            summary=f"{subject} n° {number}",
            changes={"field": change("", f"{subject}-{number}")},
        )
        for number in range(count_per_kind)
        for subject in subjects
    ]
    with firm_scope(firm_a.firm):
        HistoryEntry.objects.bulk_create(new)


def test_the_timeline_filters_by_kind(client, firm_a, company):
    fill_history(firm_a, company)
    client.force_login(firm_a.collaborator.user)
    page = client.get(history_url(firm_a, company, "?kind=cartography")).content.decode()
    assert "equipment n° 0" in page and "profile n° 0" in page
    assert "answers n° 0" not in page and "client n° 0" not in page
    assert "2 événements" in page
    fiscal = client.get(history_url(firm_a, company, "?kind=fiscal")).content.decode()
    assert "answers n° 0" in fiscal and "equipment n° 0" not in fiscal
    everything = client.get(history_url(firm_a, company)).content.decode()
    assert all(f"{subject} n° 0" in everything for subject in ("client", "answers", "profile"))


def test_the_filter_links_work_with_and_without_javascript(client, firm_a, company):
    client.force_login(firm_a.collaborator.user)
    page = client.get(history_url(firm_a, company, "?kind=fiscal")).content.decode()
    base = history_url(firm_a, company)
    for query, label in (
        ("", "Tout"),
        ("?kind=client", "Fiche client"),
        ("?kind=fiscal", "Questionnaire fiscal"),
        ("?kind=cartography", "Cartographie"),
    ):
        assert f'href="{base}{query}"' in page, label
        assert f'hx-get="{base}{query}"' in page, label
        assert f">{label}</a>" in page
    assert page.count('aria-current="true"') == 1
    assert 'aria-current="true">Questionnaire fiscal</a>' in page


def test_htmx_gets_the_timeline_alone(client, firm_a, company):
    fill_history(firm_a, company)
    client.force_login(firm_a.collaborator.user)
    response = client.get(history_url(firm_a, company, "?kind=client"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section class="card" id="history-timeline">')
    assert "client n° 0" in html and "answers n° 0" not in html
    # The back button may ask htmx for the whole page again.
    restored = client.get(
        history_url(firm_a, company, "?kind=client"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restored.content.decode()


def test_an_empty_kind_says_so(client, firm_a, company):
    record(firm_a, company, {"city": change("Lyon", "Paris")}, subject="client")
    client.force_login(firm_a.collaborator.user)
    page = client.get(history_url(firm_a, company, "?kind=cartography")).content.decode()
    assert "Aucun événement de ce type" in page
    assert "0 événement<" in page
    assert "Paris" not in page
    empty_state = page[page.index('id="history-empty"') :]
    assert f'<a href="{history_url(firm_a, company)}"' in empty_state
    assert "Voir tout l'historique" in empty_state


def test_an_unknown_kind_shows_everything(client, firm_a, company):
    fill_history(firm_a, company)
    client.force_login(firm_a.collaborator.user)
    response = client.get(history_url(firm_a, company, "?kind=nimportequoi"))
    assert response.status_code == 200
    assert response.context["kind"] == ""
    assert response.context["page"].paginator.count == 4


def test_pages_keep_the_kind(client, firm_a, company):
    fill_history(firm_a, company, count_per_kind=35)
    client.force_login(firm_a.collaborator.user)
    page = client.get(history_url(firm_a, company, "?kind=fiscal")).content.decode()
    assert "35 événements" in page
    assert 'href="?kind=fiscal&amp;page=2"' in page
    second = client.get(history_url(firm_a, company, "?kind=fiscal&page=2"))
    assert [entry.subject for entry in second.context["page"]] == ["answers"] * 5


def test_the_timeline_of_a_client_not_assigned_is_not_found(client, firm_a, company):
    client.force_login(firm_a.other_collaborator.user)
    assert client.get(history_url(firm_a, company, "?kind=fiscal")).status_code == 404


def test_another_firms_client_timeline_is_not_found(client, firm_a, firm_b):
    theirs = factories.make_client(firm_b.firm)
    client.force_login(firm_a.admin.user)
    url = f"/f/{firm_a.firm.slug}/clients/{theirs.pk}/historique/?kind=client"
    assert client.get(url).status_code == 404


def timeline_queries(http, url) -> int:
    http.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", ["", "?kind=fiscal", "?kind=cartography&page=2"])
def test_the_timeline_costs_the_same_queries_however_long_it_is(client, firm_a, company, query):
    client.force_login(firm_a.supervisor.user)
    url = history_url(firm_a, company, query)
    fill_history(firm_a, company, count_per_kind=1)
    short = timeline_queries(client, url)
    fill_history(firm_a, company, count_per_kind=40)  # several authors, several pages
    long = timeline_queries(client, url)
    assert long == short
    # Session, user, firm, membership, the firm switcher and the RLS scope cost 9; the tab 5:
    # the client and its collaborator (the header), its score (the header's badge), the count
    # and the page of entries with their authors.
    assert long <= 14
