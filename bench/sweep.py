"""The sweep of ``python -m bench``: every URL of the isolation harness, timed.

Each firm URL that ``tests/test_isolation.py`` discovers (``/f/<firm>/…``) and each API URL is
requested with GET, its parameters filled with real objects of the bench firm made by the
harness's own builder (``tests/harness_objects.py``, which its ``objects`` fixture calls), as a
supervisor of the firm with a completed second factor (``tests.auth.VerifiedClient``); the pages
a supervisor may not open (the settings) are requested as the firm's administrator, and the API
with a supervisor's token. Then the main htmx POSTs of a client sheet: saving an answer of the
questionnaire, setting a platform, adding a software, saving a field of the digital profile.

For each: the median and 95th percentile of the server time (the Django test client calls the
whole stack in the process: middleware, firm scope, view, templates) and the SQL statements of
one request (the transaction's own BEGIN and COMMIT left out).
"""

from __future__ import annotations

import gc
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


def unfilled(objects: dict) -> list[str]:
    """The harness's URLs (firm and API) with a parameter the objects do not fill: none while
    the sweep and the harness share their builder; listed rather than guessed if one appears."""
    from tests.test_isolation import api_patterns, firm_patterns

    return [
        f"{p.name} ({', '.join(param for param in p.params if param not in objects)})"
        for p in firm_patterns() + api_patterns()
        if any(param not in objects for param in p.params)
    ]


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
    from tests.harness_objects import make_harness_objects
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
    objects = make_harness_objects(firm, admin=admin, collaborator=collaborator)
    skipped = unfilled(objects)
    if skipped:
        print(f"  URL non mesurées, paramètre inconnu du banc : {', '.join(skipped)}", flush=True)
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

        # As in a web process (config.warmup): what is alive before these runs is frozen, so a
        # collection during them walks only what they create. The test client keeps a few
        # objects of its own per request (signal receivers' finalizers) that a server does not:
        # frozen here too, they do not make the later URLs' collections longer.
        gc.collect()
        gc.freeze()
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
