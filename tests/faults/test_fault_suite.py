"""The fault suite: 200 units of background work (invoice e-mails sent in batches, synthesis
reports, mandate PDFs) run by a real prefork Celery worker on a Redis of the test's own, while

(a) a child of the worker's pool is SIGKILLed,
(b) the whole worker (main process and children) is SIGKILLed and another one started,
(c) Redis is restarted (its queue is lost: no persistence),
(d) with Redis stopped, real HTTP requests start work: they must answer in under 2 s, and the
    work must run once Redis is back.

The sweepers run every few seconds, as Celery beat would, with the suite's short delays passed
as parameters. At the end every job and every e-mail must be in a final state, no e-mail may have
reached the SMTP server twice (except those whose outbox row is ``unknown``: a person decides),
and each piece of work must have been done once (one report version, one mandate per client,
one delivery per invoice). The suite prints what it did and what it found.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import connections

from firms.tenancy import firm_scope
from invoicing import batches
from invoicing.models import DeliveryState, InvoiceBatch, InvoiceDelivery
from jobs.models import Job
from jobs.services import STALLED_TWICE, start_job, sweep_stalled_jobs
from mandates.models import Mandate, MandateStatus
from outbox.models import OutboxMessage
from outbox.services import sweep_outbox
from reports.models import SynthesisReport
from tests import factories
from tests.faults.servers import PreforkWorker, RedisServer, celery_broker
from tests.invoicing.conftest import complete_seller, line, make_issued

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.worker,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]

# The work: 72 invoice e-mails in 4 batches, 48 synthesis reports, 80 mandate PDFs (a report
# takes about five times a mandate's time).
EMAIL_BATCHES, INVOICES_PER_BATCH = 4, 18
REPORTS = 48
MANDATES = 80

# The suite's short delays (production: 2 minutes, a kind's own stalled time, 20 s per SMTP
# operation, 30 s without trying a broker that failed).
STALLED_AFTER = timedelta(seconds=15)
REDISPATCH_AFTER = timedelta(seconds=10)
REDISPATCH_LONGEST = timedelta(seconds=30)
STUCK_MARGIN = timedelta(seconds=5)
EMAIL_TIMEOUT = 2
BROKER_RETRY_AFTER = 2
SWEEP_EVERY = 2.0
SETTLE_WITHIN = 180.0
REQUEST_LIMIT = 2.0

State = OutboxMessage.State
FINAL_JOB = {Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.CANCELLED}
FINAL_MESSAGE = {State.SENT, State.FAILED, State.UNKNOWN}


@dataclass
class Record:
    """What the suite did and saw, printed at the end (and on failure)."""

    started: float = field(default_factory=time.monotonic)
    events: list[tuple[float, str]] = field(default_factory=list)
    sweeps: Counter = field(default_factory=Counter)
    requests: list[tuple[str, int, float]] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def event(self, text: str) -> None:
        self.events.append((time.monotonic() - self.started, text))

    def lines(self) -> list[str]:
        out = ["", "=" * 30 + " fault suite " + "=" * 30, "what was done:"]
        out += [f"  t={at:6.1f} s  {text}" for at, text in self.events]
        sweeps = dict(sorted(self.sweeps.items()))
        out.append(f"sweeps (every {SWEEP_EVERY:.0f} s): {sweeps}")
        out += [
            f"request with Redis stopped: {what} -> HTTP {status} in {seconds:.2f} s"
            for what, status, seconds in self.requests
        ]
        out.append("what was found:")
        out += [f"  {finding}" for finding in self.findings]
        out.append("=" * 73)
        return out


@pytest.fixture
def fault_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(transactional_db, fault_redis, tmp_path):
    """Prefork workers on the fault Redis, kept alive as a process manager keeps them;
    whatever is still running is stopped at the end (before the database is emptied)."""
    pool = Workers(fault_redis.url, tmp_path / "fault-workers.log")
    yield pool
    for worker in pool.started:
        worker.stop()


class Workers:
    """The suite's workers. A worker that exits by itself (Celery may stop on an
    'Unrecoverable error' when it loses the broker twice in a row) is started again, as the
    compose file's ``restart: unless-stopped`` does in production; the record says so."""

    def __init__(self, broker_url: str, log_path) -> None:
        self.broker_url = broker_url
        self.log_path = log_path
        self.started: list[PreforkWorker] = []
        self.replaced: list[PreforkWorker] = []

    def start(self, name: str, *, wait: bool = True) -> PreforkWorker:
        worker = PreforkWorker(
            broker_url=self.broker_url,
            log_path=self.log_path,
            env={
                "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
                "BROKER_RETRY_AFTER": str(BROKER_RETRY_AFTER),
            },
            name=name,
        )
        worker.start(concurrency=2, wait=wait)
        self.started.append(worker)
        return worker

    def keep_alive(self, record: Record) -> None:
        for worker in list(self.started):
            if worker.exited_by_itself and worker not in self.replaced:
                self.replaced.append(worker)
                replacement = self.start(f"{worker.name}-restart{len(self.replaced)}", wait=False)
                record.event(
                    f"worker {worker.name} exited by itself (status "
                    f"{worker.process.returncode}): {replacement.name} started, as its process "
                    "manager would"
                )


@pytest.fixture
def report(capsys):
    """The suite's record, printed at the end whatever happened, past pytest's capture (so
    that it shows in the CI log without ``-s``)."""
    record = Record()
    yield record
    with capsys.disabled():
        print("\n".join(record.lines()))


def make_portfolio(cast):
    """Clients with billing e-mails and signers; one issued invoice for each invoice client."""
    firm = complete_seller(cast.firm)
    signer = {
        "signer_civility": "Mme",
        "signer_first_name": "Claire",
        "signer_last_name": "Martin",
        "signer_email": "claire@exemple.test",
        "signer_mobile": "+33639980123",
        "address": "3 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
    }

    def client(n: int):
        return factories.make_client(
            firm,
            assigned_to=cast.collaborator.user,
            company_name=f"Société {n:03d}",
            vat_number="",
            billing_emails=[f"compta{n:03d}@exemple.test"],
            **signer,
        )

    report_clients = [client(n) for n in range(REPORTS)]
    mandate_clients = [client(100 + n) for n in range(MANDATES)]
    late_clients = [client(200 + n) for n in range(3)]  # for the requests of (d)
    invoice_clients = (report_clients + mandate_clients)[: EMAIL_BATCHES * INVOICES_PER_BATCH]
    invoices = [
        make_issued(cast, c, line(unit_price=str(100 + i)))
        for i, c in enumerate(invoice_clients + late_clients[:2])
    ]
    return firm, report_clients, mandate_clients, late_clients, invoices


def settle(record: Record, workers: Workers, condition, timeout: float, what: str) -> None:
    """Run the sweepers every few seconds, as beat would, and keep the workers alive, as their
    process manager would, until ``condition()``."""
    deadline = time.monotonic() + timeout
    last_sweep = 0.0
    while not condition():
        workers.keep_alive(record)
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout:.0f} s")
        if time.monotonic() - last_sweep >= SWEEP_EVERY:
            last_sweep = time.monotonic()
            sweep(record)
        time.sleep(0.2)


def sweep(record: Record) -> None:
    jobs = sweep_stalled_jobs(
        stalled_after=STALLED_AFTER,
        redispatch_after=REDISPATCH_AFTER,
        redispatch_longest=REDISPATCH_LONGEST,
    )
    mails = sweep_outbox(
        redispatch_after=REDISPATCH_AFTER,
        redispatch_longest=REDISPATCH_LONGEST,
        stuck_margin=STUCK_MARGIN,
    )
    for name, count in (
        ("jobs requeued", jobs.requeued),
        ("jobs failed", jobs.failed),
        ("jobs redispatched", jobs.redispatched),
        ("e-mails redispatched", mails.redispatched),
        ("e-mails made unknown", mails.unknown),
    ):
        if count:
            record.sweeps[name] += count
            record.event(f"sweeper: {count} {name}")


def job_states(firm) -> Counter:
    with firm_scope(firm):
        return Counter(Job.objects.for_firm(firm).values_list("status", flat=True))


def message_states(firm) -> Counter:
    with firm_scope(firm):
        return Counter(OutboxMessage.objects.for_firm(firm).values_list("state", flat=True))


def finished_jobs(firm) -> int:
    states = job_states(firm)
    return sum(count for state, count in states.items() if state in FINAL_JOB)


def running_jobs(firm) -> list[str]:
    with firm_scope(firm):
        return [
            f"{kind} #{pk}"
            for pk, kind in Job.objects.for_firm(firm)
            .filter(status=Job.Status.RUNNING)
            .values_list("pk", "kind")
        ]


def everything_final(firm) -> bool:
    jobs, messages = job_states(firm), message_states(firm)
    return set(jobs) <= FINAL_JOB and set(messages) <= FINAL_MESSAGE


def test_background_work_survives_killed_workers_and_a_restarted_broker(
    firm_a, client, settings, smtp_inbox, fault_redis, workers, report
):
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT
    settings.BROKER_RETRY_AFTER = BROKER_RETRY_AFTER
    w1 = workers.start("fault-w1", wait=False)  # boots while the portfolio is written
    firm, report_clients, mandate_clients, late_clients, invoices = make_portfolio(firm_a)
    by = firm_a.supervisor.user
    late_invoices = invoices[-2:]
    batch_invoices = invoices[:-2]
    report.event(
        f"portfolio: {len(report_clients) + len(mandate_clients) + len(late_clients)} clients, "
        f"{len(invoices)} issued invoices with a billing e-mail"
    )
    client.force_login(by)

    with celery_broker(fault_redis.url):
        booted = w1.wait_ready()
        report.event(
            f"worker W1 ready ({booted:.1f} s after its start): pid {w1.pid}, prefork children "
            f"{w1.children()}"
        )

        # The 200 units of work, kinds interleaved: a batch, then a share of the reports and
        # mandates, and so on.
        reports = [("synthesis_reports", {"client_ids": [c.pk]}) for c in report_clients]
        mandates = [
            ("generate_mandates", {"client_ids": [c.pk], "kind": "delegation"})
            for c in mandate_clients
        ]
        # Each kind spread evenly over the whole run.
        work = [
            item
            for _position, item in sorted(
                [((n + 0.5) / len(reports), item) for n, item in enumerate(reports)]
                + [((n + 0.5) / len(mandates), item) for n, item in enumerate(mandates)],
                key=lambda pair: pair[0],
            )
        ]
        share = -(-len(work) // EMAIL_BATCHES)
        with firm_scope(firm):
            for b in range(EMAIL_BATCHES):
                chunk = batch_invoices[b * INVOICES_PER_BATCH : (b + 1) * INVOICES_PER_BATCH]
                batches.start_batch(firm=firm, by=by, invoice_ids=[i.pk for i in chunk])
                for kind, params in work[b * share : (b + 1) * share]:
                    start_job(firm=firm, kind=kind, requested_by=by, params=params)
        total_jobs = EMAIL_BATCHES + REPORTS + MANDATES
        report.event(
            f"queued: {EMAIL_BATCHES} sending batches ({len(batch_invoices)} invoice e-mails), "
            f"{REPORTS} report jobs, {MANDATES} mandate jobs; broker queue "
            f"{fault_redis.queue_length()} messages"
        )

        # (a) A child of the pool killed while jobs run.
        settle(
            report,
            workers,
            lambda: finished_jobs(firm) >= total_jobs * 0.1 and running_jobs(firm),
            120,
            "10% of the jobs",
        )
        victim = w1.children()[0]
        running = running_jobs(firm)
        w1.kill_child(victim)
        report.event(f"(a) SIGKILL of W1's child {victim}; running then: {running}")

        # (b) The whole worker killed, another one started.
        settle(
            report,
            workers,
            lambda: finished_jobs(firm) >= total_jobs * 0.3 and running_jobs(firm),
            120,
            "30% of the jobs",
        )
        running = running_jobs(firm)
        victims = w1.kill_all()
        with firm_scope(firm):  # no worker is alive: these runs are dead
            orphans = list(
                Job.objects.for_firm(firm)
                .filter(status=Job.Status.RUNNING)
                .values_list("pk", flat=True)
            )
        report.event(
            f"(b) SIGKILL of W1 and its children {victims}; running before: {running}, "
            f"left running by the dead worker: {orphans}"
        )
        w2 = workers.start("fault-w2", wait=False)
        report.event(f"worker W2 started: pid {w2.pid}")

        # (c) Redis restarted: its queue is lost.
        settle(
            report,
            workers,
            lambda: finished_jobs(firm) >= total_jobs * 0.5,
            120,
            "50% of the jobs",
        )
        if not w2.exited_by_itself:
            report.event(f"worker W2 was ready {w2.wait_ready():.1f} s after its start")
        waiting = fault_redis.queue_length()
        fault_redis.restart()
        report.event(f"(c) Redis restarted on port {fault_redis.port}: {waiting} messages lost")
        settle(
            report, workers, lambda: finished_jobs(firm) >= total_jobs * 0.6, 120, "60% of the jobs"
        )

        # (d) Redis stopped while requests start work.
        fault_redis.stop()
        report.event("(d) Redis stopped")
        slug = firm.slug
        for what, url, data in (
            (
                "POST sending of 2 invoices",
                f"/f/{slug}/factures/envoi/lancer/",
                {"invoice": [str(invoice.pk) for invoice in late_invoices]},
            ),
            (
                "POST synthesis report of a client",
                f"/f/{slug}/clients/{late_clients[2].pk}/rapports/",
                {},
            ),
        ):
            started = time.monotonic()
            response = client.post(url, data)
            elapsed = time.monotonic() - started
            report.requests.append((what, response.status_code, elapsed))
            report.event(f"(d) {what}: HTTP {response.status_code} in {elapsed:.2f} s")
        connections.close_all()
        time.sleep(1)
        fault_redis.start()
        report.event("(d) Redis started again")

        # Every job and e-mail reaches a final state, the sweepers helping.
        settle(
            report, workers, lambda: everything_final(firm), SETTLE_WITHIN, "every job and e-mail"
        )
        report.event("everything settled")
        time.sleep(2)  # let duplicate tasks still queued run (they must do nothing)

    errors = [
        line.strip()
        for line in w1.log_path.read_text(errors="replace").splitlines()
        if " ERROR" in line or "CRITICAL" in line
    ]
    report.findings.append(f"errors in the workers' log: {len(errors)}")
    report.findings += [f"  {line[:160]}" for line in errors[:8]]
    report.findings.append(
        f"workers that exited by themselves and were started again: {len(workers.replaced)}"
    )
    check_outcome(firm, report, smtp_inbox, report_clients, mandate_clients, late_clients)
    # The runs the dead worker left were taken for dead by the sweeper and redone.
    with firm_scope(firm):
        resumed = dict(
            Job.objects.for_firm(firm).filter(pk__in=orphans).values_list("pk", "interruptions")
        )
    assert all(resumed[pk] >= 1 for pk in orphans), resumed
    # (d): the work asked for while Redis was stopped ran once it was back.
    with firm_scope(firm):
        late = set(
            OutboxMessage.objects.for_firm(firm)
            .filter(related_id__in=[str(invoice.pk) for invoice in late_invoices])
            .values_list("state", flat=True)
        )
    assert late <= {State.SENT, State.UNKNOWN} and late


def check_outcome(firm, report, smtp_inbox, report_clients, mandate_clients, late_clients):
    jobs_by_state = job_states(firm)
    messages_by_state = message_states(firm)
    report.findings.append(f"jobs by final state: {dict(jobs_by_state)}")
    report.findings.append(f"e-mails by final state: {dict(messages_by_state)}")
    with firm_scope(firm):
        jobs = list(
            Job.objects.for_firm(firm).values(
                "pk",
                "kind",
                "status",
                "error",
                "interruptions",
                "attempts",
                "started_at",
                "finished_at",
            )
        )
        messages = {
            m.message_id: m
            for m in OutboxMessage.objects.for_firm(firm).only(
                "pk", "message_id", "state", "related_id", "attempts"
            )
        }
        reports_per_client = Counter(
            SynthesisReport.objects.for_firm(firm).values_list("client_id", flat=True)
        )
        mandates = list(Mandate.objects.for_firm(firm).values_list("client_id", "status"))
        deliveries = list(
            InvoiceDelivery.objects.for_firm(firm)
            .exclude(state=DeliveryState.FAILED)
            .values_list("invoice_id", "state")
        )
        batch_jobs = list(InvoiceBatch.objects.for_firm(firm).values_list("pk", "job__status"))
    for kind in sorted({j["kind"] for j in jobs}):
        runs = [
            j["finished_at"] - j["started_at"]
            for j in jobs
            if j["kind"] == kind and j["started_at"] and j["finished_at"]
        ]
        if runs:
            average = sum(r.total_seconds() for r in runs) / len(runs)
            report.findings.append(
                f"{kind}: {len(runs)} jobs, {average:.2f} s from first claim to end on average"
            )
    resumed = [j for j in jobs if j["interruptions"]]
    report.findings.append(
        f"jobs resumed by the sweeper: {len(resumed)}; run more than once: "
        f"{sum(1 for j in jobs if j['attempts'] > 1)}"
    )

    received = Counter(message["Message-ID"] for message in smtp_inbox.messages)
    unknown_ids = {mid for mid, m in messages.items() if m.state == State.UNKNOWN}
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    unexplained = {mid: n for mid, n in duplicates.items() if mid not in unknown_ids}
    per_invoice = Counter(
        messages[mid].related_id for mid in received.elements() if mid in messages
    )
    invoices_twice = {pk: n for pk, n in per_invoice.items() if n > 1}
    sent_not_received = [
        m.pk for mid, m in messages.items() if m.state == State.SENT and received[mid] != 1
    ]
    report.findings.append(
        f"SMTP server: {sum(received.values())} e-mails received, {len(received)} distinct "
        f"Message-IDs; duplicates found: {len(unexplained)} "
        f"(plus {len(duplicates) - len(unexplained)} of rows marked unknown)"
    )
    report.findings.append(f"invoices e-mailed more than once: {len(invoices_twice)}")
    report.findings.append(
        f"e-mails marked sent but not received exactly once: {sent_not_received}"
    )
    twice_reported = [c for c, n in reports_per_client.items() if n > 1]
    missing_reports = [
        c.pk for c in [*report_clients, late_clients[2]] if reports_per_client[c.pk] != 1
    ]
    mandate_counts = Counter(client_id for client_id, _status in mandates)
    bad_mandates = [
        c.pk
        for c in mandate_clients
        if mandate_counts[c.pk] != 1 or dict(mandates)[c.pk] != MandateStatus.TO_SIGN
    ]
    report.findings.append(
        f"report clients without exactly one version: {missing_reports}; with two or more: "
        f"{twice_reported}"
    )
    report.findings.append(f"mandate clients without exactly one mandate to sign: {bad_mandates}")
    delivered_twice = [pk for pk, n in Counter(i for i, _s in deliveries).items() if n > 1]
    report.findings.append(f"invoices with two live deliveries: {delivered_twice}")
    failed_jobs = [j for j in jobs if j["status"] == Job.Status.FAILED]
    for job in failed_jobs:
        report.findings.append(f"failed job {job['kind']} #{job['pk']}: {job['error']}")

    assert set(jobs_by_state) <= FINAL_JOB
    assert set(messages_by_state) <= FINAL_MESSAGE
    # Only a job whose runs were killed twice may fail, saying so.
    assert [j for j in failed_jobs if j["error"] != STALLED_TWICE] == []
    assert messages_by_state[State.FAILED] == 0
    assert unexplained == {}
    assert {
        pk: n
        for pk, n in invoices_twice.items()
        if pk not in {messages[mid].related_id for mid in unknown_ids}
    } == {}
    assert sent_not_received == []
    assert delivered_twice == []
    assert twice_reported == []
    # Work not done once can only be the work of a job that failed after two killed runs.
    if not failed_jobs:
        assert missing_reports == [] and bad_mandates == []
    assert all(status == Job.Status.SUCCEEDED for _pk, status in batch_jobs) or failed_jobs
    for _what, status, seconds in report.requests:
        assert status == 302 and seconds < REQUEST_LIMIT
