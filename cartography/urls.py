from django.urls import URLPattern, path

from cartography.views import catalogue, client

CLIENT = "clients/<int:client_id>/cartographie/"


def _catalogue_routes(segment: str, pages: catalogue.CataloguePages) -> list[URLPattern]:
    """The four pages of one catalogue, named as in ``pages`` (``catalogue_software_edit``…);
    the entry id keeps the name of its kind (``<int:product_id>``, ``<int:platform_id>``)."""
    base = f"parametres/catalogues/{segment}/"
    entry = f"{base}<int:{pages.entry_name}_id>/"
    options = {"catalogue": pages}
    return [
        path(base, catalogue.catalogue_list, options, name=pages.list_url),
        path(entry, catalogue.catalogue_edit, options, name=pages.edit_url),
        path(entry + "fusionner/", catalogue.catalogue_merge, options, name=pages.merge_url),
        path(entry + "activation/", catalogue.catalogue_toggle, options, name=pages.toggle_url),
    ]


urlpatterns = [
    path(CLIENT, client.client_cartography, name="client_cartography"),
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
    *_catalogue_routes("logiciels", catalogue.SOFTWARE),
    *_catalogue_routes("plateformes", catalogue.PLATFORMS),
]
