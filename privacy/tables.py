"""Every table that holds a firm's data, found from the models rather than listed by hand, so
that a table added tomorrow is exported and erased with the others."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import models

from firms.tenancy import tenant_models


def firm_tables() -> list[type[models.Model]]:
    """The tenant models, in a stable order (app, then model name)."""
    return sorted(tenant_models(), key=lambda model: model._meta.label_lower)


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def stored_files(model: type[models.Model], firm_id: int) -> Iterator[str]:
    """The storage names of the files the firm's rows of this table point to."""
    fields = file_fields(model)
    if not fields:
        return
    names = model.objects.filter(firm_id=firm_id).values_list(*[f.name for f in fields])
    for row in names.iterator(chunk_size=2000):
        yield from (name for name in row if name)
