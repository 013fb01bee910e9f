from django.urls import path

from cartography.views import catalogue, client, dashboard

CLIENT = "clients/<int:client_id>/cartographie/"

urlpatterns = [
    path("cartographie/", dashboard.dashboard, name="cartography_dashboard"),
    path(
        "cartographie/reattribuer/",
        dashboard.dashboard_reassign,
        name="cartography_dashboard_reassign",
    ),
    path(CLIENT + "logiciels/", client.client_software_add, name="cartography_software_add"),
    path(
        CLIENT + "logiciels/recherche/",
        client.software_search,
        name="cartography_software_search",
    ),
    path(
        CLIENT + "logiciels/<int:software_id>/",
        client.client_software_edit,
        name="cartography_software_edit",
    ),
    path(
        CLIENT + "logiciels/<int:software_id>/retirer/",
        client.client_software_remove,
        name="cartography_software_remove",
    ),
    path(
        CLIENT + "plateformes/<str:role>/",
        client.client_platform_set,
        name="cartography_platform_set",
    ),
    path(CLIENT + "profil/", client.client_profile_save, name="cartography_profile_save"),
    path(
        "parametres/catalogues/logiciels/", catalogue.catalogue_software, name="catalogue_software"
    ),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/",
        catalogue.catalogue_software_edit,
        name="catalogue_software_edit",
    ),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/fusionner/",
        catalogue.catalogue_software_merge,
        name="catalogue_software_merge",
    ),
    path(
        "parametres/catalogues/logiciels/<int:product_id>/activation/",
        catalogue.catalogue_software_toggle,
        name="catalogue_software_toggle",
    ),
    path(
        "parametres/catalogues/plateformes/",
        catalogue.catalogue_platforms,
        name="catalogue_platforms",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/",
        catalogue.catalogue_platform_edit,
        name="catalogue_platform_edit",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/fusionner/",
        catalogue.catalogue_platform_merge,
        name="catalogue_platform_merge",
    ),
    path(
        "parametres/catalogues/plateformes/<int:platform_id>/activation/",
        catalogue.catalogue_platform_toggle,
        name="catalogue_platform_toggle",
    ),
]
