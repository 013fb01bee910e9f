"""``/api/v1/mandates/``: the firm's mandates, generated and moved through the same services,
transitions and French messages as the web pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from firms.api_filters import filter_by_client_and_status
from firms.api_schema import error_response
from mandates import selectors, services
from mandates.forms import FRENCH_DATE_FORMATS, RefusalForm
from mandates.models import Mandate, MandateKind, MandateStatus
from mandates.views import pdf_response
from mandates.workflow import TransitionRefused


class MandateSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    has_document = serializers.SerializerMethodField()
    has_signed_document = serializers.SerializerMethodField()

    class Meta:
        model = Mandate
        fields = [
            "id",
            "client",
            "kind",
            "reference",
            "status",
            "platform_name",
            "document_sha256",
            "signed_document_sha256",
            "signed_on",
            "refusal_reason",
            "created_at",
            "status_changed_at",
            "has_document",
            "has_signed_document",
        ]
        read_only_fields = fields

    def get_has_document(self, mandate: Mandate) -> bool:
        return bool(mandate.document)

    def get_has_signed_document(self, mandate: Mandate) -> bool:
        return bool(mandate.signed_document)


class GenerateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MandateKind.choices, default=MandateKind.DELEGATION)


class SignatureSerializer(serializers.Serializer):
    document = serializers.FileField(help_text="Le PDF signé, 10 Mo au plus.")
    signed_on = serializers.DateField(input_formats=[*FRENCH_DATE_FORMATS, "iso-8601"])


class RefusalSerializer(serializers.Serializer):
    """For the schema: the body is read by the web page's form (``RefusalForm``)."""

    reason = serializers.CharField(max_length=500, help_text="Le motif du refus.")


NOT_NOW = error_response("Le mandat n'est pas dans un statut qui le permet.")
# A step of the workflow: the mandate, or a 409 when its status does not allow the step.
STEP_RESPONSES = {200: MandateSerializer, 409: NOT_NOW}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("client", int, description="Identifiant du client"),
            OpenApiParameter("status", str, enum=MandateStatus.values),
        ]
    )
)
class MandateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MandateSerializer
    lookup_url_kwarg = "mandate_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        mandates = selectors.mandates_visible_to(self.request.membership).select_related("client")
        if self.action == "list":
            mandates = filter_by_client_and_status(
                mandates, self.request.query_params, MandateStatus.values
            )
        return mandates.order_by("-created_at", "-id")

    def get_object(self) -> Mandate:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["mandate_id"])

    def _step(self, call, mandate: Mandate | None = None, **kwargs) -> Response:
        mandate = mandate or self.get_object()
        try:
            call(firm=self.request.firm, mandate=mandate, by=self.request.user, **kwargs)
        except TransitionRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(" ".join(error.messages)) from error
        return Response(MandateSerializer(self.get_object()).data)

    @extend_schema(
        request=GenerateSerializer,
        responses={
            201: MandateSerializer,
            404: error_response("Client introuvable, ou hors de portée du jeton."),
            409: error_response("Un mandat de ce type est déjà en cours pour ce client."),
        },
    )
    def create(self, request: Request) -> Response:
        """Generate a mandate (its PDF) for a client; 409 when one is already in progress."""
        payload = GenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        clients = Client.objects.visible_to(request.membership)
        client = clients.filter(pk=payload.validated_data["client"]).first()
        if client is None:
            raise Http404
        try:
            mandate = services.generate_mandate(
                firm=request.firm,
                client=client,
                kind=payload.validated_data["kind"],
                by=request.user,
            )
        except TransitionRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def sent(self, request: Request, mandate_id: int) -> Response:
        def mark(*, firm, mandate, by):
            if mandate.status != MandateStatus.TO_SIGN:
                raise TransitionRefused(
                    f"Un mandat « {mandate.get_status_display()} » ne peut pas être envoyé."
                )
            services.mark_sent(firm=firm, mandates=[mandate], by=by)

        return self._step(mark)

    @extend_schema(request=SignatureSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def signature(self, request: Request, mandate_id: int) -> Response:
        mandate = self.get_object()  # another's is a 404 before its payload is read
        payload = SignatureSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["document"]
        if upload.size > services.SIGNED_PDF_MAX_BYTES:
            raise ValidationError({"document": ["Le fichier dépasse 10 Mo."]})
        return self._step(
            services.record_signature,
            mandate,
            content=upload.read(),
            signed_on=payload.validated_data["signed_on"],
        )

    @extend_schema(request=RefusalSerializer, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def refusal(self, request: Request, mandate_id: int) -> Response:
        mandate = self.get_object()
        form = RefusalForm(request.data)
        if not form.is_valid():
            raise ValidationError({"reason": ["Indiquez le motif du refus."]})
        return self._step(services.record_refusal, mandate, reason=form.cleaned_data["reason"])

    @extend_schema(request=None, responses=STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, mandate_id: int) -> Response:
        return self._step(services.cancel_mandate)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, mandate_id: int) -> HttpResponse:
        mandate = self.get_object()
        if not mandate.document:
            raise Http404
        return pdf_response(mandate.document, f"{mandate.reference}.pdf")
