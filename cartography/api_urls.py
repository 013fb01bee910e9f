from django.urls import path
from rest_framework.routers import SimpleRouter

from cartography.api import (
    ClientCartographyViewSet,
    PlatformCatalogueViewSet,
    SoftwareCatalogueViewSet,
)

router = SimpleRouter(use_regex_path=False)
router.register("catalogue/software", SoftwareCatalogueViewSet, basename="api-catalogue-software")
router.register("catalogue/platforms", PlatformCatalogueViewSet, basename="api-catalogue-platform")

urlpatterns = [
    path(
        "clients/<int:client_id>/cartography/",
        ClientCartographyViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-client-cartography",
    ),
    *router.urls,
]
