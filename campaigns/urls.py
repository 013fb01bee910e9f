from django.urls import path

from campaigns import views

CAMPAIGN = "campagnes/<int:campaign_id>/"

urlpatterns = [
    path("campagnes/", views.campaign_list, name="campaign_list"),
    path(CAMPAIGN, views.campaign_detail, name="campaign_detail"),
    path(CAMPAIGN + "apercu/", views.campaign_preview, name="campaign_preview"),
    path(CAMPAIGN + "test/", views.campaign_test, name="campaign_test"),
    path(CAMPAIGN + "envoyer/", views.campaign_send, name="campaign_send"),
    path(
        CAMPAIGN + "destinataires/<int:recipient_id>/resolution/",
        views.recipient_resolve,
        name="campaign_recipient_resolve",
    ),
]
