"""Starting the export from the client list, and the firm's export settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exports import services
from exports.columns import build_columns
from exports.forms import ExportSettingsForm
from exports.reading import Source
from firms.access import require_admin, require_supervision


@require_supervision
@require_POST
def client_export(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The client list's export: its clients under its current filter (its query string,
    posted along), as Excel or CSV, in the background."""
    export_format = request.POST.get("format") or services.DEFAULT_FORMAT
    if export_format not in services.FORMATS:
        messages.error(request, _("Choisissez le format Excel ou CSV."))
        return redirect("client_list", firm_slug=firm_slug)
    job = services.start_export(
        firm=request.firm,
        user=request.user,
        export_format=export_format,
        source=Source.CLIENT_LIST,
        querystring=request.POST.get("querystring", "")[: services.MAX_QUERYSTRING],
    )
    return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)


@require_admin
def export_settings(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """How long export files are kept, and what an export holds."""
    form = ExportSettingsForm(request.POST or None, instance=services.export_settings(request.firm))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réglages des exports enregistrés."))
        return redirect("export_settings", firm_slug=firm_slug)
    return render(
        request,
        "exports/settings.html",
        {"form": form, "tab": "exports", "column_count": len(build_columns())},
    )
