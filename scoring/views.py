from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from firms.access import require_admin
from scoring import services
from scoring.editor import editor_rows, faulty_paths, grid_from_cells, threshold_cells
from scoring.engine import InvalidGrid, grid_from_dict, grid_to_dict
from scoring.models import ClientScore, ScoringGrid


def _editor_context(
    request: HttpRequest,
    grid_data: dict,
    *,
    posted: Mapping[str, object] | None = None,
    error: str = "",
    invalid: tuple[str, ...] = (),
) -> dict:
    version, _grid = services.current_grid(request.firm)
    stored = ScoringGrid.objects.for_firm(request.firm).select_related("created_by").first()
    current = {
        level: ClientScore.objects.for_firm(request.firm).filter(level=level).count()
        for level in ClientScore.Level.values
    }
    return {
        "tab": "scoring",
        "rows": editor_rows(grid_data, posted, invalid),
        "thresholds": threshold_cells(grid_data, posted, invalid),
        "version": version,
        "stored": stored,
        "current_spread": current,
        "error": error,
        "invalid_paths": invalid,
        "focus_path": invalid[0] if invalid else "",
    }


@require_admin
def grid_editor(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The firm's scoring grid: every criterion and answer with its points, the thresholds, a
    preview of the portfolio's spread and of the clients that change level before saving, and
    saving as a new version."""
    _version, grid = services.current_grid(request.firm)
    base = grid_to_dict(grid)
    if request.method != "POST":
        return render(request, "scoring/grid_editor.html", _editor_context(request, base))
    try:
        edited = grid_from_dict(grid_from_cells(base, request.POST))
    except InvalidGrid as error:
        return _invalid(request, base, error)
    if request.POST.get("action") == "save":
        saved, job = services.save_grid(
            firm=request.firm, data=grid_to_dict(edited), by=request.user
        )
        messages.success(
            request,
            _("Grille enregistrée (version %(version)s) : le portefeuille est recalculé.")
            % {"version": saved.version},
        )
        return redirect("job_detail", firm_slug=firm_slug, job_id=job.pk)
    preview = services.preview_grid(firm=request.firm, grid=edited)
    context = {"preview": preview, "spread": preview.spread}
    if request.htmx:
        return render(request, "scoring/partials/preview.html", context)
    full = _editor_context(request, grid_to_dict(edited))
    return render(request, "scoring/grid_editor.html", {**full, **context})


def _invalid(request: HttpRequest, base: dict, error: InvalidGrid) -> HttpResponse:
    """The refusal in French, with what was typed kept and the faulty cells marked."""
    invalid = faulty_paths(base, error)
    if request.htmx:  # htmx swaps only successful answers: the error comes back as a 200
        context = {"error": str(error), "invalid_paths": invalid}
        return render(request, "scoring/partials/preview.html", context)
    context = _editor_context(request, base, posted=request.POST, error=str(error), invalid=invalid)
    return render(request, "scoring/grid_editor.html", context, status=400)
