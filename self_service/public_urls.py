"""The public pages of a link, outside any firm's login: /q/<token>/…"""

from django.urls import path

from self_service import public_views

app_name = "self_service"

urlpatterns = [
    path("<str:token>/", public_views.questionnaire, name="questionnaire"),
    path("<str:token>/reponse/<str:code>/", public_views.save_field, name="save_field"),
    path("<str:token>/envoyer/", public_views.submit, name="submit"),
    path("<str:token>/logo/", public_views.logo, name="logo"),
]
