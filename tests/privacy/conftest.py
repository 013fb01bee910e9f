from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_worker(no_worker):
    """These tests run their jobs and keep their e-mails themselves (tests/conftest.py)."""
