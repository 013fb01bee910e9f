from django.urls import path

from invoicing import views

INVOICE = "factures/<int:invoice_id>/"
CLIENT = "clients/<int:client_id>/factures/"

urlpatterns = [
    path("factures/", views.invoice_list, name="invoice_list"),
    path("factures/nouvelle/", views.invoice_start, name="invoice_start"),
    path("factures/recurrentes/", views.invoice_recurring, name="invoice_recurring"),
    path(INVOICE, views.invoice_detail, name="invoice_detail"),
    path(INVOICE + "modifier/", views.invoice_edit, name="invoice_edit"),
    path(INVOICE + "emettre/", views.invoice_issue, name="invoice_issue"),
    path(INVOICE + "supprimer/", views.invoice_delete, name="invoice_delete"),
    path(INVOICE + "pdf/", views.invoice_pdf, name="invoice_pdf"),
    path(INVOICE + "avoir/", views.invoice_credit_note, name="invoice_credit_note"),
    path(CLIENT, views.client_invoices, name="client_invoices"),
    path(CLIENT + "nouvelle/", views.invoice_create, name="invoice_create"),
    path(CLIENT + "totaux/", views.invoice_totals, name="invoice_totals"),
    path(CLIENT + "honoraires/", views.engagement_edit, name="client_engagement_create"),
    path(
        CLIENT + "honoraires/<int:engagement_id>/",
        views.engagement_edit,
        name="client_engagement_edit",
    ),
    path(
        CLIENT + "honoraires/<int:engagement_id>/arreter/",
        views.engagement_stop,
        name="client_engagement_stop",
    ),
    path("parametres/facturation/", views.invoicing_settings, name="invoicing_settings"),
]

# Sending the invoices (invoicing.sending_views).
from invoicing import sending_views  # noqa: E402

urlpatterns += [
    path("factures/envoi/", sending_views.sending_home, name="invoice_sending"),
    path("factures/envoi/lancer/", sending_views.sending_start, name="invoice_sending_start"),
    path(
        INVOICE + "envois/<int:delivery_id>/resoudre/",
        sending_views.delivery_resolve,
        name="invoice_delivery_resolve",
    ),
    path(
        "parametres/facturation/envoi/",
        sending_views.sending_settings_view,
        name="invoice_sending_settings",
    ),
    path(
        "parametres/facturation/envoi/apercu/",
        sending_views.sending_preview,
        name="invoice_sending_preview",
    ),
]
