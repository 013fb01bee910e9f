"""Fill the database with demo firms, users and a realistic portfolio of French companies."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from clients.models import Client
from demo.campaigns import seed_campaigns
from demo.cartographies import seed_cartographies, seed_snapshot_history
from demo.companies import DemoCompany, iter_companies, luhn_check_digit, vat_number_for_siren
from demo.invoices import complete_profile, seed_invoices
from demo.mandates import seed_mandates
from demo.questionnaires import seed_questionnaires
from demo.reports import seed_reports
from demo.self_service import seed_self_service
from firms import two_factor
from firms.models import Firm, Membership, Role, User
from firms.services import create_firm
from firms.tenancy import firm_scope
from scoring.services import score_clients

DEMO_PASSWORD = "pilote-demo-2026"  # noqa: S105 - printed for the demo, never a real account
DEFAULT_CLIENTS = 300
DEFAULT_SEED = 2026
BATCH_SIZE = 1000
UNASSIGNED_EVERY = 12  # one client in twelve waits for a collaborator
HISTORY_WEEKS = 16  # past weekly snapshots of the demo portfolio, for the progress chart


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role


@dataclass(frozen=True)
class DemoFirm:
    name: str
    slug: str
    members: tuple[DemoUser, ...]
    portfolio_divisor: int  # the firm gets --clients // portfolio_divisor clients
    profile: dict[str, object] = field(default_factory=dict)


def _siren(body: str) -> str:
    return body + luhn_check_digit(body)


ADMIN = DemoUser("admin@demo.pilote-fe.fr", "Hélène Durand", Role.ADMIN)
DURAND_SIREN = _siren("81245237")
MARTIN_SIREN = _siren("79318420")
DEMO_FIRMS = (
    DemoFirm(
        name="Cabinet Durand & Associés",
        slug="durand-associes",
        members=(
            ADMIN,
            DemoUser("superviseur@demo.pilote-fe.fr", "Marc Lefèvre", Role.SUPERVISOR),
            DemoUser("collaborateur1@demo.pilote-fe.fr", "Julie Bernard", Role.COLLABORATOR),
            DemoUser("collaborateur2@demo.pilote-fe.fr", "Thomas Girard", Role.COLLABORATOR),
        ),
        portfolio_divisor=1,
        profile={
            "siren": DURAND_SIREN,
            "vat_number": vat_number_for_siren(DURAND_SIREN),
            "address": "12 rue de la République",
            "postal_code": "69002",
            "city": "Lyon",
            "phone": "04 65 71 20 26",
            "email_sender_name": "Cabinet Durand & Associés",
            "email_reply_to": "contact@durand-associes.demo.pilote-fe.fr",
            "legal_form": "SARL",
            "share_capital": Decimal("50000.00"),
            "rcs_city": "Lyon",
            "iban": "FR7630006000011234567890189",
            "bic": "BNPAFRPPXXX",
            "legal_mentions": (
                "Société d'expertise comptable inscrite au tableau de l'Ordre des "
                "experts-comptables. SARL au capital de 50 000 €."
            ),
        },
    ),
    DemoFirm(
        name="Fiduciaire Martin Expertise",
        slug="martin-expertise",
        members=(
            ADMIN,
            DemoUser("collaborateur3@demo.pilote-fe.fr", "Camille Roussel", Role.COLLABORATOR),
        ),
        portfolio_divisor=5,
        profile={
            "siren": MARTIN_SIREN,
            "vat_number": vat_number_for_siren(MARTIN_SIREN),
            "address": "45 cours de l'Intendance",
            "postal_code": "33000",
            "city": "Bordeaux",
            "phone": "05 36 49 12 40",
            "email_sender_name": "Fiduciaire Martin Expertise",
            "email_reply_to": "contact@martin-expertise.demo.pilote-fe.fr",
            "legal_form": "SAS",
            "share_capital": Decimal("30000.00"),
            "rcs_city": "Bordeaux",
            "iban": "FR7630004000031234567890143",
            "bic": "BNPAFRPPBDX",
            "legal_mentions": (
                "Société d'expertise comptable inscrite au tableau de l'Ordre des "
                "experts-comptables. SAS au capital de 30 000 €."
            ),
        },
    ),
)


class Command(BaseCommand):
    help = (
        "Create demo data. Without --firm: the standard demo, two firms (durand-associes with "
        "--clients clients, martin-expertise with a fifth of them) and their users, all with the "
        f"password {DEMO_PASSWORD}; run again, it reuses firms and users (and resets the demo "
        "passwords) and leaves alone a firm that already has clients. With --firm NAME: create "
        "or reuse the firm whose slug is slugify(NAME), make the demo administrator a member, and "
        "add --clients new clients with SIRENs it does not have yet (used by the benchmarks)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients", type=int, default=DEFAULT_CLIENTS, help="How many clients."
        )
        parser.add_argument(
            "--firm", help="Add the clients to this firm instead of the demo firms."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Same seed, same companies."
        )

    def handle(self, *args, clients: int, firm: str | None, seed: int, **options) -> None:
        if clients < 0:
            raise CommandError("--clients must be zero or more.")
        # One hash for every demo account: hashing is deliberately slow.
        password_hash = make_password(DEMO_PASSWORD)
        if firm is None:
            self._standard_demo(clients=clients, seed=seed, password_hash=password_hash)
        else:
            self._named_firm(name=firm, clients=clients, seed=seed, password_hash=password_hash)

    def _standard_demo(self, *, clients: int, seed: int, password_hash: str) -> None:
        accounts: dict[str, tuple[DemoUser, list[str]]] = {}
        for offset, demo in enumerate(DEMO_FIRMS):
            firm = _demo_firm(name=demo.name, slug=demo.slug, profile=demo.profile)
            users = {member.email: _demo_user(member, password_hash) for member in demo.members}
            with firm_scope(firm):
                for member in demo.members:
                    _join(firm, users[member.email], member.role)
                    accounts.setdefault(member.email, (member, []))[1].append(firm.name)
                if Client.objects.for_firm(firm).exists():
                    self.stdout.write(f"{firm.name}: already has clients, left as it is.")
                    continue
                collaborators = [
                    users[member.email].pk
                    for member in demo.members
                    if member.role == Role.COLLABORATOR
                ]
                count = clients // demo.portfolio_divisor
                self._add_clients(firm, count=count, seed=seed + offset, assignees=collaborators)
                seed_snapshot_history(
                    firm=firm, weeks=HISTORY_WEEKS, seed=seed + offset, today=timezone.localdate()
                )
        self._print_logins(accounts)

    def _named_firm(self, *, name: str, clients: int, seed: int, password_hash: str) -> None:
        slug = slugify(name)[:60]
        if not slug:
            raise CommandError("--firm needs a name with letters or digits.")
        firm = _demo_firm(name=name, slug=slug)
        admin = _demo_user(ADMIN, password_hash)
        with firm_scope(firm):
            _join(firm, admin, Role.ADMIN)
            collaborators = list(
                Membership.objects.for_firm(firm)
                .filter(role=Role.COLLABORATOR, is_active=True)
                .order_by("user_id")
                .values_list("user_id", flat=True)
            )
            self._add_clients(firm, count=clients, seed=seed, assignees=collaborators)
        self._print_logins({ADMIN.email: (ADMIN, [firm.name])})

    def _add_clients(self, firm: Firm, *, count: int, seed: int, assignees: list[int]) -> None:
        """Bulk-insert ``count`` generated companies; the caller holds the firm's scope."""
        started = time.perf_counter()
        with transaction.atomic():
            taken = set(Client.objects.for_firm(firm).values_list("siren", flat=True))
            companies = iter_companies(count, seed=seed, now=timezone.now(), taken_sirens=taken)
            rotation = itertools.cycle(assignees)
            batch: list[Client] = []
            created: list[Client] = []
            generated: list[DemoCompany] = []
            for index, company in enumerate(companies):
                generated.append(company)
                assignee = None
                if assignees and index % UNASSIGNED_EVERY != UNASSIGNED_EVERY - 1:
                    assignee = next(rotation)
                batch.append(demo_client(firm, company, assigned_to_id=assignee))
                if len(batch) == BATCH_SIZE:
                    created += Client.objects.bulk_create(batch)
                    batch = []
            created += Client.objects.bulk_create(batch)
            answered = seed_questionnaires(
                firm=firm, clients=created, companies=generated, seed=seed, now=timezone.now()
            )
            mapped = seed_cartographies(
                firm=firm, clients=created, seed=seed, today=timezone.localdate()
            )
            for start in range(0, len(created), BATCH_SIZE):
                score_clients(
                    firm=firm,
                    client_ids=[client.pk for client in created[start : start + BATCH_SIZE]],
                )
            mandates = seed_mandates(firm=firm, clients=created, seed=seed)
            reports = seed_reports(firm=firm, clients=created)
            invoices = seed_invoices(firm=firm, clients=created, seed=seed)
            seed_self_service(firm=firm, clients=created)
            campaigns = seed_campaigns(firm=firm, clients=created)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{firm.name} ({firm.slug}): {count} clients created, {answered} with fiscal "
            f"questionnaire answers, {mapped} with a cartography, {mandates} with a mandate, all "
            f"scored, {reports} synthesis reports, {invoices} invoices, {campaigns} draft "
            f"campaign, in {elapsed:.1f} s."
        )

    def _print_logins(self, accounts: dict[str, tuple[DemoUser, list[str]]]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins, password: {DEMO_PASSWORD}"))
        width = max(len(email) for email in accounts)
        secrets = {}
        for email, (member, firm_names) in accounts.items():
            role = Role(member.role).label
            self.stdout.write(
                f"  {email:<{width}}  {member.full_name} ({role}) - {', '.join(firm_names)}"
            )
            if member.role in two_factor.ROLES_THAT_NEED_IT:
                secrets[email] = _enrolled_secret(User.objects.get(email=email))
        if secrets:
            self.stdout.write("")
            self.stdout.write(
                self.style.SUCCESS(
                    "Second factor (TOTP): add the secret to an authenticator app, or print the "
                    "current code with: python manage.py demo_totp_code EMAIL"
                )
            )
            for email, secret in secrets.items():
                self.stdout.write(f"  {email:<{width}}  {secret}")


def demo_client(firm: Firm, company: DemoCompany, *, assigned_to_id: int | None) -> Client:
    """The unsaved client of a generated company."""
    return Client(firm=firm, assigned_to_id=assigned_to_id, **demo_client_values(company))


def demo_client_values(company: DemoCompany) -> dict[str, object]:
    """The values of a generated company's client, by field name (firm and collaborator aside)."""
    return {
        "company_name": company.company_name,
        "siren": company.siren,
        "siret": company.siret,
        "naf_code": company.naf_code,
        "legal_form": company.legal_form,
        "address": company.address,
        "postal_code": company.postal_code,
        "city": company.city,
        "vat_number": company.vat_number,
        "fiscal_year_end": company.fiscal_year_end,
        "contact_name": company.contact_name,
        "contact_email": company.contact_email,
        "contact_phone": company.contact_phone,
        "signer_civility": company.signer_civility,
        "signer_last_name": company.signer_last_name,
        "signer_first_name": company.signer_first_name,
        "signer_email": company.signer_email,
        "signer_mobile": company.signer_mobile,
        "billing_emails": company.billing_emails,
        "invoice_delivery": company.invoice_delivery,
        "tags": company.tags,
        "last_reviewed_at": company.last_reviewed_at,
    }


def _enrolled_secret(user: User) -> str:
    """The demo account's TOTP secret; enrolled the first time, kept afterwards so that an
    authenticator app already set up keeps working."""
    device = two_factor.totp_device(user) or two_factor.enrol_with_secret(user)
    return two_factor.secret_of(device)


def _demo_firm(*, name: str, slug: str, profile: dict | None = None) -> Firm:
    """The demo firm of that slug, created (with its catalogues) the first time."""
    firm = Firm.objects.filter(slug=slug).first()
    if firm is None:
        firm = create_firm(name=name, slug=slug)
        if profile:
            Firm.objects.filter(pk=firm.pk).update(**profile)
            firm.refresh_from_db()
    # Every demo firm can issue invoices: the seller mentions it lacks are filled in.
    return complete_profile(firm, profile or None)


def _demo_user(member: DemoUser, password_hash: str) -> User:
    """Create the account, or put it back as the demo expects (name, password, active)."""
    user, _ = User.objects.update_or_create(
        email=member.email,
        defaults={"full_name": member.full_name, "password": password_hash, "is_active": True},
    )
    return user


def _join(firm: Firm, user: User, role: Role) -> Membership:
    membership, _ = Membership.objects.for_firm(firm).update_or_create(
        firm=firm, user=user, defaults={"role": role, "is_active": True}
    )
    return membership
