from django.urls import path

from reports import views

CLIENT = "clients/<int:client_id>/rapports/"

urlpatterns = [
    path(CLIENT, views.client_reports, name="client_reports"),
    path(CLIENT + "<int:report_id>/pdf/", views.report_document, name="report_pdf"),
    path("rapports/lots/<int:job_id>/", views.report_batch, name="report_batch"),
]
