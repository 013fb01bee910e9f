"""The seed_demo command: firms, roles, a valid portfolio, and a second run that does no harm."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.fr import siren, siret, tva

from clients.models import Client
from demo.management.commands.seed_demo import DEMO_PASSWORD, HISTORY_WEEKS
from firms import two_factor
from firms.models import Firm, Membership, Role, User
from firms.tenancy import firm_scope
from invoicing import payments
from invoicing.models import Invoice, Payment
from mandates.models import Mandate, MandateStatus
from portfolio.models import PortfolioSnapshot
from portfolio.snapshots import week_of


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _clients(firm: Firm) -> list[Client]:
    with firm_scope(firm):
        return list(Client.objects.for_firm(firm).select_related("assigned_to"))


def _roles(firm: Firm) -> dict[str, str]:
    with firm_scope(firm):
        memberships = Membership.objects.for_firm(firm).select_related("user")
        return {membership.user.email: membership.role for membership in memberships}


def test_standard_demo_builds_two_firms_with_their_users(db):
    output = _seed("--clients", "50")

    durand = Firm.objects.get(slug="durand-associes")
    martin = Firm.objects.get(slug="martin-expertise")
    assert durand.name == "Cabinet Durand & Associés"
    assert martin.name == "Fiduciaire Martin Expertise"
    assert siren.is_valid(durand.siren) and tva.is_valid(durand.vat_number)
    assert _roles(durand) == {
        "admin@demo.pilote-fe.fr": Role.ADMIN,
        "superviseur@demo.pilote-fe.fr": Role.SUPERVISOR,
        "collaborateur1@demo.pilote-fe.fr": Role.COLLABORATOR,
        "collaborateur2@demo.pilote-fe.fr": Role.COLLABORATOR,
    }
    assert _roles(martin) == {
        "admin@demo.pilote-fe.fr": Role.ADMIN,
        "collaborateur3@demo.pilote-fe.fr": Role.COLLABORATOR,
    }
    admin = User.objects.get(email="admin@demo.pilote-fe.fr")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.full_name
    assert DEMO_PASSWORD in output and "admin@demo.pilote-fe.fr" in output


def test_standard_demo_portfolio_is_valid_and_assigned_to_collaborators(db):
    _seed("--clients", "50")
    durand = Firm.objects.get(slug="durand-associes")
    martin = Firm.objects.get(slug="martin-expertise")

    clients = _clients(durand)
    assert len(clients) == 50
    assert len(_clients(martin)) == 10
    assert len({client.siren for client in clients}) == 50
    for client in clients:
        assert siren.is_valid(client.siren) and siret.is_valid(client.siret)
        assert not client.vat_number or tva.is_valid(client.vat_number)
        assert client.invoice_delivery in Client.Delivery.values
        client.full_clean(exclude=["firm"])
    assignees = [client.assigned_to.email for client in clients if client.assigned_to]
    assert set(assignees) == {
        "collaborateur1@demo.pilote-fe.fr",
        "collaborateur2@demo.pilote-fe.fr",
    }
    assert abs(assignees.count("collaborateur1@demo.pilote-fe.fr") * 2 - len(assignees)) <= 1
    assert 0 < len(clients) - len(assignees) < 10  # a few wait for a collaborator


def test_running_the_standard_demo_again_changes_nothing(db):
    _seed("--clients", "20")
    durand = Firm.objects.get(slug="durand-associes")
    sirens = {client.siren for client in _clients(durand)}

    output = _seed("--clients", "20")

    assert "already has clients" in output
    assert Firm.objects.filter(slug__in=["durand-associes", "martin-expertise"]).count() == 2
    assert {client.siren for client in _clients(durand)} == sirens
    assert User.objects.filter(email__endswith="@demo.pilote-fe.fr").count() == 5


def test_named_firm_gets_new_clients_on_every_run(db):
    _seed("--clients", "30", "--firm", "Cabinet Bench")
    _seed("--clients", "30", "--firm", "Cabinet Bench")

    bench = Firm.objects.get(slug="cabinet-bench")
    clients = _clients(bench)
    assert len(clients) == 60
    assert len({client.siren for client in clients}) == 60
    assert _roles(bench) == {"admin@demo.pilote-fe.fr": Role.ADMIN}


def test_standard_demo_has_weekly_snapshots_that_progress_up_to_today(db):
    _seed("--clients", "120")
    durand = Firm.objects.get(slug="durand-associes")
    with firm_scope(durand):
        snapshots = list(PortfolioSnapshot.objects.for_firm(durand).order_by("taken_on"))
        active = Client.objects.for_firm(durand).filter(status=Client.Status.ACTIVE).count()

    assert len(snapshots) == HISTORY_WEEKS + 1
    weeks = [b.taken_on - a.taken_on for a, b in pairwise(snapshots)]
    assert set(weeks) == {timedelta(weeks=1)}
    latest = snapshots[-1]
    assert latest.taken_on == week_of(timezone.localdate())
    assert latest.clients == active
    for older, newer in pairwise(snapshots):
        assert older.determined <= newer.determined
        assert older.reception_pa <= newer.reception_pa
        assert older.high >= newer.high
        assert older.high + older.medium + older.low + older.unscored == older.clients
    assert snapshots[0].determined < latest.determined


def test_the_demo_has_mandates_in_every_status_and_invoices_paid_in_full_and_in_part(db):
    call_command("seed_demo", "--clients", "60", "--firm", "Cabinet Mandats", stdout=StringIO())
    firm = Firm.objects.get(slug="cabinet-mandats")
    with firm_scope(firm):
        statuses = set(Mandate.objects.for_firm(firm).values_list("status", flat=True))
        without_mobile = Client.objects.for_firm(firm).filter(signer_mobile="").count()
        issued = list(Invoice.objects.for_firm(firm).filter(status="issued"))
        methods = set(Payment.objects.for_firm(firm).values_list("method", flat=True))
        balances = {balance.status for balance in payments.balances(firm.pk, issued).values()}
    assert statuses == set(MandateStatus.values)
    assert without_mobile > 0  # a few signers lack a mobile number, for the export's exclusions
    assert methods == {"transfer", "cheque"}
    assert {"paid", "partly_paid"} <= balances


def test_the_demo_administrator_and_supervisor_are_enrolled_and_their_secrets_printed(db):
    output = _seed("--clients", "0")
    for email in ("admin@demo.pilote-fe.fr", "superviseur@demo.pilote-fe.fr"):
        device = two_factor.totp_device(User.objects.get(email=email))
        assert device is not None
        assert re.search(rf"{re.escape(email)} +{two_factor.secret_of(device)}\n", output)
    collaborator = User.objects.get(email="collaborateur1@demo.pilote-fe.fr")
    assert two_factor.totp_device(collaborator) is None

    # Seeding again keeps the secrets an authenticator app already holds.
    assert _seed("--clients", "0").count(two_factor.secret_of(device)) == 1
    assert two_factor.totp_device(User.objects.get(email="superviseur@demo.pilote-fe.fr")) == device

    code = StringIO()
    call_command("demo_totp_code", "superviseur@demo.pilote-fe.fr", stdout=code)
    assert code.getvalue().strip() == two_factor.current_code(device)
    with pytest.raises(CommandError) as refused:
        call_command("demo_totp_code", "someone@example.fr")
    assert refused.value.returncode == 2
