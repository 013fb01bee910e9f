from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from firms.models import Membership


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    firm = serializers.CharField()
    firm_slug = serializers.CharField()
    role = serializers.CharField()


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The user and firm the token stands for."""
    membership: Membership = request.auth
    data = {
        "email": request.user.email,
        "full_name": request.user.full_name,
        "firm": membership.firm.name,
        "firm_slug": membership.firm.slug,
        "role": membership.role,
    }
    return Response(MeSerializer(data).data)
