"""``/api/v1/exports/``: start a full export of the portfolio (a background job) and list the
exports; the job is then followed and its file fetched through ``/api/v1/jobs/<id>/``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from exports import services
from exports.reading import Source
from firms.access import SUPERVISION_ROLES
from firms.parameters import parse_positive_int
from jobs.api import JobSerializer
from jobs.selectors import jobs_visible_to


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=list(services.FORMATS),
        default=services.DEFAULT_FORMAT,
        error_messages={"invalid_choice": "Format d'export inconnu : choisissez xlsx ou csv."},
    )
    filter = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_QUERYSTRING,
        help_text="Les paramètres d'adresse de la Cartographie FE (urgency=high&size=PME…).",
        error_messages={"max_length": "Le filtre est trop long."},
    )
    clients = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=100_000,
        help_text="Les identifiants des clients à exporter, au lieu du filtre.",
    )

    def validate_clients(self, values: list[str]) -> list[int]:
        ids = [parse_positive_int(value) for value in values]
        if None in ids:
            raise serializers.ValidationError("Identifiants de clients invalides.")
        if not ids:
            raise serializers.ValidationError("Choisissez au moins un client.")
        return sorted(set(ids))


class ExportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    write_roles = SUPERVISION_ROLES

    def get_queryset(self):
        return (
            jobs_visible_to(self.request.membership)
            .filter(kind=services.EXPORT_JOB_KIND)
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=ExportRequestSerializer, responses={202: JobSerializer})
    def create(self, request: Request) -> Response:
        """Export the portfolio under a filter of Cartographie FE, or the chosen clients, as
        Excel or CSV; follow the job at its ``url``, then download its ``file_url``."""
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "clients" in data:
            job = services.start_export(
                firm=request.firm,
                user=request.user,
                export_format=data["format"],
                source=Source.SELECTION,
                client_ids=data["clients"],
            )
        else:
            job = services.start_export(
                firm=request.firm,
                user=request.user,
                export_format=data["format"],
                source=Source.PORTFOLIO,
                querystring=data.get("filter", ""),
            )
        body = JobSerializer(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
