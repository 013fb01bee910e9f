from django.urls import path

from mandates import views

CLIENT = "clients/<int:client_id>/mandats/"
MANDATE = CLIENT + "<int:mandate_id>/"

urlpatterns = [
    path(CLIENT, views.client_mandates, name="client_mandates"),
    path(MANDATE + "pdf/", views.mandate_document, {"which": "document"}, name="mandate_pdf"),
    path(
        MANDATE + "signe/", views.mandate_document, {"which": "signed"}, name="mandate_signed_pdf"
    ),
    path(MANDATE + "envoye/", views.mandate_step, {"step": "sent"}, name="mandate_sent"),
    path(MANDATE + "signature/", views.mandate_step, {"step": "signed"}, name="mandate_signed"),
    path(MANDATE + "refus/", views.mandate_step, {"step": "refused"}, name="mandate_refused"),
    path(MANDATE + "annuler/", views.mandate_step, {"step": "cancelled"}, name="mandate_cancel"),
    path(
        MANDATE + "regenerer/",
        views.mandate_step,
        {"step": "regenerated"},
        name="mandate_regenerate",
    ),
    path("mandats/en-attente/", views.mandates_waiting, name="mandates_waiting"),
    path("mandats/lots/<int:job_id>/", views.mandate_batch, name="mandate_batch"),
    path("mandats/signatures/", views.signed_files_upload, name="mandate_signed_upload"),
    path("parametres/mandats/", views.mandate_settings, name="mandate_settings"),
]
