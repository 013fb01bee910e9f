from rest_framework.routers import SimpleRouter

from campaigns.api import CampaignViewSet

router = SimpleRouter(use_regex_path=False)
router.register("campaigns", CampaignViewSet, basename="api-campaign")
urlpatterns = router.urls
