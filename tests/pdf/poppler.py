"""Read the PDFs under test with poppler-utils (Debian package), as a person would see them."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.services import in_ci

DOCUMENT = "document.pdf"  # where the command line takes the PDF


def _run(*command: str, pdf: bytes) -> str:
    if shutil.which(command[0]) is None:
        message = f"{command[0]} is not installed here (Debian package poppler-utils)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(f"SKIPPED FOR A MISSING TOOL: {message}")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / DOCUMENT).write_bytes(pdf)
        result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=folder)
    return result.stdout


def text_of(pdf: bytes) -> str:
    """The text of the PDF, its white space collapsed (pdftotext breaks lines as laid out)."""
    return " ".join(_run("pdftotext", "-enc", "UTF-8", DOCUMENT, "-", pdf=pdf).split())


def image_count(pdf: bytes) -> int:
    """How many raster images the PDF draws (pdfimages -list: two header lines, then one line
    per image)."""
    return len(_run("pdfimages", "-list", DOCUMENT, pdf=pdf).splitlines()[2:])


def info_of(pdf: bytes, *options: str) -> str:
    """What pdfinfo says of the PDF ("Title: …", "Pages: 1", with ``-meta`` the XMP metadata),
    its white space collapsed."""
    return " ".join(_run("pdfinfo", *options, DOCUMENT, pdf=pdf).split())


def attachment_names(pdf: bytes) -> list[str]:
    """The files embedded in the PDF (pdfdetach -list: "N embedded files", then "1: name")."""
    lines = _run("pdfdetach", "-list", DOCUMENT, pdf=pdf).splitlines()[1:]
    return [line.split(": ", 1)[1] for line in lines]


def save_as_png(pdf: bytes, prefix: Path, *, resolution: int = 80) -> list[Path]:
    """Each page as a PNG, ``prefix-1.png`` and on, to look at."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    _run("pdftoppm", "-png", "-r", str(resolution), DOCUMENT, str(prefix.resolve()), pdf=pdf)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))
