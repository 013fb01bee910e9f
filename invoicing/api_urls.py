from django.urls import path
from rest_framework.routers import SimpleRouter

from invoicing.api import InvoiceViewSet
from invoicing.payment_api import PaymentViewSet
from invoicing.sending_api import BatchView, SendInvoicesView

router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="api-invoice")
router.register(
    "invoices/<int:invoice_id>/payments", PaymentViewSet, basename="api-invoice-payment"
)
urlpatterns = [
    path("invoices/send/", SendInvoicesView.as_view(), name="api-invoice-send"),
    path("invoices/batches/<int:batch_id>/", BatchView.as_view(), name="api-invoice-batch"),
    *router.urls,
]
