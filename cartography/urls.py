from django.urls import path

from cartography import views

CLIENT = "clients/<int:client_id>/cartographie/"

urlpatterns = [
    path("cartographie/", views.dashboard, name="cartography_dashboard"),
    path(
        "cartographie/reattribuer/",
        views.dashboard_reassign,
        name="cartography_dashboard_reassign",
    ),
    path(CLIENT + "logiciels/", views.client_software_add, name="cartography_software_add"),
    path(
        CLIENT + "logiciels/recherche/",
        views.software_search,
        name="cartography_software_search",
    ),
    path(
        CLIENT + "logiciels/<int:software_id>/",
        views.client_software_edit,
        name="cartography_software_edit",
    ),
    path(
        CLIENT + "logiciels/<int:software_id>/retirer/",
        views.client_software_remove,
        name="cartography_software_remove",
    ),
    path(
        CLIENT + "plateformes/<str:role>/",
        views.client_platform_set,
        name="cartography_platform_set",
    ),
    path(CLIENT + "profil/", views.client_profile_save, name="cartography_profile_save"),
    path("parametres/catalogues/logiciels/", views.catalogue_software, name="catalogue_software"),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/",
        views.catalogue_software_edit,
        name="catalogue_software_edit",
    ),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/fusionner/",
        views.catalogue_software_merge,
        name="catalogue_software_merge",
    ),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/activation/",
        views.catalogue_software_toggle,
        name="catalogue_software_toggle",
    ),
    path(
        "parametres/catalogues/plateformes/",
        views.catalogue_platforms,
        name="catalogue_platforms",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/",
        views.catalogue_platform_edit,
        name="catalogue_platform_edit",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/fusionner/",
        views.catalogue_platform_merge,
        name="catalogue_platform_merge",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/activation/",
        views.catalogue_platform_toggle,
        name="catalogue_platform_toggle",
    ),
]
