"""A time limit on one rendering: WeasyPrint has none of its own.

In the main thread (a Celery worker's task, a gunicorn sync worker's request) an alarm signal
interrupts the rendering: ``setitimer(ITIMER_REAL)`` and a SIGALRM handler, both put back as they
were afterwards. Signals reach the main thread only, so anywhere else (a thread of ``runserver``
or of a threaded worker) the rendering runs in a child process, forked, that is killed when time
is up.

The forked child inherits the parent's database connections: it must never use them, nor close
them (closing would end the parent's session on the server). It only turns HTML into bytes and
leaves through ``os._exit`` (as every ``multiprocessing`` child does), which touches no socket.
Python 3.12 and later warn about fork() in a process with threads: past 3.11, the child should
come from a "forkserver" that preloads WeasyPrint, its resources fetched by the parent.
"""

from __future__ import annotations

import _weakrefset
import gc
import logging
import multiprocessing
import signal
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import FrameType

from pdf.errors import PdfRenderError, PdfTimeout

logger = logging.getLogger(__name__)

# After the deadline the alarm fires again at this interval: WeasyPrint catches BaseException
# around SVG images, and a swallowed alarm must not let the rendering run on.
ALARM_REPEAT_SECONDS = 0.05
# Once it has answered, the child has this long to leave by itself before it is killed.
CHILD_EXIT_SECONDS = 1.0


class _DeadlinePassed(BaseException):
    """Raised by the alarm; a BaseException so that WeasyPrint's ``except Exception`` lets it
    through."""


def call_with_time_limit(render: Callable[[], bytes], *, seconds: float) -> bytes:
    """``render()``, stopped with ``PdfTimeout`` when it takes more than ``seconds``."""
    if threading.current_thread() is threading.main_thread():
        return _call_with_alarm(render, seconds)
    return _call_in_child_process(render, seconds)


def timeout_message(seconds: float) -> str:
    shown = f"{seconds:g}".replace(".", ",")
    return f"Le document PDF n'a pas pu être produit dans le temps imparti ({shown} s)."


def _call_with_alarm(render: Callable[[], bytes], seconds: float) -> bytes:
    expired = False
    armed = True

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        nonlocal expired
        expired = True
        # Inside a finalizer the exception would only be printed and the clean-up cut short:
        # the alarm comes back a moment later, out of it.
        if armed and not _in_a_finalizer(frame):
            raise _DeadlinePassed

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_delay, previous_interval = signal.setitimer(
        signal.ITIMER_REAL, seconds, ALARM_REPEAT_SECONDS
    )
    started = time.monotonic()
    result = b""
    try:
        try:
            result = render()
        finally:
            # First thing: from here on the alarm only takes note, it no longer raises.
            armed = False
    except _DeadlinePassed:
        pass
    except Exception:
        if not expired:
            raise
        # A failure after a swallowed alarm is the time limit's doing: said as such below.
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(
            signal.SIGALRM, signal.SIG_DFL if previous_handler is None else previous_handler
        )
        if previous_delay:
            # Someone else's timer was running: it goes on, less the time we took (and fires
            # at once if it fell due meanwhile).
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001), previous_interval)
    if expired:
        # Also when the rendering swallowed the alarm and went on: its result may lack parts.
        raise PdfTimeout(timeout_message(seconds))
    return result


WEAKREF_FILES = {weakref.__file__, _weakrefset.__file__}


def _in_a_finalizer(frame: FrameType | None) -> bool:
    """Whether the interrupted code runs a ``__del__`` method, a weak reference's callback
    (``weakref.finalize``, a ``WeakSet`` or ``WeakValueDictionary`` forgetting an entry) or one
    of ``gc.callbacks`` (the garbage collector may run them in the middle of the rendering, and
    an exception raised there is only printed)."""
    gc_callbacks = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename in WEAKREF_FILES:
            return True
        if code in gc_callbacks:
            return True
        frame = frame.f_back
    return False


def _call_in_child_process(render: Callable[[], bytes], seconds: float) -> bytes:
    # "fork": the child starts at once with Django and WeasyPrint loaded (a fresh interpreter
    # takes seconds to import WeasyPrint) and shares nothing with the parent but memory pages.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_render_in_child, args=(render, sender), name="pdf-render", daemon=True
    )
    deadline = time.monotonic() + seconds
    child.start()
    sender.close()
    try:
        if not receiver.poll(max(deadline - time.monotonic(), 0)):
            child.kill()
            raise PdfTimeout(timeout_message(seconds))
        try:
            outcome, value = receiver.recv()
        except EOFError:
            # The child died without an answer (killed, out of memory).
            raise PdfRenderError("Le rendu du document PDF s'est interrompu.") from None
    finally:
        receiver.close()
        child.join(CHILD_EXIT_SECONDS)
        if child.is_alive():
            child.kill()
            child.join()
    if outcome == "error":
        raise PdfRenderError(value)
    return value


def _render_in_child(render: Callable[[], bytes], sender: Connection) -> None:
    try:
        outcome = ("done", render())
    except PdfRenderError as error:
        outcome = ("error", str(error))
    except Exception:
        logger.exception("PDF rendering failed in its child process")
        outcome = ("error", "Le document PDF n'a pas pu être produit.")
    sender.send(outcome)
    sender.close()
