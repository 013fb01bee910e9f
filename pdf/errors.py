"""What a failed rendering raises; the messages are French, fit to show in a job's error."""


class PdfRenderError(Exception):
    """The PDF could not be produced."""


class PdfTimeout(PdfRenderError):
    """The rendering went past its time limit and was stopped."""
