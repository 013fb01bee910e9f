from django.urls import path

from invoicing import payment_views, sending_views, views

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

# Payments, bank statements and reminders (invoicing.payment_views).
urlpatterns += [
    path(INVOICE + "paiements/", payment_views.invoice_payments, name="invoice_payments"),
    path(INVOICE + "paiements/ajouter/", payment_views.payment_create, name="payment_create"),
    path(
        INVOICE + "paiements/<int:payment_id>/supprimer/",
        payment_views.payment_delete,
        name="payment_delete",
    ),
    path("factures/releve-bancaire/", payment_views.bank_import, name="bank_import"),
    path(
        "factures/releve-bancaire/enregistrer/",
        payment_views.bank_import_confirm,
        name="bank_import_confirm",
    ),
    path("factures/relances/", payment_views.reminders_start, name="reminders_start"),
    path("parametres/relances/", payment_views.reminder_settings, name="reminder_settings"),
]

# Sending the invoices (invoicing.sending_views).
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
