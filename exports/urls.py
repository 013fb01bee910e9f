from django.urls import path

from exports import views

urlpatterns = [
    # The client list's export button posts here (the URL it always had).
    path("clients/export/", views.client_export, name="client_export"),
    path("parametres/exports/", views.export_settings, name="export_settings"),
]
