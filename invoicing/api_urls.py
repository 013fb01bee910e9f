from rest_framework.routers import SimpleRouter

from invoicing.api import InvoiceViewSet
from invoicing.payment_api import PaymentViewSet

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="api-invoice")
router.register(
    "invoices/<int:invoice_id>/payments", PaymentViewSet, basename="api-invoice-payment"
)
urlpatterns = router.urls
