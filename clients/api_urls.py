from rest_framework.routers import SimpleRouter

from clients.api import ClientViewSet

router = SimpleRouter(use_regex_path=False)
router.register("clients", ClientViewSet, basename="api-client")
urlpatterns = router.urls
