"""The export's bulk action on the client lists (Clients, Cartographie FE): the checked rows or
the whole filtered set, as Excel or CSV."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from clients.bulk import BulkAction, BulkOutcome
from exports import services
from exports.reading import Source
from firms.access import SUPERVISION_ROLES
from firms.models import Firm, User


class ExportFormatForm(forms.Form):
    export_format = forms.ChoiceField(
        choices=list(services.FORMATS.items()),
        initial=services.DEFAULT_FORMAT,
        error_messages={"invalid_choice": gettext_lazy("Choisissez le format Excel ou CSV.")},
    )

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        super().__init__(*args, **kwargs)


def export_selection(
    *, firm: Firm, user: User, client_ids: Sequence[int], options: dict
) -> BulkOutcome:
    job = services.start_export(
        firm=firm,
        user=user,
        export_format=options["export_format"],
        source=Source.SELECTION,
        client_ids=sorted(client_ids),
    )
    message = ngettext(
        "Export de %(count)s client lancé.",
        "Export de %(count)s clients lancé.",
        len(client_ids),
    ) % {"count": len(client_ids)}
    return BulkOutcome(message, redirect_to=reverse("job_detail", args=[firm.slug, job.pk]))


EXPORT = BulkAction(
    name="export",
    label=gettext_lazy("Exporter"),
    roles=frozenset(SUPERVISION_ROLES),
    run=export_selection,
    form=ExportFormatForm,
    fields_template="exports/partials/bulk_fields.html",
    order=30,
)
