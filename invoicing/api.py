"""``/api/v1/invoices/``: drafts created and edited, invoices issued and credited, their PDF
downloaded, through the same forms, services and French messages as the web pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from firms.access import SUPERVISION_ROLES
from firms.api_filters import filter_by_client_and_status
from firms.api_forms import form_data_from_json
from firms.api_schema import error_response, validation_errors_response
from firms.parameters import parse_positive_int
from invoicing import issuing, selectors, services
from invoicing.forms import LineForm, TermsForm
from invoicing.models import Invoice, InvoiceImmutable, InvoiceStatus
from invoicing.views import pdf_response


class LineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.CharField()
    unit_price = serializers.CharField()
    vat_rate = serializers.CharField()
    vat_category = serializers.CharField(required=False)
    exemption_reason = serializers.CharField(required=False)
    net_amount = serializers.CharField(read_only=True)


class InvoiceSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    credited_invoice = serializers.IntegerField(
        source="credited_invoice_id", read_only=True, allow_null=True
    )
    lines = serializers.SerializerMethodField()
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "client",
            "kind",
            "status",
            "number",
            "issue_date",
            "due_date",
            "payment_terms_days",
            "operation_category",
            "delivery_address",
            "delivery_postal_code",
            "delivery_city",
            "note",
            "credited_invoice",
            "period",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "pdf_sha256",
            "has_pdf",
            "lines",
            "created_at",
            "issued_at",
        ]
        read_only_fields = fields

    def get_has_pdf(self, invoice: Invoice) -> bool:
        return bool(invoice.pdf)

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, invoice: Invoice) -> list[dict]:
        if invoice.document:
            return [
                {
                    key: line[key]
                    for key in (
                        "description",
                        "quantity",
                        "unit_price",
                        "vat_rate",
                        "vat_category",
                        "exemption_reason",
                        "net_amount",
                    )
                }
                for line in invoice.document["lines"]
            ]
        return [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "vat_rate": str(line.vat_rate),
                "vat_category": line.vat_category,
                "exemption_reason": line.exemption_reason,
                "net_amount": str(line.net_amount),
            }
            for line in invoice.lines.all()
        ]


class DraftSerializer(serializers.Serializer):
    """A draft as sent: the client (on creation), its lines, and optional terms."""

    client = serializers.IntegerField(required=False)
    lines = LineSerializer(many=True)
    payment_terms_days = serializers.IntegerField(required=False)
    operation_category = serializers.CharField(required=False)
    delivery_address = serializers.CharField(required=False)
    delivery_postal_code = serializers.CharField(required=False)
    delivery_city = serializers.CharField(required=False)
    note = serializers.CharField(required=False)


def draft_from_payload(payload: object, *, client: Client, defaults: dict) -> tuple:
    """(lines, terms) read with the web forms; a 400 names the line and the field."""
    if not isinstance(payload, dict):
        raise ValidationError({"detail": "Le corps de la requête doit être un objet JSON."})
    raw_lines = payload.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ValidationError({"lines": ["Envoyez la liste des lignes (au moins une)."]})
    if len(raw_lines) > services.MAX_LINES:
        raise ValidationError({"lines": [f"{services.MAX_LINES} lignes au plus."]})
    lines, errors = [], {}
    for index, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, dict):
            errors[f"lines[{index}]"] = ["Chaque ligne est un objet JSON."]
            continue
        try:
            form = LineForm(form_data_from_json(LineForm, raw))
        except ValidationError as error:
            errors[f"lines[{index}]"] = [
                f"{name} : {message}"
                for name, messages in error.detail.items()
                for message in messages
            ]
            continue
        form.buyer_vat_number = client.vat_number
        if form.is_valid():
            lines.append(form.draft_line())
        else:
            errors[f"lines[{index}]"] = [
                f"{name} : {message}"
                for name, messages in form.errors.items()
                for message in messages
            ]
    terms_data = {**defaults, **form_data_from_json(TermsForm, payload)}
    terms_form = TermsForm(terms_data)
    if not terms_form.is_valid():
        errors.update({name: list(messages) for name, messages in terms_form.errors.items()})
    if errors:
        raise ValidationError(errors)
    return lines, terms_form.terms()


REFUSED = error_response("La facture n'est pas dans un état qui le permet (émise, brouillon…).")


def _messages(error: DjangoValidationError) -> dict:
    """A service's ValidationError as a 400's body: messages by field."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("client", int, description="Identifiant du client"),
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
        ]
    )
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InvoiceSerializer
    lookup_url_kwarg = "invoice_id"
    lookup_value_converter = "int"
    write_roles = SUPERVISION_ROLES

    def get_queryset(self):
        invoices = selectors.invoices_visible_to(self.request.membership).select_related("client")
        if self.action == "list":
            invoices = filter_by_client_and_status(
                invoices, self.request.query_params, InvoiceStatus.values
            )
        return invoices.prefetch_related("lines").order_by("-created_at", "-id")

    def get_object(self) -> Invoice:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["invoice_id"])

    def _respond(self, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data, status=code)

    @extend_schema(
        request=DraftSerializer,
        responses={
            201: InvoiceSerializer,
            404: error_response("Client introuvable, ou hors de portée du jeton."),
        },
    )
    def create(self, request: Request) -> Response:
        """A draft for a client the member sees; 400 with the French messages of the form."""
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Le corps de la requête doit être un objet JSON."})
        client_id = parse_positive_int(request.data.get("client"))
        if client_id is None:
            raise ValidationError({"client": ["Indiquez l'identifiant du client."]})
        client = Client.objects.visible_to(request.membership).filter(pk=client_id).first()
        if client is None:
            raise Http404
        settings_row = services.invoicing_settings(request.firm)
        lines, terms = draft_from_payload(
            request.data,
            client=client,
            defaults={
                "payment_terms_days": settings_row.payment_terms_days,
                "operation_category": settings_row.default_operation_category,
            },
        )
        try:
            invoice = services.create_draft(
                firm=request.firm, client=client, lines=lines, terms=terms, by=request.user
            )
        except DjangoValidationError as error:
            raise ValidationError(_messages(error)) from error
        return self._respond(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=DraftSerializer, responses={200: InvoiceSerializer, 409: REFUSED})
    def partial_update(self, request: Request, invoice_id: int) -> Response:
        """Replace a draft's lines (and the terms sent); 409 once it is issued."""
        invoice = self.get_object()
        if not invoice.is_draft:
            return Response(
                {"detail": "Une facture émise ne se modifie plus : émettez un avoir."},
                status=status.HTTP_409_CONFLICT,
            )
        lines, terms = draft_from_payload(
            request.data,
            client=invoice.client,
            defaults={
                name: getattr(invoice, name)
                for name in (
                    "payment_terms_days",
                    "operation_category",
                    "delivery_address",
                    "delivery_postal_code",
                    "delivery_city",
                    "note",
                )
            },
        )
        try:
            services.update_draft(
                firm=request.firm, invoice=invoice, lines=lines, terms=terms, by=request.user
            )
        except DjangoValidationError as error:
            raise ValidationError(_messages(error)) from error
        except InvoiceImmutable as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return self._respond(invoice)

    @extend_schema(responses={204: None, 409: REFUSED})
    def destroy(self, request: Request, invoice_id: int) -> Response:
        """A draft is deleted; an issued invoice never is (409)."""
        invoice = self.get_object()
        try:
            services.delete_draft(firm=request.firm, invoice=invoice, by=request.user)
        except InvoiceImmutable as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: InvoiceSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, invoice_id: int) -> Response:
        """Number the draft and store its PDF; 409 with the French reason when refused."""
        invoice = self.get_object()
        try:
            issued = issuing.issue_invoice(firm=request.firm, invoice=invoice, by=request.user)
        except issuing.IssueRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return self._respond(issued)

    @extend_schema(
        request=None,
        responses={201: InvoiceSerializer, 400: validation_errors_response(), 409: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="credit-note")
    def credit_note(self, request: Request, invoice_id: int) -> Response:
        """A draft credit note of the issued invoice, with its lines (PATCH it, then issue)."""
        invoice = self.get_object()
        try:
            note = services.create_credit_note(firm=request.firm, invoice=invoice, by=request.user)
        except InvoiceImmutable as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(_messages(error)) from error
        return self._respond(note, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, invoice_id: int) -> HttpResponse:
        invoice = self.get_object()
        if invoice.is_draft or not invoice.pdf:
            raise Http404
        return pdf_response(invoice)
