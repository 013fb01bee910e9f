"""Merge fields of the e-mail texts a firm writes: ``{client}``, ``{numero}``…

A template is plain text. A keyword is a name between braces; ``{{`` and ``}}`` stand for a
literal brace. :func:`render_template` gives plain text (the subject, the text part: no HTML
entity anywhere); :func:`render_template_html` gives the HTML part, every character of the
text and of the values escaped, paragraphs (separated by a blank line) in ``<p>``, other line
breaks as ``<br>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """("text", literal) and ("key", name) pieces, and ("stray", brace) for a lone brace."""
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            yield "text", token[0]
        elif match.group(1) is not None:
            yield "key", match.group(1).strip()
        else:
            yield "stray", token
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def template_keys(text: str) -> list[str]:
    """The keywords a template uses, each once, in order."""
    return list(dict.fromkeys(value for kind, value in _tokens(text) if kind == "key"))


def validate_template(text: str, allowed_keys: Iterable[str]) -> list[str]:
    """The keywords of the template that are not allowed, each once, in order."""
    allowed = set(allowed_keys)
    return [key for key in template_keys(text) if key not in allowed]


def has_stray_brace(text: str) -> bool:
    return any(kind == "stray" for kind, _ in _tokens(text))


def check_template(text: str, allowed_keys: Iterable[str]) -> None:
    """Raise a ValidationError in French naming the unknown keywords and the possible ones, or
    a lone brace (a form's clean method calls it)."""
    allowed = list(allowed_keys)
    errors = []
    unknown = validate_template(text, allowed)
    if unknown:
        errors.append(
            ngettext(
                "Mot-clé inconnu : %(unknown)s. Mots-clés possibles : %(allowed)s.",
                "Mots-clés inconnus : %(unknown)s. Mots-clés possibles : %(allowed)s.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(f"{{{key}}}" for key in unknown),
                "allowed": ", ".join(f"{{{key}}}" for key in allowed) or "—",
            }
        )
    if has_stray_brace(text):
        errors.append(
            gettext(
                "Accolade seule dans le texte : un mot-clé s'écrit {client}, et une accolade "
                "seule s'écrit {{ ou }}."
            )
        )
    if errors:
        raise ValidationError(errors)


def render_template(text: str, values: Mapping[str, object]) -> str:
    """The template with its keywords replaced by the values, as plain text. An unknown keyword
    is a programming error (validate the template when it is saved): ValueError. A lone
    brace stays as it is."""
    unknown = [key for key in template_keys(text) if key not in values]
    if unknown:
        raise ValueError(f"no value for the keywords {unknown}")
    pieces = []
    for kind, value in _tokens(text):
        if kind == "key":
            replacement = values[value]
            pieces.append("" if replacement is None else str(replacement))
        else:
            pieces.append(value)
    return "".join(pieces)


def text_to_html(text: str) -> SafeString:
    """Plain text as HTML: escaped, paragraphs in <p>, other line breaks as <br>."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return mark_safe("")
    paragraphs = [
        "<p>" + "<br>\n".join(escape(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in _PARAGRAPH_BREAK.split(text)
    ]
    return mark_safe("\n".join(paragraphs))  # noqa: S308 - every piece is escaped above


def render_template_html(text: str, values: Mapping[str, object]) -> SafeString:
    """The HTML version of :func:`render_template`: the template and the values escaped."""
    return text_to_html(render_template(text, values))
