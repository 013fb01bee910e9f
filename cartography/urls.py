from django.urls import path

from cartography import views

urlpatterns = [path("cartographie/", views.dashboard, name="cartography_dashboard")]
