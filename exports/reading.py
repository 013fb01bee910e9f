"""Reading the portfolio for the export: which clients, in which order, and their rows.

The rows are read by chunks of clients, a fixed number of queries per chunk whatever its size
(the client with its obligations, score and portfolio facts in one query; then its answers,
software, platforms and digital profile, one query each), never one query per client. Each
chunk is read in its own firm scope, so the progress committed between chunks shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import Aggregate, F, Func, JSONField, Lookup, QuerySet
from django.http import QueryDict

from cartography.models import PROFILE_CODES, ClientPlatform, ClientSoftware, DigitalProfile
from clients.models import Client
from clients.selectors import UNASSIGNED, ClientFilters, filter_clients, list_filters
from firms.models import Firm, Membership
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer
from fiscal_questionnaire.rules import RESULT_KEYS
from portfolio.dashboard import (
    CHOICE_FILTERS,
    SORT_FIELDS,
    DashboardFilters,
    ordered,
    portfolio_clients,
)

CHUNK = 1000

# The client sheet's own fields (those a person edits, the assignee aside, which is read by
# name), then what the firm keeps about the client.
CLIENT_FIELDS = (
    *(name for name in Client.EDITABLE_FIELDS if name not in ("assigned_to", "tags")),
    "status",
    "tags",
    "last_reviewed_at",
    "created_at",
)
# The derivation's results, without its working notes.
OBLIGATION_FIELDS = tuple(key for key in RESULT_KEYS if key not in ("missing", "reasons"))
SCORE_FIELDS = ("total", "level", "compliance")


class Source:
    """Where an export was started from, which says how its parameters choose the clients."""

    CLIENT_LIST = "clients"  # the client list's query string (ClientFilters)
    PORTFOLIO = "portfolio"  # Cartographie FE's query string (DashboardFilters)
    SELECTION = "selection"  # chosen client ids (a bulk action)

    ALL = (CLIENT_LIST, PORTFOLIO, SELECTION)


def chosen_clients(
    membership: Membership, *, source: str, querystring: str = "", client_ids=()
) -> QuerySet[Client]:
    """The clients of an export, ordered as the list it was started from shows them."""
    params = QueryDict(querystring or "")
    if source == Source.CLIENT_LIST:
        return filter_clients(membership, ClientFilters.from_params(params))
    if source == Source.PORTFOLIO:
        filters = DashboardFilters.from_params(params)
        return ordered(portfolio_clients(membership, filters), filters.sort)
    ids = [each for each in client_ids if isinstance(each, int) and not isinstance(each, bool)]
    return Client.objects.visible_to(membership).filter(pk__in=ids).order_by("company_name", "pk")


def chosen_ids(clients: QuerySet[Client]) -> list[int]:
    return list(clients.values_list("pk", flat=True))


def read_rows(
    firm_id: int, client_ids: Sequence[int], *, chunk: int | None = None
) -> Iterator[list]:
    """The rows of the clients, chunk by chunk (a list of row dicts each), in the given order."""
    chunk = chunk or CHUNK
    for start in range(0, len(client_ids), chunk):
        ids = list(client_ids[start : start + chunk])
        with firm_scope(firm_id):
            rows = read_chunk(firm_id, ids)
        yield [rows[pk] for pk in ids if pk in rows]


# The client's own columns and those joined to it (one row each per client), read in one query.
TOP_LOOKUPS = {
    **{name: name for name in CLIENT_FIELDS},
    "collaborator": "assigned_to__full_name",
    "software_readiness": "facts__software_readiness",
    "mandate_status": "facts__mandate_status",
}
OBLIGATION_LOOKUPS = [f"obligations__{name}" for name in OBLIGATION_FIELDS]
SCORE_LOOKUPS = [f"scores__{name}" for name in SCORE_FIELDS]


class InList(Lookup):
    """``column IN (ids)`` as ``column = ANY(%s)`` on PostgreSQL: one array parameter rather
    than a thousand placeholders, which psycopg would parse again for every query of every
    chunk (a query that long is past its cache)."""

    lookup_name = "in_list"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        placeholders = ", ".join(["%s"] * len(self.rhs)) or "NULL"
        return f"{lhs} IN ({placeholders})", [*lhs_params, *self.rhs]


def _among(column: str, ids: list[int]) -> InList:
    return InList(F(column), ids)


class JSONObjectAgg(Aggregate):
    """``{key: value}`` over the rows of a group, built by the database: one JSON document a
    client rather than a row (and a JSON value to decode) an answer."""

    function = "JSONB_OBJECT_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra):
        key, value = self.get_source_expressions()
        copy = self.copy()
        copy.set_source_expressions([key, Func(value, function="JSON")])
        return super(JSONObjectAgg, copy).as_sql(
            compiler, connection, function="JSON_GROUP_OBJECT", **extra
        )


def read_chunk(firm_id: int, ids: list[int]) -> dict[int, dict]:
    """One chunk of clients as flat dicts keyed by id ("company_name", "obligations.issue_from",
    "answers.vat_liable", "software.accounting", "platforms.reception.status"…): five
    queries."""
    keys = [*TOP_LOOKUPS, *(f"obligations.{name}" for name in OBLIGATION_FIELDS)]
    keys += [f"score.{name}" for name in SCORE_FIELDS]
    values = (
        Client.objects.for_firm(firm_id)
        .filter(_among("id", ids))
        .values_list("pk", *TOP_LOOKUPS.values(), *OBLIGATION_LOOKUPS, *SCORE_LOOKUPS)
    )
    rows: dict[int, dict] = {found[0]: dict(zip(keys, found[1:], strict=True)) for found in values}
    answers = (
        Answer.objects.for_firm(firm_id)
        .filter(_among("client_id", ids))
        .order_by()
        .values("client_id")
        .annotate(answers=JSONObjectAgg("code", "value"))
        .values_list("client_id", "answers")
    )
    for client_id, answered in answers:
        if client_id in rows and isinstance(answered, dict):
            rows[client_id].update({f"answers.{code}": value for code, value in answered.items()})
    software = (
        ClientSoftware.objects.for_firm(firm_id)
        .filter(_among("client_id", ids))
        .order_by("category", "id")
        .values_list(
            "client_id", "category", "product__vendor", "product__name", "vendor", "name", "version"
        )
    )
    for client_id, category, product_vendor, product_name, vendor, name, version in software:
        if client_id in rows:
            label = _software_label(product_vendor, product_name, vendor, name)
            rows[client_id].setdefault(f"software.{category}", []).append(
                f"{label} {version}".strip()
            )
    platforms = (
        ClientPlatform.objects.for_firm(firm_id)
        .filter(_among("client_id", ids))
        .values_list("client_id", "role", "platform__name", "status", "status_dates")
    )
    for client_id, role, name, status, dates in platforms:
        if client_id in rows:
            since = dates.get(status) if isinstance(dates, dict) else None
            rows[client_id].update(
                {
                    f"platforms.{role}.name": name,
                    f"platforms.{role}.status": status,
                    f"platforms.{role}.since": since,
                }
            )
    profiles = (
        DigitalProfile.objects.for_firm(firm_id)
        .filter(_among("client_id", ids))
        .values_list("client_id", *PROFILE_CODES)
    )
    profile_keys = [f"profile.{code}" for code in PROFILE_CODES]
    for client_id, *answers in profiles:
        if client_id in rows:
            rows[client_id].update(zip(profile_keys, answers, strict=True))
    return rows


def _software_label(product_vendor, product_name, vendor: str, name: str) -> str:
    """As SoftwareProduct.label and ClientSoftware.label say it, from plain values."""
    if product_name is not None:
        if not product_vendor or product_name.lower().startswith(product_vendor.lower()):
            return product_name
        return f"{product_vendor} {product_name}"
    return f"{vendor} {name}".strip() if vendor else name


def filter_errors(firm: Firm, querystring: str) -> list[str]:
    """What is wrong in a filter given as the portfolio page's URL parameters (for the command
    line, where a typo must not export the whole portfolio silently): unknown parameters and
    values the page would ignore, each in a French sentence."""
    params = QueryDict(querystring.removeprefix("?"))
    choices = {
        **CHOICE_FILTERS,
        "stale": {"1": "", "0": ""},
        "sort": {f"{sign}{key}": "" for key in SORT_FIELDS for sign in ("", "-")},
        **{each.name: each.choices for each in list_filters()},
    }
    errors = []
    for name, values in params.lists():
        if name in ("q", "page"):
            continue
        if name == "collaborator":
            with firm_scope(firm):
                members = Membership.objects.for_firm(firm).values_list("user_id", flat=True)
                members = {str(pk) for pk in members}
            bad = [value for value in values if value not in members | {UNASSIGNED, ""}]
        elif name in choices:
            bad = [value for value in values if value not in choices[name] and value != ""]
        else:
            errors.append(f"paramètre « {name} » inconnu.")
            continue
        for value in bad:
            allowed = ", ".join(choices.get(name, {UNASSIGNED: ""}))
            errors.append(f"valeur « {value} » invalide pour « {name} » (valeurs : {allowed}).")
    return errors
