"""``/api/v1/jobs/``: the background jobs a member may follow (their own, or the whole firm's
for supervisors and administrators), their progress and their file. Each app starts its own
kinds of job through its own endpoint (``/api/v1/exports/``…) and answers with the job."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from firms.parameters import search_text
from jobs.models import Job
from jobs.selectors import jobs_visible_to

NOT_FOUND = "Travail introuvable."
NO_FILE = "Ce travail n'a pas de fichier à télécharger (pas encore, ou plus)."


class JobSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="kind_label", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    file_url = serializers.SerializerMethodField()
    file_deleted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "progress",
            "total",
            "percent",
            "params",
            "summary",
            "error",
            "result_name",
            "file_url",
            "file_deleted_at",
            "url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, job: Job) -> str:
        return reverse("api-job-detail", kwargs={"job_id": job.pk})

    def get_file_url(self, job: Job) -> str | None:
        """Where to download the file once the job succeeded; null before, and once expired."""
        if job.status != Job.Status.SUCCEEDED or not job.result_file:
            return None
        return reverse("api-job-file", kwargs={"job_id": job.pk})


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("kind", str)]))
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    lookup_url_kwarg = "job_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        jobs = jobs_visible_to(self.request.membership)
        kind = search_text(self.request.query_params.get("kind"), max_length=50)
        if self.action == "list" and kind:
            jobs = jobs.filter(kind=kind)
        return jobs.order_by("-created_at", "-id")

    def get_object(self) -> Job:
        job = self.get_queryset().filter(pk=self.kwargs["job_id"]).first()
        if job is None:
            raise NotFound(NOT_FOUND)
        return job

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, job_id: int) -> HttpResponse:
        job = self.get_object()
        if job.status != Job.Status.SUCCEEDED or not job.result_file:
            raise NotFound(NO_FILE)
        return FileResponse(
            job.result_file.open("rb"), as_attachment=True, filename=job.result_name
        )
