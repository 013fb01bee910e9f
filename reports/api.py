"""``/api/v1/clients/<client_id>/reports/``: a client's synthesis report versions, listed, one
generated (a background job, followed at ``…/reports/jobs/<job_id>/``), each read with its
snapshot and downloaded as PDF. Nothing changes or deletes a version: there is no PUT, PATCH or
DELETE."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from firms.api_schema import error_response
from jobs.models import Job
from jobs.services import start_job
from reports import selectors
from reports.jobs import JOB_KIND
from reports.models import SynthesisReport
from reports.views import pdf_response


class ReportSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    author = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = SynthesisReport
        fields = ["id", "client", "number", "created_at", "author", "sha256", "size", "pdf"]
        read_only_fields = fields

    def get_author(self, report: SynthesisReport) -> str | None:
        return report.author.full_name if report.author else None

    def get_pdf(self, report: SynthesisReport) -> str:
        return reverse("api-client-report-pdf", args=[report.client_id, report.pk])


class ReportDetailSerializer(ReportSerializer):
    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class ReportListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ReportSerializer(many=True)


class ReportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField()
    reports = serializers.ListField(child=serializers.IntegerField())
    url = serializers.CharField()


def _client(request: Request, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.membership), pk=client_id)


def _job_data(job: Job, client: Client) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "error": job.error,
        "reports": list((job.summary or {}).get("reports", [])),
        "url": reverse("api-client-report-job", args=[client.pk, job.pk]),
    }


class ClientReportsView(APIView):
    @extend_schema(responses=ReportListSerializer, operation_id="clients_reports_list")
    def get(self, request: Request, client_id: int) -> Response:
        """The client's versions, the latest first."""
        reports = selectors.client_reports(request.firm, _client(request, client_id))
        data = ReportSerializer(reports, many=True).data
        return Response({"count": len(data), "results": data})

    @extend_schema(
        request=None,
        responses={202: ReportJobSerializer, 409: error_response("Le client est archivé.")},
    )
    def post(self, request: Request, client_id: int) -> Response:
        """Generate a new version in the background; follow the job at its ``url``."""
        client = _client(request, client_id)
        if client.status != Client.Status.ACTIVE:
            return Response(
                {"detail": "Client archivé : restaurez-le pour générer un rapport."},
                status=status.HTTP_409_CONFLICT,
            )
        job = start_job(
            firm=request.firm,
            kind=JOB_KIND,
            requested_by=request.user,
            params={"client_ids": [client.pk]},
        )
        return Response(_job_data(job, client), status=status.HTTP_202_ACCEPTED)


class ClientReportView(APIView):
    @extend_schema(responses=ReportDetailSerializer)
    def get(self, request: Request, client_id: int, report_id: int) -> Response:
        """One version with the snapshot of the data it was made from."""
        client = _client(request, client_id)
        report = selectors.get_report_for_client(request.firm, client, report_id)
        return Response(ReportDetailSerializer(report).data)


class ClientReportPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, client_id: int, report_id: int) -> HttpResponse:
        client = _client(request, client_id)
        report = selectors.get_report_for_client(request.firm, client, report_id)
        return pdf_response(report.document, report.file_name)


class ClientReportJobView(APIView):
    @extend_schema(responses=ReportJobSerializer)
    def get(self, request: Request, client_id: int, job_id: int) -> Response:
        """A generation started for this client: its status, then the version it made."""
        client = _client(request, client_id)
        job = selectors.client_report_job(request.membership, client, job_id)
        if job is None:
            raise Http404
        return Response(_job_data(job, client))
