"""The web process's warm-up (config/wsgi.py): every template of the project compiled before
the first request, then the heap frozen so that a full collection no longer walks it."""

from __future__ import annotations

import gc
import importlib

import pytest
from django.conf import settings

from config.warmup import warm_up


@pytest.fixture
def thawed():
    """The test process's heap as it was: unfrozen after the test."""
    yield
    gc.unfreeze()


def test_every_template_is_compiled_and_the_heap_frozen(thawed):
    templates = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
    assert len(templates) > 100
    assert warm_up() == len(templates)
    assert gc.get_freeze_count() > 50_000  # the application's modules, views and templates
    # A full collection now walks only what is left unfrozen (the test's own objects): a small
    # part of the heap a collection walked before.
    gc.collect()
    assert len(gc.get_objects()) < gc.get_freeze_count() / 10


def test_the_wsgi_entry_point_warms_up(thawed):
    gc.unfreeze()
    import config.wsgi

    importlib.reload(config.wsgi)
    assert gc.get_freeze_count() > 50_000
