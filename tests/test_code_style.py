"""Code style and structure are part of the suite: ruff (lint and format), the layers of the
apps, no view imported across apps."""

import subprocess
import sys
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_is_clean():
    result = _ruff("check", "--quiet", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _ruff("format", "--check", "--quiet", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_apps_keep_their_layers():
    """import-linter's contracts (pyproject.toml): a lower app never imports a higher one, not
    even inside a function, and the apps of one layer do not import each other."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# The project's own apps: those whose package lives in this repository.
APPS = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}


def test_no_app_imports_another_apps_views():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                words = line.split()
                if len(words) < 2 or words[0] not in {"from", "import"}:
                    continue
                module = words[1].split(".")
                if module[0] not in APPS or module[0] == app:
                    continue
                if "views" in module[1:] or (words[0] == "from" and "views" in words[3:4]):
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []
