"""Small builders for test data. Tenant rows are written inside their firm's scope, as the
application does, so they pass PostgreSQL's row-level security."""

from __future__ import annotations

import itertools

from stdnum import luhn

from clients.models import Client
from firms.models import Firm, Membership, Role, User
from firms.tenancy import firm_scope

PASSWORD = "correct-horse-battery-42"
_sequence = itertools.count(1)


def valid_siren(number: int) -> str:
    base = f"{number % 10**8:08d}"
    return base + luhn.calc_check_digit(base)


def make_firm(name: str | None = None) -> Firm:
    n = next(_sequence)
    name = name or f"Cabinet {n}"
    return Firm.objects.create(name=name, slug=f"cabinet-{n}")


def make_user(email: str | None = None, full_name: str = "Camille Test") -> User:
    n = next(_sequence)
    return User.objects.create_user(email or f"user{n}@example.test", PASSWORD, full_name=full_name)


def make_member(firm: Firm, role: Role = Role.COLLABORATOR, user: User | None = None) -> Membership:
    user = user or make_user(full_name=f"{role.label} {firm.name}")
    with firm_scope(firm):
        membership = Membership.objects.create(firm=firm, user=user, role=role)
    membership.firm = firm
    return membership


def make_client(firm: Firm, *, assigned_to: User | None = None, **fields) -> Client:
    n = next(_sequence)
    values = {
        "company_name": f"Société {n}",
        "siren": valid_siren(100_000 + n),
        "city": "Lyon",
        "assigned_to": assigned_to,
    }
    values.update(fields)
    with firm_scope(firm):
        return Client.objects.create(firm=firm, **values)
