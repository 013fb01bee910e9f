from rest_framework.routers import SimpleRouter

from self_service.api import ClientAnswerViewSet

router = SimpleRouter(use_regex_path=False)
router.register("client-answers", ClientAnswerViewSet, basename="api-client-answer")
urlpatterns = router.urls
