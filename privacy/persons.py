"""A natural person in a firm's data (a contact, a legal representative, a sole trader): found
by name and/or e-mail, exported, erased or anonymised.

Where a person appears is found from the models, not listed by hand: every text and JSON
column of every tenant table is searched for the person's identifiers (their name, e-mail
addresses and phone numbers, completed from the client records that name them). Files are
added by rule: the PDFs of the mandates a legal representative was asked to sign, the
attachments of the e-mails sent to the person.

Erasure replaces the identifiers with neutral values (the client record's own fields are
emptied) and deletes those files, except in the rows a legal duty keeps (:mod:`privacy.retention`):
those are listed with the day their duty ends, left unchanged, and recorded for the nightly
purge. The audit entry (:class:`privacy.models.PersonAction`) says who, when and how many rows
per table, never what was erased.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client, HistoryEntry
from firms.models import Firm
from invoicing.models import Invoice, Payment
from mandates.models import Mandate
from privacy import retention
from privacy.tables import firm_tables
from reports.models import SynthesisReport

ANONYMOUS_NAME = "Personne anonymisée"
ANONYMOUS_EMAIL = "personne.anonymisee@anonyme.invalid"
ANONYMOUS_PHONE = "[numéro effacé]"
MIN_NAME_LENGTH = 3
MAX_LENGTH = 150
# Legal forms whose company name is the name of a person (entreprise individuelle).
INDIVIDUAL_FORMS = {
    "ei",
    "eirl",
    "micro-entreprise",
    "auto-entrepreneur",
    "entrepreneur individuel",
}
# Our own records: they never hold a person's data.
OWN_TABLES = {"privacy.personaction", "privacy.retainedrow"}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@dataclass(frozen=True)
class PersonQuery:
    name: str = ""
    email: str = ""

    @property
    def confirmation(self) -> str:
        """What the user types to confirm an erasure: the name, or the e-mail without one."""
        return self.name or self.email


def clean_text(value: object) -> str:
    text = value if isinstance(value, str) else ""
    return " ".join(text.replace("\x00", "").split())


def parse_query(name: object, email: object) -> PersonQuery:
    """The search, checked: a name of 3 characters or more and/or a valid e-mail address.
    ``ValidationError`` with French messages by field otherwise."""
    name, email = clean_text(name), clean_text(email).lower()
    errors: dict[str, str] = {}
    if len(name) > MAX_LENGTH:
        errors["name"] = _("150 caractères au plus.")
    elif name and len(name) < MIN_NAME_LENGTH:
        errors["name"] = _("Saisissez au moins 3 caractères du nom.")
    if len(email) > 254:
        errors["email"] = _("Adresse e-mail trop longue.")
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Saisissez une adresse e-mail valide.")
    if not name and not email and not errors:
        errors["name"] = _("Saisissez le nom de la personne ou son adresse e-mail.")
    if errors:
        raise ValidationError(errors)
    return PersonQuery(name=name, email=email)


def confirmation_matches(query: PersonQuery, typed: object) -> bool:
    return clean_text(typed).casefold() == query.confirmation.casefold()


@dataclass
class Identifiers:
    """What identifies the person in text: names, e-mail addresses, phone numbers."""

    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add_name(self, *parts: str) -> None:
        """A name, and its words the other way round ("Dupont Jeanne"): a first and a last
        name given apart, or a name of two words."""
        words = [clean_text(part) for part in parts if clean_text(part)]
        if len(words) == 1:
            words = words[0].split() if len(words[0].split()) == 2 else words
        for name in (" ".join(words), " ".join(reversed(words)) if len(words) == 2 else ""):
            known = {known.casefold() for known in self.names}
            if len(name) >= MIN_NAME_LENGTH and name.casefold() not in known:
                self.names.add(name)

    def add_email(self, email: str) -> None:
        if email:
            self.emails.add(email.strip().lower())

    def add_phone(self, phone: str) -> None:
        if sum(char.isdigit() for char in phone) >= 6:
            self.phones.add(phone.strip())

    def all(self) -> list[str]:
        # Longest first, so that a longer identifier is replaced before a part of it.
        return sorted(self.names | self.emails | self.phones, key=lambda text: (-len(text), text))

    def replacement(self, needle: str) -> str:
        if needle in self.emails:
            return ANONYMOUS_EMAIL
        if needle in self.phones:
            return ANONYMOUS_PHONE
        return ANONYMOUS_NAME


def _name_in(names: set[str], text: str) -> bool:
    folded = text.casefold()
    return bool(text) and any(name.casefold() in folded for name in names)


def is_individual_enterprise(legal_form: str) -> bool:
    return clean_text(legal_form).casefold() in INDIVIDUAL_FORMS


@dataclass
class ClientRole:
    """How the person appears in one client record."""

    client_id: int
    contact: bool = False
    signer: bool = False
    billing: bool = False
    sole_trader: bool = False


CONTACT_FIELDS = {"contact_name", "contact_email", "contact_phone"}
SIGNER_FIELDS = {
    "signer_civility",
    "signer_first_name",
    "signer_last_name",
    "signer_email",
    "signer_mobile",
}


def person_fields(role: ClientRole) -> set[str]:
    """The client record's fields that hold the person, by their role in it."""
    fields = set()
    if role.contact:
        fields |= CONTACT_FIELDS
    if role.signer:
        fields |= SIGNER_FIELDS
    if role.billing:
        fields.add("billing_emails")
    if role.sole_trader:
        fields.add("company_name")
    return fields


def identify(firm: Firm, query: PersonQuery) -> tuple[Identifiers, dict[int, ClientRole]]:
    """The person's identifiers, completed from the client records that name them (the contact
    found by name gives its e-mail and phone, the signer found by e-mail its names and mobile),
    and their role in each of those clients."""
    ids = Identifiers()
    if query.name:
        ids.add_name(query.name)
    ids.add_email(query.email)
    condition = Q()
    for name in ids.names:
        condition |= Q(contact_name__icontains=name) | Q(company_name__icontains=name)
    if query.email:
        condition |= Q(contact_email__iexact=query.email) | Q(signer_email__iexact=query.email)
        condition |= Q(billing_emails__icontains=query.email)
    signer_full = Concat("signer_first_name", Value(" "), "signer_last_name")
    signer_reversed = Concat("signer_last_name", Value(" "), "signer_first_name")
    for name in ids.names:
        condition |= Q(privacy_signer__icontains=name) | Q(privacy_signer_reversed__icontains=name)
    if not condition:
        return ids, {}
    candidates = (
        Client.objects.for_firm(firm)
        .annotate(privacy_signer=signer_full, privacy_signer_reversed=signer_reversed)
        .filter(condition)
    )
    roles: dict[int, ClientRole] = {}
    query_names = set(ids.names)
    for client in candidates:
        role = ClientRole(client.pk)
        signer = f"{client.signer_first_name} {client.signer_last_name}"
        reversed_signer = f"{client.signer_last_name} {client.signer_first_name}"
        if (query.email and client.signer_email.lower() == query.email) or (
            client.signer_last_name and _name_in(query_names, f"{signer} / {reversed_signer}")
        ):
            role.signer = True
        if _name_in(query_names, client.contact_name) or (
            query.email and client.contact_email.lower() == query.email
        ):
            role.contact = True
        if query.email and query.email in [e.lower() for e in client.billing_emails or []]:
            role.billing = True
        if is_individual_enterprise(client.legal_form) and _name_in(
            query_names, client.company_name
        ):
            role.sole_trader = True
        if role.contact or role.signer or role.billing or role.sole_trader:
            roles[client.pk] = role
            if role.contact:
                ids.add_name(client.contact_name)
                ids.add_email(client.contact_email)
                ids.add_phone(client.contact_phone)
            if role.signer:
                ids.add_name(client.signer_first_name, client.signer_last_name)
                ids.add_email(client.signer_email)
                ids.add_phone(client.signer_mobile)
    return ids, roles


@dataclass
class Occurrence:
    """One row where the person appears: its table, its id, the fields that name them, and the
    duty that keeps it (None: it will be erased or anonymised)."""

    table: str
    label: str
    object_id: int
    fields: dict[str, object]
    description: str
    retention: retention.Retention | None = None
    files: list[str] = field(default_factory=list)
    client_id: int | None = None
    field_labels: list[str] = field(default_factory=list)


@dataclass
class Finding:
    query: PersonQuery
    identifiers: Identifiers
    roles: dict[int, ClientRole]
    occurrences: list[Occurrence]

    @property
    def free(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.retention is None]

    @property
    def retained(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.retention is not None]

    @property
    def is_empty(self) -> bool:
        return not self.occurrences


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and not isinstance(f, models.FileField)
    ]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _mentions(value: object, needles: list[str]) -> bool:
    text = _as_text(value).casefold()
    return any(needle.casefold() in text for needle in needles)


def _matching_rows(firm: Firm, model: type[models.Model], needles: list[str]) -> list:
    fields = text_fields(model)
    if not fields or not needles:
        return []
    condition = Q()
    annotations = {}
    for f in fields:
        column = f.name
        if isinstance(f, models.JSONField):
            column = f"privacy_text_{f.name}"
            annotations[column] = Cast(f.name, TextField())
        for needle in needles:
            condition |= Q(**{f"{column}__icontains": needle})
            if isinstance(f, models.JSONField):
                # SQLite stores JSON with non-ASCII characters escaped.
                escaped = json.dumps(needle)[1:-1]
                if escaped != needle:
                    condition |= Q(**{f"{column}__icontains": escaped})
    rows = model.objects.for_firm(firm).annotate(**annotations).filter(condition).order_by("pk")
    if model is SynthesisReport:
        rows = rows.select_related("client")  # described by the client's SIREN
    return list(rows)


def find_person(firm: Firm, query: PersonQuery) -> Finding:
    """Every row of the firm where the person appears. Call inside the firm's scope."""
    ids, roles = identify(firm, query)
    needles = ids.all()
    occurrences: list[Occurrence] = []
    seen: set[tuple[str, int]] = set()
    for model in firm_tables():
        label = model._meta.label_lower
        if label in OWN_TABLES:
            continue
        for row in _matching_rows(firm, model, needles):
            matched = {
                f.name: getattr(row, f.attname)
                for f in text_fields(model)
                if _mentions(getattr(row, f.attname), needles)
            }
            if not matched:
                continue
            seen.add((label, row.pk))
            occurrences.append(_occurrence(model, row, matched))
    # The mandates a legal representative was asked to sign name them in their PDFs.
    signer_clients = [pk for pk, role in roles.items() if role.signer]
    for mandate in Mandate.objects.for_firm(firm).filter(client_id__in=signer_clients):
        if ("mandates.mandate", mandate.pk) not in seen and (
            mandate.document or mandate.signed_document
        ):
            occurrences.append(_occurrence(Mandate, mandate, {}))
    # A client's history keeps each field's earlier values: the person's own fields there name
    # them in pieces (a first name, a last name) that the text search cannot tell.
    for entry in HistoryEntry.objects.for_firm(firm).filter(client_id__in=list(roles)):
        keys = sorted(person_fields(roles[entry.client_id]) & set(entry.changes or {}))
        if keys and ("clients.historyentry", entry.pk) not in seen:
            occurrences.append(_occurrence(HistoryEntry, entry, {"changes": entry.changes}))
    _add_retention(firm, occurrences)
    return Finding(query=query, identifiers=ids, roles=roles, occurrences=occurrences)


def _occurrence(model: type[models.Model], row: models.Model, matched: dict) -> Occurrence:
    files = [
        getattr(row, f.attname).name
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField) and getattr(row, f.attname)
    ]
    if isinstance(row, Mandate):
        files = [name for name in (row.document.name, row.signed_document.name) if name]
    return Occurrence(
        table=model._meta.label_lower,
        label=table_label(model),
        object_id=row.pk,
        fields=matched,
        description=describe(row),
        files=files,
        field_labels=[field_label(model, name) for name in matched],
        client_id=getattr(row, "client_id", None) if not isinstance(row, Client) else row.pk,
    )


def describe(row: models.Model) -> str:
    """What a row is, in French, without personal data."""
    if isinstance(row, Invoice):
        kind = _("Avoir") if row.is_credit_note else _("Facture")
        return f"{kind} {row.number}" if row.number else _("Brouillon de facture n° %s") % row.pk
    if isinstance(row, SynthesisReport):
        return _("Rapport de synthèse n° %(number)s (SIREN %(siren)s)") % {
            "number": row.number,
            "siren": row.client.siren,
        }
    if isinstance(row, Mandate):
        return _("Mandat %(reference)s (%(status)s)") % {
            "reference": row.reference,
            "status": row.get_status_display(),
        }
    if isinstance(row, Client):
        return _("Fiche du client SIREN %s") % row.siren
    if isinstance(row, Payment):
        return _("Paiement n° %s") % row.pk
    if isinstance(row, HistoryEntry):
        return _("Historique du client, le %s") % date_format(
            timezone.localtime(row.created_at), "d/m/Y H:i"
        )
    return f"{table_label(type(row))} n° {row.pk}"


# Tables and fields whose models carry no French name of their own.
TABLE_LABELS = {
    "clients.historyentry": gettext_lazy("historique"),
    "clients.clientimport": gettext_lazy("import de clients"),
    "outbox.outboxevent": gettext_lazy("événement d'envoi"),
    "outbox.outboxattachment": gettext_lazy("pièce jointe"),
    "jobs.job": gettext_lazy("travail"),
}
FIELD_LABELS = {
    "changes": gettext_lazy("modifications"),
    "summary": gettext_lazy("résumé"),
    "detail": gettext_lazy("détail"),
    "params": gettext_lazy("paramètres"),
    "samples": gettext_lazy("exemples"),
    "dry_run": gettext_lazy("essai"),
    "headers": gettext_lazy("en-têtes"),
    "recipients": gettext_lazy("destinataires"),
    "snapshot": gettext_lazy("données du rapport"),
    "document": gettext_lazy("document"),
}


def table_label(model: type[models.Model]) -> str:
    return str(TABLE_LABELS.get(model._meta.label_lower, model._meta.verbose_name))


def field_label(model: type[models.Model], name: str) -> str:
    return str(FIELD_LABELS.get(name) or model._meta.get_field(name).verbose_name)


def _add_retention(firm: Firm, occurrences: list[Occurrence]) -> None:
    by_table: dict[str, list[int]] = {}
    for occurrence in occurrences:
        by_table.setdefault(occurrence.table, []).append(occurrence.object_id)
    facts: dict[tuple[str, int], retention.RowFacts] = {}
    invoices = Invoice.objects.for_firm(firm).filter(pk__in=by_table.get("invoicing.invoice", []))
    for pk, status, issue_date in invoices.values_list("pk", "status", "issue_date"):
        facts["invoicing.invoice", pk] = retention.RowFacts(
            "invoicing.invoice", status=status, day=issue_date
        )
    payments = Payment.objects.for_firm(firm).filter(pk__in=by_table.get("invoicing.payment", []))
    for pk, issue_date in payments.values_list("pk", "invoice__issue_date"):
        facts["invoicing.payment", pk] = retention.RowFacts("invoicing.payment", day=issue_date)
    reports = SynthesisReport.objects.for_firm(firm).filter(
        pk__in=by_table.get("reports.synthesisreport", [])
    )
    for pk, created_at in reports.values_list("pk", "created_at"):
        facts["reports.synthesisreport", pk] = retention.RowFacts(
            "reports.synthesisreport", day=timezone.localdate(created_at)
        )
    mandates = Mandate.objects.for_firm(firm).filter(pk__in=by_table.get("mandates.mandate", []))
    mandate_rows = list(mandates.values_list("pk", "status", "client_id"))
    ended = relationship_ends(firm, {client_id for _, _, client_id in mandate_rows})
    for pk, status, client_id in mandate_rows:
        facts["mandates.mandate", pk] = retention.RowFacts(
            "mandates.mandate", status=status, relationship_ended_on=ended.get(client_id)
        )
    for occurrence in occurrences:
        row_facts = facts.get((occurrence.table, occurrence.object_id))
        if row_facts is not None:
            occurrence.retention = retention.duty_for(row_facts)


def relationship_ends(firm: Firm | int, client_ids: set[int]) -> dict[int, datetime.date]:
    """The day each archived client was archived (the end of the business relationship);
    active clients are left out."""
    archived = set(
        Client.objects.for_firm(firm)
        .filter(pk__in=client_ids, status=Client.Status.ARCHIVED)
        .values_list("pk", flat=True)
    )
    ends: dict[int, datetime.date] = {}
    entries = (
        HistoryEntry.objects.for_firm(firm)
        .filter(client_id__in=archived, action=HistoryEntry.Action.ARCHIVED)
        .order_by("created_at")
        .values_list("client_id", "created_at")
    )
    for client_id, created_at in entries:
        ends[client_id] = timezone.localdate(created_at)
    for client_id in archived - set(ends):
        # Archived without a history entry (by an import of old data): today, the later day.
        ends[client_id] = timezone.localdate()
    return ends
