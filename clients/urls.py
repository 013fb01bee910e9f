from django.urls import path

import clients.import_views as import_views
from clients import views

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/nouveau/", views.client_create, name="client_create"),
    path("clients/actions/", views.client_bulk_action, name="client_bulk_action"),
    path("clients/import/", import_views.client_import, name="client_import"),
    path(
        "clients/import/<int:import_id>/",
        import_views.client_import_result,
        name="client_import_result",
    ),
    path(
        "clients/import/<int:import_id>/lecture/",
        import_views.client_import_reading,
        name="client_import_reading",
    ),
    path(
        "clients/import/<int:import_id>/colonnes/",
        import_views.client_import_mapping,
        name="client_import_mapping",
    ),
    path(
        "clients/import/<int:import_id>/verification/en-cours/",
        import_views.client_import_dry_run,
        name="client_import_dry_run",
    ),
    path(
        "clients/import/<int:import_id>/verification/",
        import_views.client_import_review,
        name="client_import_review",
    ),
    path(
        "clients/import/<int:import_id>/confirmer/",
        import_views.client_import_confirm,
        name="client_import_confirm",
    ),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/modifier/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/archiver/", views.client_archive, name="client_archive"),
    path("clients/<int:client_id>/restaurer/", views.client_restore, name="client_restore"),
    path("clients/<int:client_id>/historique/", views.client_history, name="client_history"),
]
