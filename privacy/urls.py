from django.urls import path

from privacy import views

urlpatterns = [
    path("parametres/donnees/", views.firm_data, name="firm_data"),
    path("parametres/donnees/export/", views.firm_data_export, name="firm_data_export"),
    path("parametres/donnees/personnes/", views.persons, name="person_data"),
    path("parametres/donnees/personnes/export/", views.person_export, name="person_data_export"),
    path("parametres/donnees/personnes/effacer/", views.person_erase, name="person_data_erase"),
]
