"""``/api/v1/invoices/send/``: a batch of issued invoices sent in the background (202 and the
batch's url to follow), and ``/api/v1/invoices/batches/<id>/``: its progress and counts."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from firms.access import SUPERVISION_ROLES
from firms.parameters import parse_positive_int
from invoicing import batches, selectors, sending
from invoicing.models import InvoiceBatch


class SendRequestSerializer(serializers.Serializer):
    numbers = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    invoices = serializers.ListField(child=serializers.IntegerField())
    counts = serializers.DictField()
    job = serializers.DictField()
    url = serializers.CharField()


class BatchListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = BatchSerializer(many=True)


def _batch_data(batch: InvoiceBatch) -> dict:
    job = batch.job
    return {
        "id": batch.pk,
        "invoices": batch.invoice_ids,
        "counts": batch.counts,
        "job": {
            "id": job.pk if job else None,
            "status": job.status if job else "",
            "progress": job.progress if job else 0,
            "total": job.total if job else 0,
            "error": job.error if job else "",
        },
        "url": reverse("api-invoice-batch", args=[batch.pk]),
    }


class SendInvoicesView(APIView):
    write_roles = SUPERVISION_ROLES

    @extend_schema(responses=BatchListSerializer)
    def get(self, request: Request) -> Response:
        """The firm's latest batches (supervisors and administrators see them all)."""
        if not request.membership.sees_whole_firm:
            return Response({"count": 0, "results": []})
        found = InvoiceBatch.objects.for_firm(request.firm).select_related("job")[:50]
        results = [_batch_data(batch) for batch in found]
        return Response({"count": len(results), "results": results})

    @extend_schema(request=SendRequestSerializer, responses={202: BatchSerializer})
    def post(self, request: Request) -> Response:
        """Send issued invoices (by ``numbers`` or ``ids``) in the background; an invoice
        already sent is not sent again. Follow the batch at its ``url``."""
        payload = SendRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        numbers = payload.validated_data.get("numbers") or []
        ids = [parse_positive_int(pk) for pk in payload.validated_data.get("ids") or []]
        if not numbers and not ids:
            return Response(
                {"detail": "Donnez les numéros (numbers) ou les identifiants (ids) des factures."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        visible = selectors.invoices_visible_to(request.membership)
        try:
            if numbers:
                found = sending.issued_invoices(request.firm, numbers=numbers)
                ids = [invoice.pk for invoice in found]
            if None in ids or visible.filter(pk__in=ids).count() != len(set(ids)):
                raise sending.BatchRefused("Facture introuvable.")
            batch = batches.start_batch(firm=request.firm, by=request.user, invoice_ids=ids)
        except sending.BatchRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_batch_data(batch), status=status.HTTP_202_ACCEPTED)


class BatchView(APIView):
    @extend_schema(responses=BatchSerializer)
    def get(self, request: Request, batch_id: int) -> Response:
        batch = (
            InvoiceBatch.objects.for_firm(request.firm)
            .select_related("job")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or (
            not request.membership.sees_whole_firm
            and selectors.invoices_visible_to(request.membership)
            .filter(pk__in=batch.invoice_ids)
            .count()
            != len(batch.invoice_ids)
        ):
            raise Http404
        return Response(_batch_data(batch))
