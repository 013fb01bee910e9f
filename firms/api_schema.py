"""The API's OpenAPI schema: every operation documents the errors it can answer.

drf-spectacular documents the success of an operation from its serializers; the errors (a
missing token, a role that may not write, an object out of reach, a payload refused) come from
DRF and the views, and a client of the API must be able to read them too. ``ApiAutoSchema``
adds them to each operation from what it is: 401 everywhere, 403 on writes, 404 where the path
names an object or the list is paginated, 400 and 415 where there is a body or query to check.
A view documents its own other answers (409, 412…) with ``ErrorSerializer`` or a serializer of
its own, and keeps the ones it declares.
"""

from __future__ import annotations

import copy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance, is_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.settings import api_settings

# A 400's body: the messages by field (lists of texts; nested objects and lists for nested
# fields), "detail" or "non_field_errors" for the request as a whole.
VALIDATION_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Les messages d'erreur en français, par champ : une liste de textes, ou pour un champ "
        "composé un objet ou une liste du même genre. « detail » ou « non_field_errors » "
        "portent les messages qui concernent la requête entière."
    ),
    "additionalProperties": {
        "anyOf": [{"type": "array"}, {"type": "string"}, {"type": "object"}],
    },
    "example": {"siren": ["Ce SIREN n'est pas valide (clé de contrôle)."]},
}


class ErrorSerializer(serializers.Serializer):
    """Every error but a 400's: one French message."""

    detail = serializers.CharField(help_text="Le message d'erreur, en français.")


def validation_errors_response(description: str = "") -> OpenApiResponse:
    return OpenApiResponse(
        response={"$ref": "#/components/schemas/ValidationErrors"},
        description=description or "Requête refusée : les messages par champ.",
    )


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


class ApiAutoSchema(AutoSchema):
    def _get_parameters(self):
        """A query parameter sent empty (``?status=``, as a form sends a field left blank) is
        read as not sent."""
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_request_for_media_type(self, serializer, direction="request"):
        """A view with ``put_is_partial`` applies a PUT's fields over the current values, as a
        PATCH: its PUT body, like its PATCH body, requires no field."""
        if (
            self.method == "PUT"
            and getattr(self.view, "put_is_partial", False)
            and is_serializer(serializer)
        ):
            serializer = copy.copy(force_instance(serializer))
            serializer.partial = True
        return super()._get_request_for_media_type(serializer, direction)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A view that checks its body with a web form (its ``form_class``, through
        ``firms.api_forms.form_data_from_json``) reads ``null`` as an empty value for every
        field of the form: the request schema says so."""
        form_class = getattr(self.view, "form_class", None)
        if (
            direction == "request"
            and form_class is not None
            and field.field_name in form_class.base_fields
            and getattr(field.parent, "parent", None) is None
            and not field.allow_null
        ):
            field = copy.copy(field)
            field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def map_parsers(self) -> list[str]:
        """JSON, unless the view reads something else (a file upload): the default parsers
        also read forms, which cannot carry the bodies' nulls, lists and nested objects, so a
        form is tolerated but not documented."""
        if list(self.view.parser_classes) == list(api_settings.DEFAULT_PARSER_CLASSES):
            return ["application/json"]
        return super().map_parsers()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        self.registry.register_on_missing(
            ResolvedComponent(
                name="ValidationErrors",
                type=ResolvedComponent.SCHEMA,
                object="ValidationErrors",
                schema=VALIDATION_ERRORS_SCHEMA,
            )
        )
        has_body = self.method in ("POST", "PUT", "PATCH") and self._get_request_body()
        filters = [
            parameter
            for parameter in self._get_parameters()
            if parameter["in"] == "query" and parameter["name"] != "page"
        ]
        responses: dict[str, OpenApiResponse] = {}
        if has_body or filters:
            responses["400"] = validation_errors_response()
        if not all(issubclass(permission, AllowAny) for permission in self.view.permission_classes):
            responses["401"] = error_response("Jeton absent, invalide ou révoqué.")
        if self.method not in SAFE_METHODS:
            responses["403"] = error_response("Votre rôle ne permet pas cette modification.")
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            responses["404"] = error_response(
                "Objet introuvable, ou hors de portée du jeton ; page inexistante d'une liste."
            )
        if has_body:
            responses["415"] = error_response("Type de contenu non pris en charge.")
        return responses
