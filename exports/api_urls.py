from rest_framework.routers import SimpleRouter

from exports.api import ExportViewSet

router = SimpleRouter(use_regex_path=False)
router.register("exports", ExportViewSet, basename="api-export")
urlpatterns = router.urls
