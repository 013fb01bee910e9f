from rest_framework.routers import SimpleRouter

from invoicing.api import InvoiceViewSet

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="api-invoice")
urlpatterns = router.urls
