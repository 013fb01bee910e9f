"""Whole documents that ask for the network, the file system or inline data get nothing.

A real HTTP server on 127.0.0.1 records every request: WeasyPrint's own fetcher does reach it
from each of these documents (the control test), ours never does.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import weasyprint

from pdf import render_pdf
from tests.pdf.poppler import image_count, text_of
from tests.pdf.test_fetcher import png


@dataclass
class RecordingServer:
    base: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    """An HTTP server that answers every GET with a small style sheet or PNG, and records it."""
    recorded: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorded.append(self.path)
            if self.path.endswith(".css"):
                body, media_type = b"p { color: red }", "text/css"
            else:
                body, media_type = png(), "image/png"
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    http_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    host, port = http_server.server_address[:2]
    yield RecordingServer(base=f"http://{host}:{port}", paths=recorded)
    http_server.shutdown()
    http_server.server_close()
    thread.join()


# Each document asks for {base}/<its name>…, by one of the ways HTML and CSS load a resource.
DOCUMENTS = {
    "link-stylesheet": '<link rel="stylesheet" href="{base}/link-stylesheet.css"><p>x</p>',
    "style-import": '<style>@import url("{base}/style-import.css");</style><p>x</p>',
    "css-background": "<style>p {{ background: url({base}/css-background.png) }}</style><p>x</p>",
    "style-attribute-background": (
        "<div style=\"background-image: url('{base}/style-attribute-background.png'); "
        'width: 10mm; height: 10mm"></div>'
    ),
    "list-style-image": (
        '<ul style="list-style-image: url({base}/list-style-image.png)"><li>x</li></ul>'
    ),
    "font-face": (
        "<style>@font-face {{ font-family: Distant; src: url({base}/font-face.woff2) }}"
        " p {{ font-family: Distant }}</style><p>x</p>"
    ),
    "img": '<img src="{base}/img.png">',
    "img-srcset-base": '<base href="{base}/"><img src="base-relative.png">',
    "object": '<object data="{base}/object.png" type="image/png"></object>',
    "embed": '<embed src="{base}/embed.png" type="image/png">',
    "svg-image": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<image href="{base}/svg-image.png" width="20" height="20"/></svg>'
    ),
    "link-attachment": '<link rel="attachment" href="{base}/link-attachment.xml"><p>x</p>',
    "iframe": '<iframe src="{base}/iframe.html"></iframe><p>x</p>',
}
# WeasyPrint never loads frames, even with its own fetcher; ours is not asked either.
NEVER_LOADED = {"iframe"}


@pytest.mark.parametrize("name", sorted(set(DOCUMENTS) - NEVER_LOADED))
def test_control_weasyprints_own_fetcher_does_reach_the_server(name, server):
    weasyprint.HTML(string=DOCUMENTS[name].format(base=server.base)).write_pdf()
    assert server.paths, "this document does not load anything: it proves nothing below"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_request_leaves(name, server, caplog):
    pdf = render_pdf(DOCUMENTS[name].format(base=server.base))
    assert pdf.startswith(b"%PDF-")
    assert server.paths == []
    refusals = [r.getMessage() for r in caplog.records if r.name == "pdf.fetcher"]
    if name in NEVER_LOADED:
        assert refusals == []
    else:
        assert len(refusals) == 1
        assert f"PDF resource refused: {server.base}/" in refusals[0]


def test_no_request_leaves_from_another_thread(server):
    """In a thread the rendering happens in a forked child: the same fetcher, the same refusals."""
    html = DOCUMENTS["img"].format(base=server.base) + DOCUMENTS["style-import"].format(
        base=server.base
    )
    outcome: list[bytes] = []
    thread = threading.Thread(target=lambda: outcome.append(render_pdf(html)))
    thread.start()
    thread.join()
    assert outcome[0].startswith(b"%PDF-")
    assert image_count(outcome[0]) == 0
    assert server.paths == []


def test_no_file_is_read(tmp_path, caplog):
    picture = tmp_path / "picture.png"
    picture.write_bytes(png())
    html = (
        f'<img src="file://{picture}">'
        '<img src="file:///etc/passwd">'
        "<style>@import url(file:///etc/passwd);</style>"
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<object data="file:///etc/hosts" type="image/png"></object>'
        "<p>x</p>"
    )
    assert image_count(weasyprint.HTML(string=html).write_pdf()) == 1  # control
    caplog.clear()

    pdf = render_pdf(html)

    assert image_count(pdf) == 0
    assert "root:" not in text_of(pdf)
    refused = [r.getMessage() for r in caplog.records if r.name == "pdf.fetcher"]
    refused_urls = sorted(message.split()[3] for message in refused)
    # /etc/passwd three times: as an image, an imported and a linked style sheet.
    assert refused_urls == sorted(
        [f"file://{picture}", "file:///etc/hosts", *["file:///etc/passwd"] * 3]
    )


def test_data_urls_are_refused_whatever_their_size(caplog):
    small = base64.b64encode(png()).decode()
    html = f'<img src="data:image/png;base64,{small}"><p>x</p>'
    assert image_count(weasyprint.HTML(string=html).write_pdf()) == 1  # control

    assert image_count(render_pdf(html)) == 0
    assert "data: URLs are refused" in caplog.text


def test_static_files_and_given_images_are_loaded(caplog):
    html = (
        '<html lang="fr"><link rel="stylesheet" href="static:css/pdf.css">'
        '<img src="image:logo"><img src="static:img/favicon.svg"><p>Bonjour</p></html>'
    )
    pdf = render_pdf(html, images={"logo": png(40, 20)})
    assert image_count(pdf) == 1  # the PNG (the SVG is drawn as vectors)
    assert "Page 1 / 1" in text_of(pdf)  # the footer of pdf.css
    assert [r for r in caplog.records if r.name == "pdf.fetcher"] == []
