from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from firms.models import Membership


class MembershipTokenAuthentication(BaseAuthentication):
    """``Authorization: Token pfe_…``. The firm middleware has already checked the token and
    entered the firm scope; this only hands DRF the user it found."""

    keyword = "Token"

    def authenticate(self, request: Request):
        membership: Membership | None = getattr(request._request, "membership", None)
        if membership is None or not hasattr(request._request, "api_user"):
            if request.headers.get("Authorization", "").startswith(f"{self.keyword} "):
                raise AuthenticationFailed(_("Jeton invalide ou révoqué."))
            return None
        return (request._request.api_user, membership)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = MembershipTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "« Token pfe_… », créé dans Paramètres › Jetons d'API. "
            "Le jeton vaut pour un cabinet.",
        }
