from django.urls import path

from fiscal_questionnaire import views

CLIENT = "clients/<int:client_id>/"

urlpatterns = [
    path(CLIENT + "fiscalite/", views.fiscal_tab, name="client_fiscal"),
    path(CLIENT + "obligations/", views.obligations_tab, name="client_obligations"),
]
