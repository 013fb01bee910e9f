from django.urls import path

from clients import views

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/export/", views.client_export, name="client_export"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
]
