from django.urls import path

from fiscal_questionnaire.api import ClientAnswersView, ClientObligationsView

urlpatterns = [
    path(
        "clients/<int:client_id>/answers/",
        ClientAnswersView.as_view(),
        name="api-client-answers",
    ),
    path(
        "clients/<int:client_id>/obligations/",
        ClientObligationsView.as_view(),
        name="api-client-obligations",
    ),
]
