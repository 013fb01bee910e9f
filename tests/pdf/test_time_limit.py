"""Each document has a time limit: an alarm in the main thread, a killed child process elsewhere."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from pdf import PdfRenderError, PdfTimeout, render_pdf
from pdf.time_limit import call_with_time_limit

# A thousand rows take seconds to lay out (about 3.5 s on the 2-core development machine).
SLOW_DOCUMENT = (
    '<html lang="fr"><link rel="stylesheet" href="static:css/pdf.css"><table>'
    + "".join(
        f"<tr><td>{row}</td><td>Client numéro {row}</td><td class='amount'>{row},00 €</td></tr>"
        for row in range(1000)
    )
    + "</table></html>"
)
QUICK_DOCUMENT = "<p>Bonjour</p>"


def in_a_thread(function: Callable[[], bytes]) -> bytes:
    """``function()`` run in another thread, as a ``runserver`` request is; its result or its
    exception."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = function()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


@pytest.fixture
def alarm_left_as_it_was() -> Iterator[Callable[[int, object], None]]:
    """A handler of our own on SIGALRM, to check it is there again afterwards."""

    def ours(signum: int, frame: object) -> None:
        raise AssertionError("our own alarm handler must not be called")

    previous = signal.signal(signal.SIGALRM, ours)
    yield ours
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_a_slow_document_is_stopped_in_the_main_thread(alarm_left_as_it_was):
    with pytest.raises(PdfTimeout) as raised:
        render_pdf(SLOW_DOCUMENT, timeout=0.2)
    assert str(raised.value) == (
        "Le document PDF n'a pas pu être produit dans le temps imparti (0,2 s)."
    )
    assert isinstance(raised.value, PdfRenderError)
    assert signal.getsignal(signal.SIGALRM) is alarm_left_as_it_was
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_quick_document_leaves_the_alarm_as_it_was(alarm_left_as_it_was):
    assert render_pdf(QUICK_DOCUMENT).startswith(b"%PDF-")
    assert signal.getsignal(signal.SIGALRM) is alarm_left_as_it_was
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_running_timer_goes_on(alarm_left_as_it_was):
    signal.setitimer(signal.ITIMER_REAL, 100, 5)
    render_pdf(QUICK_DOCUMENT)
    delay, interval = signal.getitimer(signal.ITIMER_REAL)
    assert 0 < delay < 100
    assert interval == 5


def test_a_swallowed_alarm_still_ends_in_a_timeout():
    """WeasyPrint catches BaseException around SVG images: the alarm fires again and again,
    and a rendering that went on past its deadline is not returned (it may lack parts)."""

    swallowed = 0

    def swallows_every_alarm() -> bytes:
        nonlocal swallowed
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            try:
                time.sleep(0.01)
            except BaseException:
                swallowed += 1
        return b"%PDF- incomplete"

    with pytest.raises(PdfTimeout):
        call_with_time_limit(swallows_every_alarm, seconds=0.1)
    assert swallowed > 1  # the alarm came back after the first one was swallowed


def test_the_alarm_waits_for_a_finalizer_to_finish():
    """The garbage collector runs ``__del__`` methods and ``weakref.finalize`` callbacks where
    it pleases; an exception raised in one would only be printed, its clean-up cut short."""
    finished: list[str] = []

    class SlowToFinalize:
        def __del__(self) -> None:
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass
            finished.append("__del__")

    def slow_callback() -> None:
        time.sleep(0.3)
        finished.append("finalize")

    def render() -> bytes:
        SlowToFinalize()  # dropped at once: its __del__ outlives the deadline
        weakref.finalize(SlowToFinalize(), slow_callback)
        time.sleep(5)
        return b"%PDF-"

    with pytest.raises(PdfTimeout):
        call_with_time_limit(render, seconds=0.1)
    assert finished == ["__del__", "__del__", "finalize"]


def test_a_document_renders_from_another_thread():
    pdf = in_a_thread(lambda: render_pdf(QUICK_DOCUMENT))
    assert pdf.startswith(b"%PDF-")
    assert multiprocessing.active_children() == []


def test_a_slow_document_is_stopped_in_another_thread():
    with pytest.raises(PdfTimeout, match=r"\(0,2 s\)"):
        in_a_thread(lambda: render_pdf(SLOW_DOCUMENT, timeout=0.2))
    assert multiprocessing.active_children() == []  # the child was killed and reaped


@pytest.mark.django_db
def test_the_child_leaves_the_database_connections_alone():
    """The forked child inherits the open connections (this thread's and the main thread's):
    had it used or closed them, the server would have ended the parent's sessions."""

    def select_one() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()

    def query_render_query() -> bytes:
        select_one()
        pdf = render_pdf(QUICK_DOCUMENT)
        assert select_one() == (1,)
        connection.close()  # this thread's own connection
        return pdf

    select_one()
    assert in_a_thread(query_render_query).startswith(b"%PDF-")
    assert select_one() == (1,)


def test_the_childs_failures_come_back_as_render_errors():
    def fails() -> bytes:
        raise PdfRenderError("Le document PDF n'a pas pu être produit.")

    def breaks() -> bytes:
        raise RuntimeError("unexpected")

    def dies() -> bytes:
        os._exit(1)

    with pytest.raises(PdfRenderError, match="n'a pas pu être produit"):
        in_a_thread(lambda: call_with_time_limit(fails, seconds=5))
    with pytest.raises(PdfRenderError, match="n'a pas pu être produit"):
        in_a_thread(lambda: call_with_time_limit(breaks, seconds=5))
    with pytest.raises(PdfRenderError, match="s'est interrompu"):
        in_a_thread(lambda: call_with_time_limit(dies, seconds=5))


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "20"])
def test_the_time_limit_is_a_positive_number_of_seconds(timeout):
    with pytest.raises(ValueError):
        render_pdf(QUICK_DOCUMENT, timeout=timeout)


def test_the_alarm_waits_for_a_garbage_collector_callback_to_finish():
    """An alarm inside one of gc.callbacks (hypothesis installs one in the test process) would
    only be printed: it comes back once the callback is over."""
    finished = []

    def callback(phase: str, info: dict) -> None:
        if phase == "start" and not finished:
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:
                pass
            finished.append(True)

    def render() -> bytes:
        gc.collect()
        time.sleep(2)
        return b"never"

    gc.callbacks.append(callback)
    try:
        with pytest.raises(PdfTimeout):
            call_with_time_limit(render, seconds=0.1)
    finally:
        gc.callbacks.remove(callback)
    assert finished == [True]
