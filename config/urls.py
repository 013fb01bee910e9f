from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from firms import views as firm_views
from firms.forms import LoginForm

account_patterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        firm_views.PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

firm_patterns = [
    path("", firm_views.firm_home, name="firm_home"),
    path("", include("clients.urls")),
    path("", include("fiscal_questionnaire.urls")),
    path("", include("cartography.urls")),
    path("", include("mandates.urls")),
    path("", include("portfolio.urls")),
    path("", include("invoicing.urls")),
    path("", include("jobs.urls")),
    path("", include("exports.urls")),
    path("", include("scoring.urls")),
    path("parametres/", include("firms.urls")),
]

api_patterns = [
    path("me/", include("firms.api_urls")),
    path("", include("clients.api_urls")),
    path("", include("cartography.api_urls")),
    path("", include("fiscal_questionnaire.api_urls")),
    path("", include("mandates.api_urls")),
    path("", include("scoring.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("exports.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_docs",
    ),
]

urlpatterns = [
    path("", firm_views.home, name="home"),
    path("compte/", include(account_patterns)),
    path("invitations/<str:token>/", firm_views.accept_invitation, name="accept_invitation"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("f/<slug:firm_slug>/", include(firm_patterns)),
    path("api/v1/", include(api_patterns)),
]
