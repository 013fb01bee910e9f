"""The dry run of an import: what each row of the file would do, with nothing written.

Each row goes through :class:`clients.forms.ClientForm`, the form of the client sheet, so a mistake
reads exactly as it would on screen. A row whose SIREN (company number) is already in the firm
updates that client; any other valid row creates one. Rules of the import itself:

- An empty cell leaves the client's current value as it is: a file never erases what the firm
  typed in Pilote FE. A column that is not imported does not either.
- A SIREN that appears on several rows of the file rejects all of them: picking one would
  silently drop the other's data, and the user alone knows which line is right.
- The collaborator is found among the firm's active members by e-mail address, or by full name
  in any order and case ("DURAND Hélène"); a name two members share must be given as an e-mail.

:class:`Planner` reads the firm's clients and members: use it inside the firm's scope.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import model_to_dict

from clients import history
from clients.forms import ClientForm, firm_members
from clients.importing.checking import RowChecker, model_defaults
from clients.importing.mapping import normalise
from clients.importing.reading import Record, Table
from clients.models import Client
from clients.services import EDITABLE_FIELDS, derived_vat_number
from firms.models import Firm, User
from firms.tenancy import firm_scope
from firms.validators import clean_siren

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
REJECT = "reject"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
# Rows planned (and, by the import, written) before the progress moves: about a second's work.
CHUNK_SIZE = 2000

YEAR_END = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-]\d{2,4})?$")
T = TypeVar("T")


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class RowPlan:
    """What one row of the file does. ``data`` and ``client`` are for the writer only."""

    line: int
    action: str
    company_name: str
    siren: str
    errors: dict[str, str] = field(default_factory=dict)  # {column of the file: message}
    changes: dict[str, dict] = field(default_factory=dict)  # as in HistoryEntry.changes
    data: dict | None = None
    client: Client | None = None
    cells: tuple[str, ...] = ()

    def reject(self, column: str, message: str) -> None:
        self.action = REJECT
        self.errors[column] = message
        self.data = None

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "company_name": self.company_name,
            "siren": self.siren,
            "errors": self.errors,
            "changes": self.changes,
        }


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    def counts(self) -> dict[str, int]:
        found = Counter(row.action for row in self.rows)
        return {action: found[action] for action in ACTIONS}

    @property
    def rejected(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == REJECT]

    def as_json(self) -> dict:
        return {"counts": self.counts(), "rows": [row.as_json() for row in self.rows]}

    def as_command_output(self) -> dict:
        """The shape ``import_clients --json`` prints."""
        counts = self.counts()
        return {
            "created": counts[CREATE],
            "updated": counts[UPDATE],
            "rejected": [{"row": row.line, "errors": row.errors} for row in self.rejected],
        }


def plan_import(
    *,
    firm: Firm,
    table: Table,
    mapping: Mapping[int, str],
    on_progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """The dry run of a whole file. Enters the firm's scope itself, once per chunk, so that
    progress reported between chunks (a job's progress bar) is committed at once."""
    with firm_scope(firm):
        planner = Planner(firm=firm, table=table, mapping=mapping)
    rows: list[RowPlan] = []
    for chunk in batched(table.rows, CHUNK_SIZE):
        with firm_scope(firm):
            rows += planner.plan(chunk)
        if on_progress:
            on_progress(len(chunk))
    return ImportPlan(rows)


class Planner:
    """Plans the rows of one file for one firm, a chunk at a time."""

    def __init__(self, *, firm: Firm, table: Table, mapping: Mapping[int, str]) -> None:
        self.firm = firm
        self.headers = table.headers
        self.columns = {name: index for index, name in mapping.items() if name}
        if "siren" not in self.columns or "company_name" not in self.columns:
            raise ValueError("the mapping lacks a mandatory column (see missing_fields)")
        siren_column = self.columns["siren"]
        # Each line's SIREN as stored ("" when it is not a valid one), checked once.
        self.sirens = {
            record.line: _siren_key(
                record.cells[siren_column] if siren_column < len(record.cells) else ""
            )
            for record in table.rows
        }
        self.duplicates = _duplicate_lines(self.sirens)
        self.members = MemberDirectory(firm) if "assigned_to" in self.columns else None
        # Read once for the whole file: the check of a row neither builds the members' query
        # nor looks its collaborator up (MemberDirectory found it).
        self.member_choices = firm_members(firm)
        self.checker = RowChecker(
            import_row_form(
                firm,
                self.member_choices,
                KnownMemberField(self.members.users if self.members else {}, self.member_choices),
            )
        )
        self.new_client = model_defaults(Client)
        self.defaults = {
            name: Client._meta.get_field(name).get_default()
            for name in ("fiscal_year_end", "invoice_delivery")
        }

    def header_of(self, name: str) -> str:
        if name in self.columns:
            return self.headers[self.columns[name]]
        if name in ClientForm.base_fields:
            return str(ClientForm.base_fields[name].label or name)
        return "Ligne"

    def plan(self, records: Sequence[Record]) -> list[RowPlan]:
        values = [self._values(record) for record in records]
        existing = self._existing({self.sirens[record.line] for record in records})
        return [
            self._plan_row(record, row, existing)
            for record, row in zip(records, values, strict=True)
        ]

    def _values(self, record: Record) -> dict[str, str]:
        row = {
            name: record.cells[index] if index < len(record.cells) else ""
            for name, index in self.columns.items()
        }
        # Spreadsheets drop the leading zero of postal codes 01000 to 09999.
        if row.get("postal_code", "").isdigit() and len(row["postal_code"]) == 4:
            row["postal_code"] = "0" + row["postal_code"]
        # Accounting software gives the year end as a full date: keep day and month.
        if match := YEAR_END.match(row.get("fiscal_year_end", "")):
            row["fiscal_year_end"] = f"{int(match[1]):02d}/{int(match[2]):02d}"
        return row

    def _existing(self, sirens: set[str]) -> dict[str, Client]:
        sirens.discard("")
        if not sirens:
            return {}
        clients = (
            Client.objects.for_firm(self.firm)
            .filter(siren__in=sorted(sirens))
            .select_related("assigned_to")
        )
        return {client.siren: client for client in clients}

    def _plan_row(
        self, record: Record, values: dict[str, str], existing: dict[str, Client]
    ) -> RowPlan:
        siren = self.sirens[record.line]
        client = existing.get(siren)
        data = _form_values(client) if client else dict(self.defaults)
        data.update({name: value for name, value in values.items() if value})
        errors: dict[str, str] = {}
        if self.members is not None and values.get("assigned_to"):
            user_id, problem = self.members.find(values["assigned_to"])
            if problem:
                errors[self.header_of("assigned_to")] = problem
            data["assigned_to"] = user_id or ""
        cleaned, form_errors = self.checker.check(data, vars(client) if client else self.new_client)
        for name, messages in form_errors.items():
            errors.setdefault(self.header_of(name), " ".join(messages))
        if siren and record.line in self.duplicates:
            column = self.header_of("siren")
            errors[column] = " ".join(
                filter(None, [errors.get(column), _duplicate_message(self.duplicates[record.line])])
            )
        row = RowPlan(
            line=record.line,
            action=REJECT,
            company_name=values.get("company_name") or (client.company_name if client else ""),
            siren=values.get("siren", ""),
            errors=self._in_file_order(errors),
            cells=record.cells,
        )
        if errors:
            return row
        if client is None:
            row.action, row.data = CREATE, cleaned
            return row
        # Only what the file gives is written back: the form's normalisation of the values
        # it was merely handed back must not show up as a change.
        row.data = {name: cleaned[name] for name in values if values[name]}
        row.client = client
        row.changes = _changes(client, row.data)
        row.action = UPDATE if row.changes else UNCHANGED
        return row

    def _in_file_order(self, errors: dict[str, str]) -> dict[str, str]:
        order = {header: index for index, header in enumerate(self.headers)}
        return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


class ImportRowForm(ClientForm):
    """The client sheet's form for one row of a file. Its collaborator comes from the members
    read once for the file (KnownMemberField), so the model's check that the user exists, one
    query a row, is left out."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "assigned_to"}


def import_row_form(firm: Firm, members, member_field: forms.Field) -> ImportRowForm:
    """The form that checks every row of one file (see RowChecker)."""
    form = ImportRowForm(
        firm=firm,
        check_siren_unique=False,  # the planner decides: an existing SIREN is an update
        members=members,
    )
    form.fields["assigned_to"] = member_field
    return form


class KnownMemberField(forms.ModelChoiceField):
    """The collaborator of an import row, among the members read once for the file."""

    def __init__(self, users: Mapping[int, User], queryset) -> None:
        super().__init__(queryset=queryset, required=False)
        self.users = users

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.users[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class MemberDirectory:
    """The firm's active members, found by e-mail address or by full name."""

    def __init__(self, firm: Firm) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.users: dict[int, User] = {}
        for user in firm_members(firm):
            self.users[user.pk] = user
            self.by_email[user.email.lower()] = user.pk
            self.by_name[_name_key(user.full_name)].append(user.pk)

    def find(self, text: str) -> tuple[int | None, str]:
        """The member's id, or the French reason none fits."""
        if user_id := self.by_email.get(text.strip().lower()):
            return user_id, ""
        matches = self.by_name.get(_name_key(text), [])
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, (
                f"Plusieurs membres du cabinet s'appellent « {text} » : indiquez l'adresse "
                "e-mail du collaborateur."
            )
        return None, (
            f"« {text} » n'est pas un membre actif du cabinet : indiquez l'adresse e-mail ou "
            "le nom complet d'un collaborateur."
        )


def _name_key(name: str) -> str:
    return " ".join(sorted(normalise(name).split()))


def _siren_key(value: str) -> str:
    """The SIREN as stored, or "" when it is not a valid one (the form will say why)."""
    try:
        return clean_siren(value)
    except ValidationError:
        return ""


def _duplicate_lines(sirens: Mapping[int, str]) -> dict[int, list[int]]:
    """{line: the other lines with the same SIREN} for the SIRENs found on several lines
    (``sirens``: each line's)."""
    lines: dict[str, list[int]] = defaultdict(list)
    for line, siren in sirens.items():
        if siren:
            lines[siren].append(line)
    return {
        line: [other for other in same if other != line]
        for same in lines.values()
        if len(same) > 1
        for line in same
    }


def _duplicate_message(others: list[int]) -> str:
    shown = [str(line) for line in others[:5]]
    where = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " et " + shown[-1]
    plural = "s" if len(others) > 1 else ""
    return (
        f"Ce SIREN figure aussi ligne{plural} {where} du fichier : gardez une seule ligne par "
        "entreprise."
    )


def _form_values(client: Client) -> dict:
    """The client as the form would post it back unchanged."""
    values = model_to_dict(client, fields=ClientForm._meta.fields)
    values["billing_emails"] = "\n".join(client.billing_emails)
    values["tags"] = ", ".join(client.tags)
    return {name: "" if value is None else value for name, value in values.items()}


def _changes(client: Client, cleaned: dict) -> dict[str, dict]:
    """What :func:`clients.services.update_client` would write to the history."""
    values = {name: value for name, value in cleaned.items() if name in EDITABLE_FIELDS}
    if all(_stored_value(client, name) == _plain(value) for name, value in values.items()):
        return {}  # the usual case when a file is imported again; no need to render values
    if "vat_number" in values and not values["vat_number"]:
        values["vat_number"] = derived_vat_number(values.get("siren") or client.siren)
    after = copy.copy(client)
    for name, value in values.items():
        setattr(after, name, value)
    return history.diff(history.snapshot(client, values), history.snapshot(after, values), Client)


def _stored_value(client: Client, name: str) -> object:
    return client.assigned_to_id if name == "assigned_to" else getattr(client, name)


def _plain(value: object) -> object:
    return value.pk if isinstance(value, Model) else value
