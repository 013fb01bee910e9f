from django.urls import path

from portfolio import views

urlpatterns = [
    path("cartographie/", views.dashboard, name="portfolio_dashboard"),
    path("cartographie/actions/", views.bulk_action, name="portfolio_bulk_action"),
]
