"""Every PDF of the project renders here, through one locked-down path.

``render_pdf(html, *, images=None, timeout=20.0, pdf_variant=None, attachments=None)`` turns
HTML into PDF bytes with WeasyPrint; ``render_pdf_template(template_name, context, …)`` renders
a Django template first (autoescape on: the context's values are text, never markup). Documents
extend ``templates/pdf/base.html`` and its style sheet ``static/css/pdf.css``.

What a document may load (``fetcher``): the project's static files as ``static:css/pdf.css`` or
``static:img/…``, and the images the caller hands over in memory as ``image:<name>``
(``image:logo``). Everything else (``http(s):``, ``file:``, ``data:`` of any size, any other
scheme, relative URLs) is refused, logged on ``pdf.fetcher`` and left out: rendering never
touches the network, nor the file system outside the static directories.

Every document has a time limit, ``timeout`` seconds (``time_limit``): an alarm signal in the
main thread, a forked child process killed when time is up anywhere else. Going past it raises
``PdfTimeout``, any other failure ``PdfRenderError``, both with a French message.

Measured on the shared 2-core development machine, the process warm: a one-page mandate on the
base template, with a logo and a short table, renders in about 70 ms in the main thread and
95 ms from another thread (the fork included); the first rendering of a process takes about
0.55 s (fonts, style sheets). Tables cost the most: 60 rows take about 0.3 s, 300 rows 1.3 s,
1,000 rows 3.5 s.
"""

from pdf.errors import PdfRenderError, PdfTimeout
from pdf.rendering import PdfAttachment, render_pdf, render_pdf_template

__all__ = ["PdfAttachment", "PdfRenderError", "PdfTimeout", "render_pdf", "render_pdf_template"]
