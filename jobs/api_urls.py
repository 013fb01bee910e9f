from rest_framework.routers import SimpleRouter

from jobs.api import JobViewSet

router = SimpleRouter(use_regex_path=False)
router.register("jobs", JobViewSet, basename="api-job")
urlpatterns = router.urls
