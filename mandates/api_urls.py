from rest_framework.routers import SimpleRouter

from mandates.api import MandateViewSet

router = SimpleRouter(use_regex_path=False)
router.register("mandates", MandateViewSet, basename="api-mandate")
urlpatterns = router.urls
