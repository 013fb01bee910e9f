"""The texts of the mandates: the default French ones, and turning a firm's text with its merge
fields into safe HTML.

A firm edits its text as plain text: paragraphs separated by a blank line, lines starting with
"- " as a list, **bold**, and merge fields such as {{ client.raison_sociale }}. Values are escaped;
nothing else of HTML or of the template language is read, so a text cannot reach anything but the
merge fields below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mandates.models import MandateKind

# Merge field → what it shows (filled by mandates.services.merge_values).
MERGE_FIELDS: dict[str, str] = {
    "client.raison_sociale": "la raison sociale du client",
    "client.siren": "le SIREN du client",
    "client.adresse": "l'adresse du client",
    "client.representant": "le représentant légal (civilité, prénom, nom)",
    "cabinet.raison_sociale": "la raison sociale du cabinet",
    "cabinet.siren": "le SIREN du cabinet",
    "cabinet.adresse": "l'adresse du cabinet",
    "pa": "la plateforme agréée choisie (ou « à choisir »)",
    "date": "la date du mandat, en toutes lettres",
    "lieu": "le lieu de signature (réglages des mandats)",
    "reference": "la référence du mandat",
}
MERGE_FIELD = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
BOLD = re.compile(r"\*\*(.+?)\*\*")

DATA = Path(__file__).resolve().parent / "data"


def _default_text(kind: str) -> tuple[str, str]:
    """(title, body) of ``data/<kind>.txt``: the title on the first line, then the body."""
    title, _, body = (DATA / f"{kind}.txt").read_text(encoding="utf-8").partition("\n\n")
    return title.strip(), body.strip()


# The default French texts, one file a kind (plain text with merge fields).
DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    kind: _default_text(kind) for kind in MandateKind.values
}


def unknown_merge_fields(body: str) -> list[str]:
    """The merge fields of a text that do not exist, to refuse it with their names."""
    return sorted({name for name in MERGE_FIELD.findall(body) if name not in MERGE_FIELDS})


def text_to_html(body: str, values: Mapping[str, str]) -> SafeString:
    """A firm's text as HTML: escaped, merge fields filled (escaped too), paragraphs, lists and
    bold. An unknown merge field is left as typed."""
    blocks = [block for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if block.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.strip().split("\n")]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:], values)}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{'<br>'.join(_inline(line, values) for line in lines)}</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every piece is escaped in _inline


def _inline(line: str, values: Mapping[str, str]) -> str:
    text = escape(line)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return escape(values[name]) if name in values else match.group(0)

    # Bold before the merge fields, so that a value's own asterisks stay as they are.
    text = BOLD.sub(r"<strong>\1</strong>", text)
    return MERGE_FIELD.sub(fill, text)
