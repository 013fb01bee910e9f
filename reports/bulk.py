"""The reports' bulk action on a client list (clients.bulk): one job for the checked clients or
the whole filtered set, ending with a ZIP of their reports."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from clients.bulk import BulkAction, BulkOutcome
from firms.models import Firm, Role, User
from jobs.services import start_job
from reports.jobs import JOB_KIND


def generate_reports(
    *, firm: Firm, user: User, client_ids: Sequence[int], options: dict
) -> BulkOutcome:
    job = start_job(
        firm=firm,
        kind=JOB_KIND,
        requested_by=user,
        params={"client_ids": list(client_ids), "archive": True},
    )
    message = ngettext(
        "Génération du rapport de synthèse de %(count)s client lancée.",
        "Génération des rapports de synthèse de %(count)s clients lancée.",
        len(client_ids),
    ) % {"count": len(client_ids)}
    return BulkOutcome(message, redirect_to=reverse("report_batch", args=[firm.slug, job.pk]))


GENERATE = BulkAction(
    name="synthesis_reports",
    label=gettext_lazy("Générer les rapports de synthèse"),
    roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
    run=generate_reports,
    confirm=gettext_lazy(
        "Générer un nouveau rapport de synthèse pour chacun de ces clients ? Les rapports "
        "précédents restent conservés."
    ),
    order=30,
)
