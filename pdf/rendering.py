"""HTML to PDF bytes through WeasyPrint, with the locked-down fetcher and a time limit."""

from __future__ import annotations

import functools
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import weasyprint
from django.core.exceptions import ImproperlyConfigured
from django.template import loader
from weasyprint.pdf import VARIANTS
from weasyprint.text.fonts import FontConfiguration

from pdf.errors import PdfRenderError
from pdf.fetcher import LockedDownFetcher
from pdf.time_limit import call_with_time_limit

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
# The values of AFRelationship in ISO 32000-2 (written into the PDF as a name, so no others).
ATTACHMENT_RELATIONSHIPS = frozenset(
    (
        "Source",
        "Data",
        "Alternative",
        "Supplement",
        "EncryptedPayload",
        "FormData",
        "Schema",
        "Unspecified",
    )
)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (an invoice's Factur-X XML), given as bytes.

    WeasyPrint's own ``Attachment`` can be written once only and may read a file or a URL; this
    one is plain data, turned into a fresh WeasyPrint attachment at each rendering. The media
    type recorded in the PDF is guessed from ``name``'s extension."""

    name: str
    content: bytes
    description: str | None = None
    relationship: str = "Unspecified"  # AFRelationship: "Data" for the Factur-X XML

    def __post_init__(self) -> None:
        if not isinstance(self.content, bytes):
            raise TypeError(f"attachment {self.name!r}: content must be bytes")
        if not self.name or "/" in self.name or "\\" in self.name:
            raise ValueError(f"attachment name {self.name!r}: a plain file name")
        if self.relationship not in ATTACHMENT_RELATIONSHIPS:
            raise ValueError(
                f"attachment {self.name!r}: relationship {self.relationship!r} is not one of "
                f"{sorted(ATTACHMENT_RELATIONSHIPS)}"
            )


def render_pdf(
    html: str,
    *,
    images: Mapping[str, bytes] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    pdf_variant: str | None = None,
    attachments: Sequence[PdfAttachment] | None = None,
) -> bytes:
    """The PDF of ``html``, as bytes.

    The document may load the project's static files (``static:css/pdf.css``) and the images
    given in ``images`` by name (``image:logo`` for ``images={"logo": png_bytes}``; PNG, JPEG,
    GIF or WebP); any other resource is refused, logged and left out. ``pdf_variant`` is passed
    to WeasyPrint (``"pdf/a-3b"`` for an invoice), ``attachments`` are embedded in the PDF.

    Raises ``PdfTimeout`` after ``timeout`` seconds, ``PdfRenderError`` when WeasyPrint fails
    (both with a French message), ``ValueError`` or ``TypeError`` for bad arguments.
    """
    if not isinstance(timeout, int | float) or not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if pdf_variant is not None and pdf_variant not in VARIANTS:
        raise ValueError(
            f"unknown PDF variant {pdf_variant!r}; WeasyPrint knows {sorted(VARIANTS)}"
        )
    attachments = tuple(attachments or ())
    for attachment in attachments:
        if not isinstance(attachment, PdfAttachment):
            raise TypeError(f"attachments are PdfAttachment objects, not {type(attachment)}")
    fetcher = LockedDownFetcher(images)  # checks the images

    def write() -> bytes:
        return _write_pdf(html, fetcher, pdf_variant, attachments)

    return call_with_time_limit(write, seconds=float(timeout))


def render_pdf_template(
    template_name: str,
    context: Mapping[str, Any],
    *,
    images: Mapping[str, bytes] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    pdf_variant: str | None = None,
    attachments: Sequence[PdfAttachment] | None = None,
) -> bytes:
    """The PDF of a Django template rendered with ``context``, its values escaped.

    The template also receives ``pdf_images``, the names of the images given (the base template
    shows the firm's logo when ``"logo"`` is among them). Arguments as for ``render_pdf``.
    """
    template = loader.get_template(template_name)
    engine = getattr(getattr(template, "backend", None), "engine", None)
    if not getattr(engine, "autoescape", False):
        raise ImproperlyConfigured(
            f"{template_name}: PDF templates need a Django template engine with autoescape on"
        )
    html = template.render({**context, "pdf_images": frozenset(images or ())})
    return render_pdf(
        html, images=images, timeout=timeout, pdf_variant=pdf_variant, attachments=attachments
    )


@functools.cache
def _font_config() -> FontConfiguration:
    """One font configuration per process: building it costs about a third of a short document's
    rendering (fontconfig's set-up), and it holds nothing of a document."""
    return FontConfiguration()


def _write_pdf(
    html: str,
    fetcher: LockedDownFetcher,
    pdf_variant: str | None,
    attachments: tuple[PdfAttachment, ...],
) -> bytes:
    try:
        document = weasyprint.HTML(string=html, url_fetcher=fetcher)
        with warnings.catch_warnings():
            # WeasyPrint 70 reads its sRGB profile (PDF/A) from a file it leaves to the garbage
            # collector, which closes it at once: that one warning is noise.
            warnings.filterwarnings(
                "ignore", r"unclosed file .*sRGB2014\.icc", category=ResourceWarning
            )
            return document.write_pdf(
                pdf_variant=pdf_variant,
                font_config=_font_config(),
                attachments=[
                    weasyprint.Attachment(
                        string=attachment.content,
                        url_fetcher=fetcher,
                        name=attachment.name,
                        description=attachment.description,
                        relationship=attachment.relationship,
                    )
                    for attachment in attachments
                ],
            )
    except Exception as error:
        logger.exception("WeasyPrint could not render a PDF")
        raise PdfRenderError("Le document PDF n'a pas pu être produit.") from error
