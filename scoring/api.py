"""``/api/v1/clients/<id>/score/``: a client's urgency score, read-only (it is computed)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from scoring.models import ClientScore
from scoring.services import SCORE_FIELDS


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientScore
        fields = SCORE_FIELDS


class ClientScoreView(APIView):
    @extend_schema(responses=ScoreSerializer)
    def get(self, request: Request, client_id: int) -> Response:
        client = get_object_or_404(Client.objects.visible_to(request.membership), pk=client_id)
        score = ClientScore.objects.for_firm(request.firm).filter(client=client).first()
        if score is None:
            raise Http404(_("Ce client n'a pas encore de score."))
        return Response(ScoreSerializer(score).data)
