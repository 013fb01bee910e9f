"""A web process made ready before its first request, its long-lived objects out of the garbage
collector's reach.

A full collection walks every object the process tracks: with the application loaded and its
templates compiled, some 180,000, about 120 ms of CPU on the 2-core reference machine, paid by
whichever request happens to trigger it. ``warm_up`` loads what the first requests would load
(the URL patterns with their views, every template of the project compiled by the cached
loader), then freezes what is alive (``gc.freeze``): later collections walk only what requests
create.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.template import engines
from django.urls import get_resolver


def warm_up() -> int:
    """Load the URL patterns and compile every template of the project, then freeze the heap.
    Returns the number of templates compiled."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    engine = engines["django"]
    compiled = 0
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(directory.rglob("*.html")):
            engine.get_template(path.relative_to(directory).as_posix())
            compiled += 1
    gc.collect()
    gc.freeze()
    return compiled
