from django.urls import path

from reports.api import (
    ClientReportJobView,
    ClientReportPdfView,
    ClientReportsView,
    ClientReportView,
)

CLIENT = "clients/<int:client_id>/reports/"

urlpatterns = [
    path(CLIENT, ClientReportsView.as_view(), name="api-client-reports"),
    path(CLIENT + "<int:report_id>/", ClientReportView.as_view(), name="api-client-report"),
    path(
        CLIENT + "<int:report_id>/pdf/", ClientReportPdfView.as_view(), name="api-client-report-pdf"
    ),
    path(
        CLIENT + "jobs/<int:job_id>/", ClientReportJobView.as_view(), name="api-client-report-job"
    ),
]
