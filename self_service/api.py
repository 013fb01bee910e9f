"""``/api/v1/client-answers/``: the answers clients sent through their self-service link, one
per field, and the firm's review of each (accept, edit, reject) through the same services and
French messages as the client sheet."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from firms.api_filters import BAD_CLIENT
from firms.api_schema import error_response
from firms.parameters import parse_positive_int
from self_service import fields, services
from self_service.models import FieldDecision, ProposedField


class ProposedFieldSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="proposal.client_id", read_only=True)
    proposal = serializers.IntegerField(source="proposal_id", read_only=True)
    submitted_at = serializers.DateTimeField(source="proposal.submitted_at", read_only=True)
    status = serializers.CharField(source="decision", read_only=True)
    label = serializers.SerializerMethodField()
    proposed = serializers.SerializerMethodField(help_text="La réponse du client, en clair.")

    class Meta:
        model = ProposedField
        fields = [
            "id",
            "client",
            "proposal",
            "submitted_at",
            "code",
            "label",
            "value",
            "proposed",
            "status",
            "applied_value",
            "reviewed_at",
        ]
        read_only_fields = fields

    def get_label(self, field: ProposedField) -> str:
        return fields.review_label(field.code) if field.code in fields.FIELD_CODES else field.code

    def get_proposed(self, field: ProposedField) -> str:
        catalogues = self.context.get("catalogues")
        if catalogues is None or field.code not in fields.FIELD_CODES:
            return ""
        return fields.shown(field.code, field.value, catalogues)


class EditSerializer(serializers.Serializer):
    """The value kept instead of the client's, as the sheet's form takes it: ``value`` for a
    question (« oui », « 1 500 000 ») and the billing e-mails; ``product`` and ``name`` for the
    software; ``platform``; ``civility``, ``first_name``, ``last_name``, ``email``, ``mobile``
    for the legal representative."""

    value = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    product = serializers.CharField(required=False, allow_blank=True, max_length=20)
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    platform = serializers.CharField(required=False, allow_blank=True, max_length=20)
    civility = serializers.CharField(required=False, allow_blank=True, max_length=3)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=30)


def _filtered(answers, params):
    """``?client=<id>`` and ``?status=<decision>``; an empty value is no filter."""
    if params.get("client"):
        client_id = parse_positive_int(params["client"])
        if client_id is None:
            raise ValidationError({"client": [BAD_CLIENT]})
        answers = answers.filter(proposal__client_id=client_id)
    if params.get("status"):
        if params["status"] not in FieldDecision.values:
            known = ", ".join(f"« {value} »" for value in FieldDecision.values)
            raise ValidationError({"status": [f"Statut inconnu : {known}."]})
        answers = answers.filter(decision=params["status"])
    return answers


DECIDED = error_response("Cette réponse a déjà été traitée.")
DECISION_RESPONSES = {200: ProposedFieldSerializer, 409: DECIDED}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("client", int, description="Identifiant du client"),
            OpenApiParameter("status", str, enum=FieldDecision.values),
        ]
    )
)
class ClientAnswerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProposedFieldSerializer
    lookup_url_kwarg = "answer_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        clients = Client.objects.visible_to(self.request.membership)
        answers = (
            ProposedField.objects.for_firm(self.request.firm)
            .filter(proposal__submitted_at__isnull=False, proposal__client__in=clients)
            .select_related("proposal")
        )
        if self.action == "list":
            answers = _filtered(answers, self.request.query_params)
        return answers.order_by("-proposal__submitted_at", "id")

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "catalogues": fields.Catalogues.of(self.request.firm),
        }

    def get_object(self) -> ProposedField:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["answer_id"])

    def _decide(self, decision: str, edited: object = None) -> Response:
        field = self.get_object()
        try:
            services.decide_field(
                firm=self.request.firm,
                field=field,
                decision=decision,
                by=self.request.user,
                edited=edited,
            )
        except services.ReviewRefused as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, answer_id: int) -> Response:
        """Write the client's answer through the same service as an edit of the sheet."""
        return self._decide(FieldDecision.ACCEPTED)

    @extend_schema(request=None, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, answer_id: int) -> Response:
        """Leave the client's record as it is."""
        return self._decide(FieldDecision.REJECTED)

    @extend_schema(request=EditSerializer, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, answer_id: int) -> Response:
        """Write another value than the client's (read as the sheet's form reads it)."""
        field = self.get_object()
        payload = EditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            value = fields.parse(
                field.code, payload.validated_data, fields.Catalogues.of(request.firm)
            )
        except fields.FieldError as error:
            raise ValidationError({"value": [error.message]}) from error
        return self._decide(FieldDecision.EDITED, edited=value)
