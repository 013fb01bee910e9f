"""``/api/v1/clients/<id>/answers/`` and ``/obligations/``: the questionnaire through the API.

Scoped exactly like ``clients/api.py``: the token's membership, and a client the member may not
see is a 404. Answers are JSON values checked by the catalogue (``validate_answers``), so a bad
value gets the same message as from the ``derive_obligations`` command.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from fiscal_questionnaire import services
from fiscal_questionnaire.models import Answer, Obligations, ReportingFrequency, SizeCategory
from fiscal_questionnaire.questions import (
    QUESTIONNAIRE_VERSION,
    InvalidAnswers,
    visible_questions,
)
from fiscal_questionnaire.rules import RESULT_KEYS, derive_obligations
from fiscal_questionnaire.selectors import client_answers, client_obligations
from fiscal_questionnaire.services import TEXT_FIELDS


class AnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.SerializerMethodField()
    outdated = serializers.BooleanField(source="is_outdated")
    value = serializers.JSONField()

    class Meta:
        model = Answer
        fields = [
            "code",
            "value",
            "questionnaire_version",
            "outdated",
            "answered_by",
            "answered_at",
        ]

    def get_answered_by(self, answer: Answer) -> dict | None:
        user = answer.answered_by
        return {"id": user.pk, "full_name": user.full_name} if user else None


class AnswersSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    questionnaire_version = serializers.IntegerField()
    visible_questions = serializers.ListField(child=serializers.CharField())
    answers = AnswerSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    text = serializers.CharField()
    reference = serializers.CharField()


class ObligationsSerializer(serializers.ModelSerializer):
    # null while undecided or not applicable, as derive_obligations says it
    size_category = serializers.ChoiceField(choices=SizeCategory.choices, allow_null=True)
    e_reporting_frequency = serializers.ChoiceField(
        choices=ReportingFrequency.choices, allow_null=True
    )
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Les questions qui décideraient le reste."
    )
    reasons = ReasonSerializer(many=True)
    # null while the client has no answer: nothing is stored yet
    questionnaire_version = serializers.IntegerField(allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Obligations
        fields = [*RESULT_KEYS, "questionnaire_version", "computed_at"]

    def to_representation(self, instance: Obligations) -> dict:
        data = super().to_representation(instance)
        # As derive_obligations says it: null, not "", while undecided or not applicable.
        for name in TEXT_FIELDS:
            data[name] = data[name] or None
        return data


def _client(request: Request, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.membership), pk=client_id)


def _answers_payload(request: Request, client: Client) -> dict:
    answers = client_answers(request.firm, client)
    values = {code: answer.value for code, answer in answers.items()}
    return AnswersSerializer(
        {
            "client": client.pk,
            "questionnaire_version": QUESTIONNAIRE_VERSION,
            "visible_questions": visible_questions(values),
            "answers": list(answers.values()),
        }
    ).data


class ClientAnswersView(APIView):
    @extend_schema(responses=AnswersSerializer)
    def get(self, request: Request, client_id: int) -> Response:
        """Every answer of the client, with its questionnaire version, who gave it and when."""
        return Response(_answers_payload(request, _client(request, client_id)))

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses=AnswersSerializer,
        examples=[
            OpenApiExample(
                "Réponses", value={"vat_liable": True, "turnover_eur": 1500000, "sells_b2c": None}
            )
        ],
    )
    def patch(self, request: Request, client_id: int) -> Response:
        """Set answers ({code: value}); ``null`` removes one. 400 with {code: message}."""
        client = _client(request, client_id)
        try:
            services.save_answers(
                firm=request.firm, client=client, values=request.data, by=request.user
            )
        except InvalidAnswers as invalid:
            return Response(invalid.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(_answers_payload(request, client))


class ClientObligationsView(APIView):
    @extend_schema(responses=ObligationsSerializer)
    def get(self, request: Request, client_id: int) -> Response:
        """The obligations stored for the client, as ``derive_obligations`` gives them.

        While the client has no answer, nothing is decided: the result for no answers, with a
        null version and computation date.
        """
        obligations = client_obligations(request.firm, _client(request, client_id))
        if obligations is None:
            nothing = {**derive_obligations({}), "questionnaire_version": None, "computed_at": None}
            return Response(nothing)
        return Response(ObligationsSerializer(obligations).data)
