"""``/api/v1/invoices/<id>/payments/``: the payments of an invoice listed, recorded and deleted
with the same checks and French messages as the web pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from firms.access import SUPERVISION_ROLES
from firms.api_forms import form_data_from_json
from invoicing import payments, selectors
from invoicing.models import Invoice, Payment
from invoicing.payment_forms import PaymentForm


class PaymentSerializer(serializers.ModelSerializer):
    invoice = serializers.IntegerField(source="invoice_id", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "paid_on",
            "amount",
            "method",
            "reference",
            "source",
            "statement_line",
            "created_at",
        ]
        read_only_fields = fields


class PaymentInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(help_text="AAAA-MM-JJ")
    amount = serializers.CharField(help_text="Par exemple « 120,00 » ou « 120.00 »")
    method = serializers.CharField(required=False)
    reference = serializers.CharField(required=False)


class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PaymentSerializer
    form_class = PaymentForm  # checks the bodies (and says so in the schema)
    lookup_url_kwarg = "payment_id"
    lookup_value_converter = "int"
    write_roles = SUPERVISION_ROLES

    def invoice(self) -> Invoice:
        if not hasattr(self, "_invoice"):
            self._invoice = selectors.get_invoice_for_membership(
                self.request.membership, self.kwargs["invoice_id"]
            )
        return self._invoice

    def get_queryset(self):
        return payments.payments_of(self.invoice())

    def get_object(self) -> Payment:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["payment_id"])

    @extend_schema(request=PaymentInputSerializer, responses={201: PaymentSerializer})
    def create(self, request: Request, invoice_id: int) -> Response:
        """Record a payment; 400 with the French messages of the web form."""
        invoice = self.invoice()
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Le corps de la requête doit être un objet JSON."})
        data = {"method": "transfer", "reference": ""}
        data.update(form_data_from_json(PaymentForm, request.data))
        form = PaymentForm(data)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        try:
            payment = payments.record_payment(
                firm=request.firm, by=request.user, invoice=invoice, **form.cleaned_data
            )
        except DjangoValidationError as error:
            raise ValidationError(
                {
                    ("detail" if name == "__all__" else name): problems
                    for name, problems in (
                        error.message_dict
                        if hasattr(error, "error_dict")
                        else {"__all__": error.messages}
                    ).items()
                }
            ) from error
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, invoice_id: int, payment_id: int) -> Response:
        payment = self.get_object()
        payments.delete_payment(firm=request.firm, payment=payment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
