"""Where a firm's generated documents are stored."""

from __future__ import annotations

from pathlib import PurePath

from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename


@deconstructible
class FirmFolder:
    """``upload_to`` of a tenant model's file: ``<prefix>/<firm id>/<year>/<month>/<name>``.

    Documents are named after numbers that every firm has (F-2026-0001.pdf, a client's SIREN):
    in a folder per firm, one firm's file never takes another's name and gets a random suffix.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        name = get_valid_filename(PurePath(filename).name) or "document"
        return f"{self.prefix}/{instance.firm_id}/{timezone.now():%Y/%m}/{name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FirmFolder) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)
