"""The sweep of ``python -m bench``: every URL of the isolation harness, timed.

Each firm URL that ``tests/test_isolation.py`` discovers (``/f/<firm>/…``) and each API URL is
requested with GET, its parameters filled with real objects of the bench firm the way the
harness fills them (its ``objects`` fixture, called on the bench firm), as a supervisor of the
firm with a completed second factor (``tests.auth.VerifiedClient``); the pages a supervisor may
not open (the settings) are requested as the firm's administrator, and the API with a
supervisor's token. Then the main htmx POSTs of a client sheet: saving an answer of the
questionnaire, setting a platform, adding a software, saving a field of the digital profile.

For each: the median and 95th percentile of the server time (the Django test client calls the
whole stack in the process: middleware, firm scope, view, templates) and the SQL statements of
one request (the transaction's own BEGIN and COMMIT left out).
"""

from __future__ import annotations

import logging
import math
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class SweepRequest:
    name: str
    url: str
    method: str = "get"
    as_admin: bool = False
    api: bool = False
    # Called with the run's number: the POST's data (values alternate, so each save changes).
    data: Callable[[int], dict] | None = None
    headers: dict = field(default_factory=dict)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (95th of 10 samples: the 10th)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def harness_objects(firm, *, admin, collaborator) -> dict:
    """One real object of the bench firm for each URL parameter, made as the isolation
    harness's ``objects`` fixture makes them (the catalogue entries under names of their own:
    the firm's default catalogue already has the fixture's). A parameter added to the harness
    but not here leaves its URLs out of the sweep, listed as skipped."""
    from django.core.files.base import ContentFile

    from cartography.models import ClientSoftware, Platform, SoftwareProduct
    from clients.models import Client, ClientImport
    from firms.models import Invitation, Role
    from firms.services import create_api_token
    from firms.tenancy import firm_scope
    from invoicing.models import Engagement, Invoice, InvoiceBatch, InvoiceDelivery, Payment
    from jobs.models import Job
    from mandates.models import Mandate
    from reports.models import SynthesisReport
    from tests import factories

    pdf = b"%PDF-1.4\n%%EOF\n"
    with firm_scope(firm):
        taken = set(Client.objects.for_firm(firm).values_list("siren", flat=True))
    siren = next(
        siren
        for number in range(90_000_000, 99_999_999)
        if (siren := factories.valid_siren(number)) not in taken
    )
    client = factories.make_client(
        firm, assigned_to=collaborator.user, company_name="Société du banc", siren=siren
    )
    with firm_scope(firm):
        job = Job.objects.create(firm=firm, kind="portfolio_export", requested_by=admin.user)
        invitation = Invitation.objects.create(
            firm=firm, email=f"invite-{client.pk}@bench.test", role=Role.COLLABORATOR
        )
        token, _ = create_api_token(membership=admin, name="outil")
        client_import = ClientImport.objects.create(
            firm=firm, original_name="clients.csv", file="imports/clients.csv", job=job
        )
        product = SoftwareProduct.objects.create(
            firm=firm, vendor="Banc", name=f"Banc {client.pk}", category="accounting"
        )
        platform = Platform.objects.create(firm=firm, name=f"PA du banc {client.pk}")
        software = ClientSoftware.objects.create(
            firm=firm, client=client, product=product, category="accounting"
        )
        mandate = Mandate(
            firm=firm, client=client, reference=f"{client.siren}-DEL-20261201-1", status="signed"
        )
        mandate.document.save("mandat.pdf", ContentFile(pdf), save=False)
        mandate.signed_document.save("signe.pdf", ContentFile(pdf), save=False)
        mandate.save()
        report = SynthesisReport(
            firm=firm, client=client, number=1, sha256="0" * 64, size=15, snapshot={}
        )
        report.document.save("rapport.pdf", ContentFile(pdf), save=False)
        report.save()
        invoice = Invoice(
            firm=firm,
            client=client,
            status="issued",
            number=f"FA-BANC-{client.pk}",
            total_excl_vat=100,
            total_incl_vat=120,
            total_vat=20,
        )
        invoice.pdf.save("facture.pdf", ContentFile(pdf), save=False)
        invoice.save()
        engagement = Engagement.objects.create(
            firm=firm, client=client, description="Tenue", amount=100
        )
        payment = Payment.objects.create(
            firm=firm, invoice=invoice, paid_on="2026-01-15", amount=20, method="transfer"
        )
        batch = InvoiceBatch.objects.create(firm=firm, invoice_ids=[invoice.pk])
        delivery = InvoiceDelivery.objects.create(
            firm=firm, invoice=invoice, batch=batch, channel="paper", state="paper"
        )
    return {
        "firm_slug": firm.slug,
        "client_id": client.pk,
        "job_id": job.pk,
        "member_id": collaborator.pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
        "import_id": client_import.pk,
        "software_id": software.pk,
        "product_id": product.pk,
        "platform_id": platform.pk,
        "mandate_id": mandate.pk,
        "report_id": report.pk,
        "invoice_id": invoice.pk,
        "engagement_id": engagement.pk,
        "payment_id": payment.pk,
        "batch_id": batch.pk,
        "delivery_id": delivery.pk,
        "role": "reception",
    }


def give_client_a_history(firm, client_id: int, *, like: int, by) -> None:
    """The harness's client is new and empty: give it the answers and platforms of a seeded
    client, through the services, so its pages are those of a client in progress."""
    from cartography.models import ClientPlatform
    from cartography.services import set_client_platform
    from clients.models import Client
    from firms.tenancy import firm_scope
    from fiscal_questionnaire.models import Answer
    from fiscal_questionnaire.services import save_answers

    with firm_scope(firm):
        client = Client.objects.for_firm(firm).get(pk=client_id)
        values = dict(
            Answer.objects.for_firm(firm).filter(client_id=like).values_list("code", "value")
        )
        if values:
            save_answers(firm=firm, client=client, values=values, by=by)
        for platform in ClientPlatform.objects.for_firm(firm).filter(client_id=like):
            set_client_platform(
                firm=firm,
                client=client,
                role=platform.role,
                platform=platform.platform,
                status=platform.status,
                on=None,
                by=by,
            )


def sweep_requests(objects: dict, *, admin_only: set[str]) -> list[SweepRequest]:
    from tests.test_isolation import api_patterns, firm_patterns

    def filled(pattern) -> bool:
        return all(param in objects for param in pattern.params)

    requests = [
        SweepRequest(name=p.name, url=p.url(objects), as_admin=p.name in admin_only)
        for p in firm_patterns()
        if filled(p)
    ]
    requests += [
        SweepRequest(name=p.name, url=p.url(objects), api=True) for p in api_patterns() if filled(p)
    ]
    client = f"/f/{objects['firm_slug']}/clients/{objects['client_id']}/"
    platform = objects["platform_id"]
    requests += [
        SweepRequest(
            name="POST answer (htmx)",
            url=f"{client}fiscalite/",
            method="post",
            data=lambda run: {"vat_liable": "oui" if run % 2 else "non"},
            headers={**HTMX, "HTTP_HX_TRIGGER_NAME": "vat_liable"},
        ),
        SweepRequest(
            name="POST platform (htmx)",
            url=f"{client}cartographie/plateformes/reception/",
            method="post",
            data=lambda run: {
                "reception-platform": platform,
                "reception-status": "chosen" if run % 2 else "considered",
                "reception-on": "",
            },
            headers=HTMX,
        ),
        SweepRequest(
            name="POST software (htmx)",
            url=f"{client}cartographie/logiciels/",
            method="post",
            data=lambda run: {"label": f"Outil maison {run}", "category": "other"},
            headers=HTMX,
        ),
        SweepRequest(
            name="POST profile field (htmx)",
            url=f"{client}cartographie/profil/",
            method="post",
            data=lambda run: {"invoice_tool": "erp" if run % 2 else "paper"},
            headers=HTMX,
        ),
    ]
    return requests


def run_sweep(*, firm, repeat: int, warmup: int = 1) -> list[dict]:
    """Time every request; returns one row per URL, the slowest (p95) first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients.models import Client
    from firms.models import Membership, Role, User
    from firms.services import create_api_token
    from firms.tenancy import firm_scope
    from tests import factories
    from tests.auth import VerifiedClient
    from tests.test_isolation import firm_patterns, required_roles

    with firm_scope(firm):
        admin = Membership.objects.for_firm(firm).filter(role=Role.ADMIN).first()
        tag = uuid.uuid4().hex[:8]
        supervisor = factories.make_member(
            firm, Role.SUPERVISOR, user=factories.make_user(f"superviseur-{tag}@bench.test")
        )
        collaborator = factories.make_member(
            firm, Role.COLLABORATOR, user=factories.make_user(f"collaborateur-{tag}@bench.test")
        )
        seeded = (
            Client.objects.for_firm(firm)
            .filter(obligations__isnull=False)
            .order_by("id")
            .values_list("id", flat=True)
        )
        like = seeded[len(seeded) // 2] if seeded else None
        _, token = create_api_token(membership=supervisor, name="bench")
    objects = harness_objects(firm, admin=admin, collaborator=collaborator)
    if like is not None:
        give_client_a_history(firm, objects["client_id"], like=like, by=admin.user)
    admin_only = {
        p.name
        for p in firm_patterns()
        if (roles := required_roles(p.view)) and Role.SUPERVISOR not in roles
    }
    # A URL that fails answers 500 in the table instead of stopping the sweep.
    as_supervisor = VerifiedClient(raise_request_exception=False)
    as_admin = VerifiedClient(raise_request_exception=False)
    as_supervisor.force_login(User.objects.get(pk=supervisor.user_id))
    as_admin.force_login(User.objects.get(pk=admin.user_id))
    api_headers = {"HTTP_AUTHORIZATION": f"Token {token}"}

    rows = []
    # A 404 or 405 among the URLs is expected (a job without a file, a POST-only URL): quiet.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    for request in sweep_requests(objects, admin_only=admin_only):
        http = as_admin if request.as_admin else as_supervisor
        headers = {**request.headers, **(api_headers if request.api else {})}
        runs = iter(range(1_000_000))

        def call(request=request, http=http, headers=headers, runs=runs):
            run = next(runs)
            data = request.data(run) if request.data else None
            if request.method == "post":
                response = http.post(request.url, data, **headers)
            else:
                response = http.get(request.url, **headers)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            return response

        for _ in range(warmup):
            call()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = call()
            samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            call()
        rows.append(
            {
                "url": request.url,
                "name": request.name,
                "method": request.method.upper(),
                "as": "admin" if request.as_admin else "supervisor",
                "status": response.status_code,
                "median_ms": round(statistics.median(samples) * 1000, 1),
                "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
                "statements": sum(
                    1 for query in captured if query["sql"] not in TRANSACTION_CONTROL
                ),
            }
        )
    rows.sort(key=lambda row: row["p95_ms"], reverse=True)
    return rows


def print_sweep(rows: list[dict], *, slowest: int = 10, target_ms: float = 100) -> None:
    over = [row for row in rows if row["p95_ms"] >= target_ms]
    print()
    print(f"Balayage : {len(rows)} URL, {len(over)} avec un p95 d'au moins {target_ms:.0f} ms")
    print(f"{'URL':<72} {'méd.':>7} {'p95':>7} {'req.':>5} {'code':>5}")
    for row in rows[:slowest]:
        label = f"{row['method']} {row['url']}"[:72]
        print(
            f"{label:<72} {row['median_ms']:>7} {row['p95_ms']:>7} "
            f"{row['statements']:>5} {row['status']:>5}"
        )
