"""Creating a firm: the service (which installs the default catalogues through firm_created) and
the operator's command that invites the first administrator."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from cartography.models import Platform, SoftwareProduct
from firms.models import Firm, Invitation, Role
from firms.services import create_firm, read_invitation_token
from firms.tenancy import firm_scope


def test_a_new_firm_starts_with_the_default_catalogues(db):
    firm = create_firm(name="Cabinet Gamma")
    assert firm.slug == "cabinet-gamma"
    with firm_scope(firm):
        assert SoftwareProduct.objects.for_firm(firm).filter(name="Pennylane").exists()
        assert Platform.objects.for_firm(firm).filter(from_official_list=True).count() > 100


def test_a_taken_slug_gets_a_number(db):
    create_firm(name="Cabinet Gamma")
    assert create_firm(name="Cabinet  Gamma ").slug == "cabinet-gamma-2"


def test_a_firm_needs_a_name(db):
    with pytest.raises(ValidationError, match="Donnez le nom du cabinet"):
        create_firm(name="   ")


def test_the_command_creates_the_firm_and_prints_the_administrators_invitation(db):
    out = io.StringIO()
    call_command(
        "create_firm",
        "--name",
        "Cabinet Delta",
        "--admin-email",
        "Associe@Delta.example",
        "--site-url",
        "https://pilote.example.fr/",
        stdout=out,
    )
    firm = Firm.objects.get(slug="cabinet-delta")
    link = out.getvalue().strip().splitlines()[-1].split(" : ")[1]
    assert link.startswith("https://pilote.example.fr/invitations/")
    firm_id, invitation_id = read_invitation_token(link.rstrip("/").rsplit("/", 1)[1])
    assert firm_id == firm.pk
    with firm_scope(firm):
        invitation = Invitation.objects.for_firm(firm).get(pk=invitation_id)
    assert invitation.email == "associe@delta.example" and invitation.role == Role.ADMIN


@pytest.mark.parametrize(
    "arguments",
    [
        ["--name", "Cabinet Epsilon", "--admin-email", "pas-une-adresse"],
        ["--name", "  ", "--admin-email", "a@b.example"],
        ["--name", "Cabinet Epsilon", "--admin-email", "a@b.example", "--slug", "a b"],
    ],
)
def test_bad_input_exits_with_status_2(db, arguments):
    with pytest.raises(CommandError) as error:
        call_command("create_firm", *arguments, stdout=io.StringIO())
    assert error.value.returncode == 2
    assert not Firm.objects.filter(name="Cabinet Epsilon").exists()


def test_a_taken_slug_is_refused(db):
    create_firm(name="Cabinet Zeta", slug="zeta")
    with pytest.raises(CommandError) as error:
        call_command(
            "create_firm",
            "--name",
            "Autre",
            "--admin-email",
            "a@b.example",
            "--slug",
            "zeta",
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 2
