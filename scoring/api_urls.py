from django.urls import path

from scoring.api import ClientScoreView

urlpatterns = [
    path("clients/<int:client_id>/score/", ClientScoreView.as_view(), name="api-client-score"),
]
