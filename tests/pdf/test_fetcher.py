"""The locked-down URL fetcher: static files and the caller's images, nothing else."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from pdf.fetcher import LockedDownFetcher, ResourceRefused, check_images


def png(width: int = 4, height: int = 4, color: str = "#1f4fd1") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def fetcher() -> LockedDownFetcher:
    return LockedDownFetcher({"logo": png()})


def test_a_static_style_sheet_is_served(fetcher):
    response = fetcher.fetch("static:css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_a_static_image_is_served(fetcher):
    response = fetcher.fetch("static:img/favicon.svg")
    assert response.content_type == "image/svg+xml"
    assert b"<svg" in response.read()


def test_the_callers_image_is_served(fetcher):
    response = fetcher("image:logo")  # WeasyPrint calls the fetcher itself
    assert response.content_type == "image/png"
    assert response.read() == png()


@pytest.mark.parametrize(
    "url",
    [
        # Out of the static directories, however written.
        "static:../config/settings.py",
        "static:css/../../config/settings.py",
        "static:css/../pdf.css",
        "static:./css/pdf.css",
        "static:/etc/passwd",
        "static://etc/passwd",
        "static:css//pdf.css",
        "static:%2e%2e/config/settings.py",
        "static:css/%2e%2e/%2e%2e/manage.py",
        "static:css\\..\\..\\manage.py",
        "static:css/pdf.css?v=1",
        "static:css/.hidden.css",
        "static:",
        # Not a style sheet, image or font; a folder; a file that is not there.
        "static:js/app.js",
        "static:css",
        "static:css/missing.css",
        # Images: only those given, by plain name.
        "image:missing",
        "image:../logo",
        "image:",
        # Every other scheme, whatever the case.
        "http://127.0.0.1:8000/static/css/app.css",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "ftp://example.org/logo.png",
        "data:image/png;base64," + base64.b64encode(png()).decode(),
        "data:text/css,p{color:red}",
        "javascript:alert(1)",
        "about:blank",
        # Relative URLs (WeasyPrint resolves them against no base).
        "css/pdf.css",
        "//example.org/logo.png",
    ],
)
def test_anything_else_is_refused_and_logged(fetcher, url, caplog):
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)
    assert [record.name for record in caplog.records] == ["pdf.fetcher"]
    assert caplog.records[0].levelname == "WARNING"
    assert "PDF resource refused" in caplog.records[0].getMessage()


def test_a_huge_data_url_is_logged_shortened(fetcher, caplog):
    with pytest.raises(ResourceRefused):
        fetcher.fetch("data:image/png;base64," + "A" * 5_000_000)
    assert len(caplog.records[0].getMessage()) < 400


def test_urllibs_opener_is_closed(fetcher):
    """WeasyPrint's fetcher is a urllib opener; ours never opens anything through it."""
    with pytest.raises(ResourceRefused):
        fetcher.open("file:///etc/passwd")


@pytest.mark.parametrize(
    "images",
    [
        {"../logo": png()},
        {"logo 2": png()},
        {"": png()},
        {"logo": b"not an image"},
        {
            "logo": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'
        },
        {"logo": "iVBORw0KGgo="},
    ],
)
def test_the_callers_images_are_checked(images):
    with pytest.raises(ValueError):
        check_images(images)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP"])
def test_raster_images_are_taken(image_format):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, image_format)
    [(media_type, _)] = check_images({"logo": buffer.getvalue()}).values()
    assert media_type == f"image/{image_format.lower()}"
