"""The API's errors in French, like the rest of the product.

DRF's own handler, except for Django's ``get_object_or_404``: its message is English and never
translated ("No Client matches the given query."), so the API says « Client introuvable. ».
"""

from __future__ import annotations

import re

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.text import capfirst
from django.views import defaults
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# The message of django.shortcuts.get_object_or_404, with the model's class name.
NO_MATCH = re.compile(r"^No (?P<model>\w+) matches the given query\.$")


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404) and exc.args:
        exc = NotFound(not_found_message(str(exc.args[0])))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ValidationError("…") says a list: an error body is an object, messages by field.
        response.data = {"non_field_errors": response.data}
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, except under /api/: an address the API does not know (a path
    parameter that is not a number, a typo) answers like the API's own 404s, in JSON."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Adresse inconnue de l'API."}, status=404)
    return defaults.page_not_found(request, exception)


def not_found_message(message: str) -> str:
    """Django's English "No <Model> matches the given query." as « <Nom du modèle> introuvable. »;
    any other message (already French) as it is."""
    match = NO_MATCH.match(message)
    if match is None:
        return message
    names = [
        model._meta.verbose_name
        for model in apps.get_models()
        if model._meta.object_name == match["model"]
    ]
    return f"{capfirst(names[0]) if names else 'Objet'} introuvable."
