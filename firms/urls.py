from django.urls import path

from firms import views

urlpatterns = [
    path("", views.firm_settings, name="firm_settings"),
    path("logo/", views.firm_logo, name="firm_logo"),
    path("logo/image/", views.firm_logo_image, name="firm_logo_image"),
    path("membres/", views.members, name="firm_members"),
    path("membres/<int:member_id>/", views.member_update, name="firm_member_update"),
    path(
        "invitations/<int:invitation_id>/revoquer/",
        views.invitation_revoke,
        name="firm_invitation_revoke",
    ),
    path("jetons/", views.api_tokens, name="api_tokens"),
    path("jetons/<int:token_id>/revoquer/", views.api_token_revoke, name="api_token_revoke"),
]
