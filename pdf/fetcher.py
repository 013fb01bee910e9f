"""The only way a document reaches a resource: WeasyPrint's URL fetcher, locked down.

A document may load two kinds of resources, and nothing else:

- ``static:<path>``: a file of the project's static directories (``static:css/pdf.css``,
  ``static:img/…``), found by Django's staticfiles finders. The path is made of plain segments
  (letters, digits, ``.``, ``-``, ``_``; none empty, none starting with a dot, so no ``..``, no
  absolute path, no percent-encoding) and ends with a known extension (style sheet, image, font).
- ``image:<name>``: one of the images the caller handed over in memory (``image:logo``).

``http``, ``https``, ``file``, ``ftp``, ``data`` and every other scheme are refused, as are
relative URLs: the fetcher raises, WeasyPrint logs and skips the resource, and the fetcher logs
the refusal on the ``pdf.fetcher`` logger. ``data:`` URLs are refused whatever their size, so an
image reaches a PDF in one way only, ``images=``, where its type is checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_PATH = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
IMAGE_NAME = re.compile(r"[A-Za-z0-9_-]+")

# The static files a document may load, by extension, with the type WeasyPrint is told.
STATIC_MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}

# Longest URL written to the log: a refused data: URL can weigh megabytes.
LOGGED_URL_LENGTH = 200


class ResourceRefused(ValueError):
    """A document asked for a resource it may not load."""


def image_media_type(content: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image, from its first bytes; None otherwise.

    Only raster images are taken from callers: an SVG could ask for resources of its own."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_images(images: Mapping[str, bytes]) -> dict[str, tuple[str, bytes]]:
    """The caller's images by name, with their media type; a bad name or content is refused."""
    checked = {}
    for name, content in images.items():
        if not isinstance(name, str) or not IMAGE_NAME.fullmatch(name):
            raise ValueError(f"image name {name!r}: use letters, digits, '-' and '_' only")
        media_type = image_media_type(content) if isinstance(content, bytes) else None
        if media_type is None:
            raise ValueError(f"image {name!r} is not a PNG, JPEG, GIF or WebP image")
        checked[name] = (media_type, content)
    return checked


class LockedDownFetcher(URLFetcher):
    """Serves ``static:`` files and the caller's ``image:`` images; refuses everything else."""

    def __init__(self, images: Mapping[str, bytes] | None = None) -> None:
        # No protocol allowed: should anything reach urllib's opener behind our back, it refuses.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self._images = check_images(images or {})

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        try:
            media_type, content = self._resolve(url)
        except ResourceRefused as refusal:
            shown = url if len(url) <= LOGGED_URL_LENGTH else url[:LOGGED_URL_LENGTH] + "…"
            logger.warning("PDF resource refused: %s (%s)", shown, refusal)
            raise
        return URLFetcherResponse(url, content, headers={"Content-Type": media_type})

    def open(self, url, data=None, timeout=None):  # urllib's entry point: never used
        raise ResourceRefused("the urllib opener is disabled")

    def _resolve(self, url: str) -> tuple[str, bytes]:
        scheme, colon, rest = url.partition(":")
        scheme = scheme.lower()
        if not colon:
            raise ResourceRefused("a relative URL")
        if scheme == "static":
            return self._static_file(rest)
        if scheme == "image":
            return self._image(rest)
        if scheme == "data":
            raise ResourceRefused("data: URLs are refused; pass images in images=")
        raise ResourceRefused(f"the {scheme}: scheme is not allowed")

    def _static_file(self, path: str) -> tuple[str, bytes]:
        if not STATIC_PATH.fullmatch(path):
            raise ResourceRefused("not a plain path inside the static directories")
        media_type = STATIC_MEDIA_TYPES.get(Path(path).suffix.lower())
        if media_type is None:
            raise ResourceRefused("not a style sheet, image or font")
        found = finders.find(path)
        if not isinstance(found, str) or not Path(found).is_file():
            raise ResourceRefused("no such static file")
        return media_type, Path(found).read_bytes()

    def _image(self, name: str) -> tuple[str, bytes]:
        if name not in self._images:
            raise ResourceRefused("no image of that name was given")
        return self._images[name]
