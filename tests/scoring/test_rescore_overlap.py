"""The full rescoring outside any transaction (a job, the command) on PostgreSQL: each batch is
written by a second connection while the next is computed. Same scores and facts as the
sequential path, progress counted once written, a failed write stops it with its error."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from firms.tenancy import firm_scope
from scoring import services
from scoring.models import ClientScore
from tests import factories
from tests.scoring.test_copy_writes import _portfolio, _stored

pytestmark = pytest.mark.django_db(transaction=True)


class Progress:
    def __init__(self) -> None:
        self.total, self.done = None, []

    def set_total(self, total: int) -> None:
        self.total = total

    def advance(self, steps: int) -> None:
        self.done.append(steps)


@pytest.fixture
def writers(monkeypatch):
    """The threads each batch was written from."""
    names: list[str] = []
    write = services._write_batch

    def recording(firm_id, scored):
        names.append(threading.current_thread().name)
        return write(firm_id, scored)

    monkeypatch.setattr(services, "_write_batch", recording)
    monkeypatch.setattr(services, "BATCH", 3)
    return names


def test_batches_written_beside_give_the_sequential_scores(firm_a, writers):
    firm = firm_a.firm
    _portfolio(firm_a, 8)
    progress = Progress()
    assert services.rescore_portfolio(firm_id=firm.pk, progress=progress) == 8
    overlapped = _stored(firm)
    assert len(writers) == 3 and all(name.startswith("rescore-writer") for name in writers)
    assert progress.total == 8 and progress.done == [3, 3, 2]

    with firm_scope(firm):
        ClientScore.objects.for_firm(firm).delete()
    with transaction.atomic():  # inside a transaction: the sequential path
        services.rescore_portfolio(firm_id=firm.pk)
    assert len(writers) == 3
    assert _stored(firm) == overlapped
    assert len(overlapped[0]) == 8


def test_a_failed_write_stops_the_rescoring_with_its_error(firm_a, writers, monkeypatch):
    firm = firm_a.firm
    ids = [factories.make_client(firm).pk for _ in range(7)]
    write = services._write_rows
    calls = []

    def failing(scored):
        calls.append(scored)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        write(scored)

    monkeypatch.setattr(services, "_write_rows", failing)
    progress = Progress()
    with pytest.raises(RuntimeError, match="disk full"):
        services.rescore_portfolio(firm_id=firm.pk, progress=progress)
    assert progress.done == [3]
    with firm_scope(firm):
        scored = set(ClientScore.objects.for_firm(firm).values_list("client_id", flat=True))
    assert scored == set(ids[:3])
