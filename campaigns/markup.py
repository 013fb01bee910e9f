"""The campaign's text, as the firm writes it (a little Markdown), as e-mail parts.

Plain text with: paragraphs separated by a blank line, list items starting with "- " or "* ",
**bold** and web addresses (made links). :func:`to_text` gives the plain-text part (the stars
of the bold dropped); :func:`to_html` the HTML part, every character of the text escaped
before the few tags are added. Pure functions.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LIST_ITEM = re.compile(r"^\s*[-*]\s+")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# A web address up to a space, angle bracket or quote, its final punctuation left out.
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def to_text(text: str) -> str:
    """The plain-text part: the text as written, without the stars of the bold."""
    return _BOLD.sub(r"\1", _normalised(text))


def _inline(line: str) -> str:
    """One line as HTML: the web addresses of the raw text made links, every piece escaped,
    then the bold."""
    pieces, position = [], 0
    for match in _URL.finditer(line):
        pieces.append(escape(line[position : match.start()]))
        address = escape(match.group(0))
        pieces.append(f'<a href="{address}">{address}</a>')
        position = match.end()
    pieces.append(escape(line[position:]))
    return _BOLD.sub(r"<strong>\1</strong>", "".join(pieces))


def to_html(text: str) -> SafeString:
    """The HTML part: paragraphs in <p>, list items in <ul>, other line breaks as <br>."""
    text = _normalised(text)
    if not text:
        return mark_safe("")
    blocks = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        lines = paragraph.split("\n")
        pieces: list[str] = []
        items: list[str] = []
        for line in lines:
            if _LIST_ITEM.match(line):
                items.append(_inline(_LIST_ITEM.sub("", line, count=1)))
                continue
            if items:
                pieces.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
                items = []
            pieces.append(_inline(line))
        if items:
            pieces.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        blocks.append(_join(pieces))
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece is escaped in _inline


def _join(pieces: list[str]) -> str:
    """Lines of one paragraph: text lines in one <p> with <br>, lists between them."""
    html, lines = [], []
    for piece in pieces:
        if piece.startswith("<ul>"):
            if lines:
                html.append("<p>" + "<br>\n".join(lines) + "</p>")
                lines = []
            html.append(piece)
        else:
            lines.append(piece)
    if lines:
        html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(html)
