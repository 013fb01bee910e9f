from django.urls import path

from privacy import views

urlpatterns = [
    path("parametres/donnees/", views.firm_data, name="firm_data"),
    path("parametres/donnees/export/", views.firm_data_export, name="firm_data_export"),
]
