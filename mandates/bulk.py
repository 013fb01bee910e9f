"""The mandates' bulk action on a client list: a batch generated, then exported for
JeSignExpert (clients.bulk)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from clients.bulk import BulkAction, BulkOutcome
from firms.models import Firm, Role, User
from jobs.services import start_job
from mandates.jobs import BATCH_JOB_KIND
from mandates.models import MandateKind


class BatchForm(forms.Form):
    mandate_kind = forms.ChoiceField(choices=MandateKind.choices, initial=MandateKind.DELEGATION)

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        super().__init__(*args, **kwargs)


def generate_batch(
    *, firm: Firm, user: User, client_ids: Sequence[int], options: dict
) -> BulkOutcome:
    job = start_job(
        firm=firm,
        kind=BATCH_JOB_KIND,
        requested_by=user,
        params={"client_ids": list(client_ids), "kind": options["mandate_kind"]},
    )
    message = ngettext(
        "Génération du mandat de %(count)s client lancée.",
        "Génération des mandats de %(count)s clients lancée.",
        len(client_ids),
    ) % {"count": len(client_ids)}
    return BulkOutcome(message, redirect_to=reverse("mandate_batch", args=[firm.slug, job.pk]))


GENERATE = BulkAction(
    name="mandates",
    label=gettext_lazy("Générer les mandats"),
    roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
    run=generate_batch,
    form=BatchForm,
    fields_template="mandates/partials/bulk_fields.html",
    confirm=gettext_lazy("Générer les mandats de ces clients et préparer l'export JeSignExpert ?"),
    order=20,
)
