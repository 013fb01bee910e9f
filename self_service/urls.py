from django.urls import path

from self_service import views

CLIENT = "clients/<int:client_id>/questionnaire-client/"

urlpatterns = [
    path(CLIENT, views.review, name="self_service_review"),
    path(CLIENT + "lien/", views.create_link, name="self_service_create_link"),
    path(CLIENT + "revoquer/", views.revoke_link, name="self_service_revoke_link"),
    path(CLIENT + "reponses/<int:field_id>/", views.decide, name="self_service_decide"),
    path("parametres/questionnaire-client/", views.settings_page, name="self_service_settings"),
]
