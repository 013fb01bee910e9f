"""The benchmark's firm, built fast: the same data as ``seed_demo --firm NAME`` at any size.

``build_firm`` lets ``seed_demo`` make the firm, its administrator (the demo's login, second
factor enrolled) and a handful of clients with what only the services make well (mandates and
invoices with their PDFs, a draft campaign, scores), then adds the other clients with the demo's
own generators (``demo.companies.iter_companies``, ``demo.questionnaires.demo_answers``,
``demo.cartographies.demo_cartographies``): each client with its questionnaire answers, the
obligations derived from them by the real pure function (``derive_obligations``), the history
entry of its questionnaire and its cartography (digital profile, software, platforms). Then
``bench/portfolio.py`` equips the clients left without platform or software. Nothing is scored:
the bench's own measured ``rescore_portfolio`` does it.

On PostgreSQL the rows go by COPY, a few thousand clients per transaction, under the firm's
scope and the application role, so row-level security checks them as it checks any insert:
COPY into a temporary table, then one ``INSERT … SELECT`` into the real one (COPY itself is
refused on a table with row-level security). Client keys are drawn from their sequence first.
The rows of a chunk are made in this thread while another thread, on its own connection, writes
the previous chunk, so Python and PostgreSQL work at the same time (two cores). On SQLite,
``bulk_create`` in this thread.

The obligations are those of ``derive_obligations`` for each client's answers. It explores the
possible answers of a questionnaire and costs about 0.2 ms a client; its result depends on the
staff and money figures only through the threshold band each falls in
(``law.figure_representatives``), so it is computed once per distinct set of answers with the
figures replaced by their band (at 100,000 clients, 90,042 questionnaires share 1,621 such
sets). ``tests/test_bench_build.py`` checks every client of a built firm against the real
service, and 3,000 demo questionnaires against the shared results.
"""

from __future__ import annotations

import bisect
import datetime
import io
import itertools
import json
import queue
import random
import re
import threading
import time
from collections.abc import Sequence

from django.core.management import call_command
from django.db import connection, connections, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from cartography.models import ClientPlatform, ClientSoftware, DigitalProfile, SoftwareProduct
from cartography.selectors import platform_catalogue
from cartography.services import install_default_catalogues
from clients import history
from clients.models import Client, HistoryEntry
from demo.cartographies import demo_cartographies
from demo.companies import iter_companies
from demo.management.commands.seed_demo import UNASSIGNED_EVERY, demo_client_values
from demo.questionnaires import (
    answering_moments,
    demo_answers,
    history_changes,
    history_summary,
)
from firms.models import Firm, Membership, Role
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION
from fiscal_questionnaire.rules import derive_obligations, law
from fiscal_questionnaire.services import HISTORY_SUBJECT, obligation_fields

# Clients seed_demo makes itself (its mandates, invoices and campaign go to the first ones).
SEEDED_CLIENTS = 50
CHUNK = 5000  # clients per transaction

ANSWER_COLUMNS = (
    "firm_id",
    "client_id",
    "code",
    "value",
    "questionnaire_version",
    "answered_by_id",
    "answered_at",
)


def build_firm(
    *, clients: int, firm_name: str, seed: int, steps: dict[str, float] | None = None
) -> Firm:
    """Create (or reuse) the firm whose slug is slugify(``firm_name``) and give it ``clients``
    more demo clients, equipped, not scored. ``steps`` receives each step's seconds."""
    from bench.portfolio import equip_portfolio

    steps = {} if steps is None else steps
    started = time.perf_counter()
    seeded = min(clients, SEEDED_CLIENTS)
    call_command("seed_demo", clients=seeded, firm=firm_name, seed=seed, stdout=io.StringIO())
    firm = Firm.objects.get(slug=slugify(firm_name)[:60])
    steps["seed_demo"] = time.perf_counter() - started
    started = time.perf_counter()
    add_clients(firm, count=clients - seeded, seed=seed + 1)
    steps["clients"] = time.perf_counter() - started
    started = time.perf_counter()
    equip_portfolio(firm_id=firm.pk, seed=seed)
    steps["equipment"] = time.perf_counter() - started
    return firm


def add_clients(firm: Firm, *, count: int, seed: int) -> int:
    """Add ``count`` generated clients with their answers, obligations, questionnaire history
    entry and cartography, as seed_demo would (collaborators of the firm assigned in turn, one
    client in twelve left without). Returns how many clients got answers."""
    if count <= 0:
        return 0
    now = timezone.now()
    today = timezone.localdate()
    install_default_catalogues(firm)
    with firm_scope(firm):
        taken = set(Client.objects.for_firm(firm).values_list("siren", flat=True))
        assignees = list(
            Membership.objects.for_firm(firm)
            .filter(role=Role.COLLABORATOR, is_active=True)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        products = list(SoftwareProduct.objects.for_firm(firm).filter(is_active=True))
        platforms = list(platform_catalogue(firm)[:25])
    companies = list(iter_companies(count, seed=seed, now=now, taken_sirens=taken))
    # Over the whole portfolio at once, as seed_demo draws them (its rarer profiles: a few mid-
    # size companies, one VAT group member, one foreign company).
    questionnaires = demo_answers(companies, seed=seed)
    moments = answering_moments(seed=seed, now=now)
    cartography_rng = random.Random(seed)
    rotation = itertools.cycle(assignees)
    encoder = Encoder()
    answered = 0
    with ChunkWriter(firm) as writer:
        for start in range(0, count, CHUNK):
            batch = []
            for index in range(start, min(start + CHUNK, count)):
                values = demo_client_values(companies[index])
                values["firm_id"] = firm.pk
                values["assigned_to_id"] = None
                if assignees and index % UNASSIGNED_EVERY != UNASSIGNED_EVERY - 1:
                    values["assigned_to_id"] = next(rotation)
                batch.append(values)
            tables = []
            if _give_keys(firm, batch):
                tables.append((Client, *dict_rows(Client, batch, now=now, with_key=True)))
            clients = [_Row(values) for values in batch]
            answers, obligation_rows, entries = _questionnaire_rows(
                firm, clients, questionnaires[start : start + CHUNK], moments, encoder
            )
            answered += len(obligation_rows[1])
            tables += [
                (Answer, *answers),
                (Obligations, *obligation_rows),
                (HistoryEntry, *entries),
            ]
            profiles, software, chosen = demo_cartographies(
                rng=cartography_rng,
                firm=firm,
                clients=clients,
                products=products,
                platforms=platforms,
                today=today,
            )
            for model, rows in (
                (DigitalProfile, profiles),
                (ClientSoftware, software),
                (ClientPlatform, chosen),
            ):
                tables.append((model, *dict_rows(model, rows, now=now)))
            writer.write(tables)
    return answered


class _Row:
    """A client being built, as the demo's generators read it (``pk``, ``assigned_to_id``)."""

    __slots__ = ("assigned_to_id", "firm_id", "pk")

    def __init__(self, values: dict[str, object]) -> None:
        self.pk = values["id"]
        self.firm_id = values["firm_id"]
        self.assigned_to_id = values["assigned_to_id"]


class RawJSON(str):
    """A JSON column's value already encoded."""

    __slots__ = ()


class CopyLines(list):
    """Rows already in COPY's text format, one string a row (PostgreSQL only)."""

    __slots__ = ()


class Encoder:
    """JSON text of what many clients share, encoded once: answer values, the history entries'
    fields, the obligations of a set of answers (``derive_obligations`` once per set of answers
    whose figures fall in the same bands)."""

    FIGURES = {code: sorted(bands) for code, bands in law.figure_representatives().items()}

    def __init__(self) -> None:
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
        self.values: dict[tuple, RawJSON] = {}
        self.texts: dict[tuple, str] = {}
        self.changes: dict[tuple, str] = {}
        self.obligations: dict[tuple, tuple] = {}
        self.obligation_columns: tuple[str, ...] = ()

    def value(self, value: object) -> RawJSON:
        key = (type(value), value)
        found = self.values.get(key)
        if found is None:
            found = self.values[key] = RawJSON(self.dumps(value))
        return found

    def value_text(self, value: object) -> str:
        """The COPY text of an answer's JSON value."""
        key = (type(value), value)
        found = self.texts.get(key)
        if found is None:
            found = self.texts[key] = _copy_text(self.value(value))
        return found

    def history_changes(self, answers: dict[str, object]) -> RawJSON:
        """``json(history_changes(answers))``, a field at a time."""
        parts = []
        for code, value in answers.items():
            key = (code, type(value), value)
            part = self.changes.get(key)
            if part is None:
                item = history_changes({code: value})
                part = self.changes[key] = self.dumps(item)[1:-1]
            parts.append(part)
        return RawJSON("{" + ", ".join(parts) + "}")

    def obligations_values(self, answers: dict[str, object]) -> tuple:
        """The values of ``obligation_columns`` for these answers."""
        key = self._banded(answers)
        found = self.obligations.get(key)
        if found is None:
            columns = obligations_row(answers)
            self.obligation_columns = tuple(columns)
            found = self.obligations[key] = tuple(
                RawJSON(self.dumps(value)) if isinstance(value, list | dict) else value
                for value in columns.values()
            )
        return found

    def _banded(self, answers: dict[str, object]) -> tuple:
        banded = []
        for code, value in answers.items():
            bands = self.FIGURES.get(code)
            if bands is not None and type(value) in (int, float):
                value = ("band", bands[max(0, bisect.bisect_right(bands, value) - 1)])
            banded.append((code, type(value), value))
        return tuple(sorted(banded, key=lambda item: item[0]))


def obligations_row(answers: dict[str, object]) -> dict[str, object]:
    """The columns of a client's ``Obligations`` for its answers (all of the current version),
    from the real pure function."""
    return obligation_fields(derive_obligations(answers))


def _questionnaire_rows(firm: Firm, clients, questionnaires, moments, encoder: Encoder):
    """(columns, rows) of the answers, the obligations and the history entries of ``clients``."""
    as_text = connection.vendor == "postgresql"
    answer_rows: list = CopyLines() if as_text else []
    obligation_rows: list[tuple] = []
    history_rows: list[tuple] = []
    created_at = timezone.now()
    for client, answers in zip(clients, questionnaires, strict=True):
        if not answers:
            continue
        answered_at = next(moments)
        by = client.assigned_to_id
        if as_text:  # the most numerous rows: their COPY lines made at once
            head = f"{firm.pk}\t{client.pk}\t"
            tail = f"\t{QUESTIONNAIRE_VERSION}\t{_copy_text(by)}\t{answered_at.isoformat()}"
            answer_rows.extend(
                f"{head}{_copy_text(code)}\t{encoder.value_text(value)}{tail}"
                for code, value in answers.items()
            )
        else:
            answer_rows.extend(
                (
                    firm.pk,
                    client.pk,
                    code,
                    encoder.value(value),
                    QUESTIONNAIRE_VERSION,
                    by,
                    answered_at,
                )
                for code, value in answers.items()
            )
        obligation_rows.append(
            (
                firm.pk,
                client.pk,
                QUESTIONNAIRE_VERSION,
                answered_at,
                *encoder.obligations_values(answers),
            )
        )
        history_rows.append(
            (
                firm.pk,
                client.pk,
                by,
                HistoryEntry.Action.UPDATED.value,
                HISTORY_SUBJECT,
                history_summary(answers),
                encoder.history_changes(answers),
                created_at,
            )
        )
    obligation_columns = (
        "firm_id",
        "client_id",
        "questionnaire_version",
        "computed_at",
        *encoder.obligation_columns,
    )
    return (
        (ANSWER_COLUMNS, answer_rows),
        (obligation_columns, obligation_rows),
        (history.ENTRY_COLUMNS, history_rows),
    )


def _give_keys(firm: Firm, clients: list[dict[str, object]]) -> bool:
    """Primary keys for new clients (their values by attribute name): on PostgreSQL drawn from
    the table's sequence (True: the clients are to be written with the other rows); elsewhere
    by writing them now."""
    if connection.vendor != "postgresql":
        objects = [Client(**values) for values in clients]
        with firm_scope(firm), transaction.atomic():
            Client.objects.bulk_create(objects, batch_size=500)
        for values, instance in zip(clients, objects, strict=True):
            values["id"] = instance.pk
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Client._meta.db_table, len(clients)],
        )
        for values, (key,) in zip(clients, cursor.fetchall(), strict=True):
            values["id"] = key
    return True


def dict_rows(model, rows: Sequence[dict[str, object]], *, now, with_key: bool = False):
    """(columns, rows) of every concrete column of ``model`` for ``rows`` (values by attribute
    name); a column a row leaves out takes its default as an insert would give it (``now``
    for the automatic dates)."""
    fields = [field for field in model._meta.concrete_fields if with_key or not field.primary_key]
    defaults = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append((False, now))
        elif field.has_default() and callable(field.default) and field.default not in (list, dict):
            defaults.append((True, field.default))
        else:
            defaults.append((False, field.get_default()))
    columns = tuple(field.attname for field in fields)
    table = [
        [
            row[name] if name in row else (default() if per_row else default)
            for name, (per_row, default) in zip(columns, defaults, strict=True)
        ]
        for row in rows
    ]
    return columns, table


class ChunkWriter:
    """Writes each chunk's tables in one transaction under the firm's scope: on PostgreSQL in a
    thread of its own (its own connection) while the caller makes the next chunk, at most two
    chunks waiting; elsewhere at once. Rows pointing to clients need their keys (``_give_keys``)."""

    def __init__(self, firm: Firm) -> None:
        self.firm = firm
        self.threaded = connection.vendor == "postgresql"
        self.chunks: queue.Queue = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-build-writer")

    def __enter__(self) -> ChunkWriter:
        if self.threaded:
            self.thread.start()
        return self

    def write(self, tables) -> None:
        if self.failure is not None:
            raise self.failure
        if self.threaded:
            self.chunks.put(tables)
        else:
            _write_tables(self.firm, tables)

    def __exit__(self, *exc_info) -> None:
        if self.threaded:
            self.chunks.put(None)
            self.thread.join()
        if self.failure is not None and exc_info[0] is None:
            raise self.failure

    def _run(self) -> None:
        try:
            while (tables := self.chunks.get()) is not None:
                if self.failure is None:
                    _write_tables(self.firm, tables)
        except BaseException as error:  # handed to the caller's thread
            self.failure = error
            while self.chunks.get() is not None:
                pass
        finally:
            connections.close_all()


def _write_tables(firm: Firm, tables) -> None:
    with firm_scope(firm), transaction.atomic():
        for model, columns, rows in tables:
            insert_rows(model, columns, rows)


NEEDS_ESCAPE = re.compile(r"[\\\n\r\t]").search


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Insert new rows (sequences of Python values in the order of ``columns``, attribute names
    such as ``client_id``; without ``id``, the key comes from the table's default). JSON columns
    take Python values or ``RawJSON``. PostgreSQL: COPY into a temporary table, then one
    INSERT … SELECT, under the caller's firm scope; elsewhere ``bulk_create``."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    json_positions = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    if connection.vendor != "postgresql":
        objects = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for position in json_positions:
                if isinstance(row[position], RawJSON):
                    values[columns[position]] = json.loads(row[position])
            objects.append(model(**values))
        model._default_manager.bulk_create(objects, batch_size=500)
        return
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = list(rows) if isinstance(rows, CopyLines) else []
    for row in () if isinstance(rows, CopyLines) else rows:
        if json_positions:
            row = list(row)
            for position in json_positions:
                value = row[position]
                if value is not None and not isinstance(value, RawJSON):
                    row[position] = RawJSON(dumps(value))
        lines.append("\t".join([_copy_text(value) for value in row]))
    lines.append("")
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    incoming = quote(f"build_{model._meta.db_table}")
    definition = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{incoming}")
        cursor.execute(f"CREATE TEMPORARY TABLE {incoming} ({definition}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {incoming} ({names}) FROM STDIN") as copy:
            copy.write("\n".join(lines))
        # Names only (the model's own table and columns, quoted): no value is formatted in.
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {incoming}")
        cursor.execute(f"DROP TABLE {incoming}")


def _copy_text(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str or kind is RawJSON:
        return _escaped(value) if NEEDS_ESCAPE(value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()
    text = str(value)
    return _escaped(text) if NEEDS_ESCAPE(text) else text


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
