"""Production settings pass Django's deployment checklist; bad values stop the start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "pilote.example.fr",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' allowance is not part of a production environment.
    base = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_checklist_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_is_an_error_not_a_guess():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def _placeholder_secret_key() -> str:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("SECRET_KEY="))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(_placeholder_secret_key(), id="the placeholder of .env.example"),
        pytest.param("k3y-" * 12, id="48 characters"),
        pytest.param("django-insecure-" + "0123456789abcdef" * 3, id="django-insecure-"),
        pytest.param("ab" * 30, id="too few different characters"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(key):
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is a placeholder or too weak" in result.stderr


def test_a_short_secret_key_is_fine_while_debugging():
    result = _manage("check", DEBUG="true", SECRET_KEY="short")
    assert result.returncode == 0, result.stderr
