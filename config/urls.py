from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campaigns import views as campaign_views
from firms import two_factor_views
from firms import views as firm_views
from jobs import views as job_views

account_patterns = [
    path("connexion/", two_factor_views.LoginView.as_view(), name="login"),
    path("double-authentification/", two_factor_views.verify, name="two_factor_verify"),
    path("double-authentification/activer/", two_factor_views.setup, name="two_factor_setup"),
    path(
        "double-authentification/codes-de-secours/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "double-authentification/desactiver/",
        two_factor_views.disable,
        name="two_factor_disable",
    ),
    path("securite/", two_factor_views.account_security, name="account_security"),
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
    path("", include("reports.urls")),
    path("", include("portfolio.urls")),
    path("", include("invoicing.urls")),
    path("", include("self_service.urls")),
    path("", include("jobs.urls")),
    path("", include("exports.urls")),
    path("", include("scoring.urls")),
    path("", include("privacy.urls")),
    path("", include("campaigns.urls")),
    path("parametres/", include("firms.urls")),
]

api_patterns = [
    path("me/", include("firms.api_urls")),
    path("", include("clients.api_urls")),
    path("", include("cartography.api_urls")),
    path("", include("fiscal_questionnaire.api_urls")),
    path("", include("mandates.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("invoicing.api_urls")),
    path("", include("self_service.api_urls")),
    path("", include("scoring.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("exports.api_urls")),
    path("", include("campaigns.api_urls")),
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
    path("health/", job_views.health, name="health"),
    path("compte/", include(account_patterns)),
    path("invitations/<str:token>/", firm_views.accept_invitation, name="accept_invitation"),
    path("desabonnement/<str:token>/", campaign_views.unsubscribe, name="campaign_unsubscribe"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("f/<slug:firm_slug>/", include(firm_patterns)),
    # A client's self-service questionnaire: the token carries the firm and the client.
    path("q/", include("self_service.public_urls")),
    path("api/v1/", include(api_patterns)),
]

# The API's unknown addresses answer in JSON, like the rest of the API.
handler404 = "config.api_exceptions.page_not_found"
