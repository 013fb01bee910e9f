from django.urls import path

from clients import views

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/nouveau/", views.client_create, name="client_create"),
    path("clients/export/", views.client_export, name="client_export"),
    path("clients/reattribuer/", views.client_reassign, name="client_reassign"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/modifier/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/archiver/", views.client_archive, name="client_archive"),
    path("clients/<int:client_id>/restaurer/", views.client_restore, name="client_restore"),
    path("clients/<int:client_id>/historique/", views.client_history, name="client_history"),
    path(
        "clients/<int:client_id>/fiscalite/",
        views.client_tab,
        {"tab": "fiscal"},
        name="client_fiscal",
    ),
    path(
        "clients/<int:client_id>/cartographie/",
        views.client_tab,
        {"tab": "cartography"},
        name="client_cartography",
    ),
    path(
        "clients/<int:client_id>/obligations/",
        views.client_tab,
        {"tab": "obligations"},
        name="client_obligations",
    ),
    path(
        "clients/<int:client_id>/mandats/",
        views.client_tab,
        {"tab": "mandates"},
        name="client_mandates",
    ),
    path(
        "clients/<int:client_id>/rapports/",
        views.client_tab,
        {"tab": "reports"},
        name="client_reports",
    ),
    path(
        "clients/<int:client_id>/factures/",
        views.client_tab,
        {"tab": "invoices"},
        name="client_invoices",
    ),
]
