"""``/api/v1/campaigns/``: the firm's campaigns (supervisors and administrators), created from
a list of clients, previewed on three of them and sent through the same services, checks and
French messages as the web pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, CampaignKind, recipient_state
from clients.models import Client
from firms.access import SUPERVISION_ROLES
from firms.api_forms import form_data_from_json
from firms.api_schema import error_response
from firms.parameters import ID_MAX
from firms.services import site_url

NOT_ALLOWED = error_response("Les campagnes sont réservées aux superviseurs et administrateurs.")
NOT_A_DRAFT = error_response("La campagne est déjà envoyée ou en cours d'envoi.")


class SupervisionOnly(BasePermission):
    message = "Les campagnes sont réservées aux superviseurs et administrateurs."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.role in SUPERVISION_ROLES


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    subject = serializers.CharField()
    body = serializers.CharField()
    include_link = serializers.BooleanField()
    status = serializers.CharField()
    filter_snapshot = serializers.DictField()
    created_at = serializers.DateTimeField()
    send_started_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    funnel = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    job = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()


class CreateSerializer(serializers.Serializer):
    clients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        min_length=1,
        max_length=services.MAX_RECIPIENTS,
        help_text="Les identifiants des clients.",
    )
    kind = serializers.ChoiceField(choices=CampaignKind.choices, required=False)
    subject = serializers.CharField(
        required=False, max_length=200, help_text="Par défaut, le modèle du cabinet."
    )
    body = serializers.CharField(required=False, max_length=20_000)
    include_link = serializers.BooleanField(required=False)


class PreviewSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    email = serializers.CharField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()


class PreviewListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PreviewSerializer(many=True)


class RecipientSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    company_name = serializers.CharField(source="client.company_name")
    email = serializers.CharField()
    state = serializers.SerializerMethodField()
    skipped_reason = serializers.CharField()
    enqueued_at = serializers.DateTimeField(allow_null=True)
    error = serializers.SerializerMethodField()

    def get_state(self, recipient) -> str:
        return recipient_state(recipient)

    def get_error(self, recipient) -> str:
        return recipient.message.last_error if recipient.message_id else ""


class RecipientPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = RecipientSerializer(many=True)


def campaign_data(firm, campaign: Campaign) -> dict:
    funnel = selectors.funnel_of(firm, campaign)
    return {
        "id": campaign.pk,
        "kind": campaign.kind,
        "subject": campaign.subject,
        "body": campaign.body,
        "include_link": campaign.include_link,
        "status": campaign.status,
        "filter_snapshot": campaign.filter_snapshot,
        "created_at": campaign.created_at,
        "send_started_at": campaign.send_started_at,
        "sent_at": campaign.sent_at,
        "counts": {
            "recipients": campaign.recipient_count,
            "sent": campaign.sent_count,
            "waiting": campaign.waiting_count,
            "failed": campaign.failed_count,
            "unknown": campaign.unknown_count,
            "skipped": campaign.skipped_count,
        },
        "funnel": {
            "sent": funnel.sent,
            "opened": funnel.opened,
            "submitted": funnel.submitted,
            "reviewed": funnel.reviewed,
        },
        "job": campaign.job_id,
        "url": reverse("api-campaign-detail", args=[campaign.pk]),
    }


READ_RESPONSES = {403: NOT_ALLOWED}


@extend_schema_view(
    list=extend_schema(responses={200: CampaignSerializer(many=True), **READ_RESPONSES}),
    retrieve=extend_schema(responses={200: CampaignSerializer, **READ_RESPONSES}),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [*viewsets.GenericViewSet.permission_classes, SupervisionOnly]
    serializer_class = CampaignSerializer
    lookup_url_kwarg = "campaign_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.campaigns_of(self.request.firm)

    def get_object(self) -> Campaign:
        return selectors.get_campaign(self.request.firm, self.kwargs["campaign_id"])

    def list(self, request: Request) -> Response:
        """The firm's campaigns, the latest first, with their figures."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([campaign_data(request.firm, c) for c in page])

    def retrieve(self, request: Request, campaign_id: int) -> Response:
        """One campaign: its texts, where it stands, its figures and funnel."""
        return Response(campaign_data(request.firm, self.get_object()))

    @extend_schema(
        request=CreateSerializer,
        responses={
            201: CampaignSerializer,
            404: error_response("Client introuvable, ou hors de portée du jeton."),
        },
    )
    def create(self, request: Request) -> Response:
        """A draft campaign to these clients (texts by default: the French model); its
        recipients are fixed now, those without a usable e-mail listed as not sent."""
        payload = CreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(payload.validated_data["clients"]))
        visible = set(
            Client.objects.visible_to(request.membership)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        missing = [pk for pk in wanted if pk not in visible]
        if missing:
            return Response(
                {"detail": "Client introuvable : " + ", ".join(str(pk) for pk in missing[:20])},
                status=status.HTTP_404_NOT_FOUND,
            )
        texts = self._checked_texts(
            {
                "kind": payload.validated_data.get("kind", CampaignKind.INFORMATION),
                "subject": payload.validated_data.get("subject") or str(services.DEFAULT_SUBJECT),
                "body": payload.validated_data.get("body") or str(services.DEFAULT_BODY),
                "include_link": payload.validated_data.get("include_link", False),
            }
        )
        try:
            campaign = services.create_campaign(
                firm=request.firm,
                by=request.user,
                client_ids=wanted,
                filter_snapshot={"scope": "api"},
                **texts,
            )
        except services.CampaignRefused as error:
            raise ValidationError({"detail": str(error)}) from error
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        campaign = selectors.get_campaign(request.firm, campaign.pk)
        return Response(campaign_data(request.firm, campaign), status=status.HTTP_201_CREATED)

    def _checked_texts(self, data: dict) -> dict:
        form = CampaignForm(form_data_from_json(CampaignForm, data))
        if not form.is_valid():
            raise ValidationError(form.errors)
        cleaned = dict(form.cleaned_data)
        if data.get("include_link") and not form.fields["include_link"].disabled:
            cleaned["include_link"] = True
        elif data.get("include_link"):
            raise ValidationError({"include_link": [str(services.LINK_UNAVAILABLE)]})
        return cleaned

    @extend_schema(request=None, responses={200: PreviewListSerializer, **READ_RESPONSES})
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, campaign_id: int) -> Response:
        """The e-mail as three real clients of the campaign would get it (links shown as
        placeholders)."""
        campaign = self.get_object()
        results = [
            {
                "client": shown.client.pk,
                "email": shown.email,
                "subject": shown.content.subject,
                "text": shown.content.text,
                "html": shown.content.html,
            }
            for shown in services.preview(firm=request.firm, campaign=campaign)
        ]
        return Response({"count": len(results), "results": results})

    @extend_schema(
        request=None,
        responses={202: CampaignSerializer, 409: NOT_A_DRAFT},
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, campaign_id: int) -> Response:
        """Send the campaign in the background, once: each client gets one e-mail through the
        outbox; follow it at its ``url``. A campaign already sent or sending is a 409."""
        campaign = self.get_object()
        try:
            services.start_sending(
                firm=request.firm, campaign=campaign, by=request.user, base_url=site_url(request)
            )
        except services.CampaignRefused as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        campaign = selectors.get_campaign(request.firm, campaign.pk)
        return Response(campaign_data(request.firm, campaign), status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: RecipientPageSerializer, **READ_RESPONSES},
        parameters=[OpenApiParameter("page", int, description="Numéro de page, à partir de 1")],
    )
    @action(detail=True, methods=["get"])
    def recipients(self, request: Request, campaign_id: int) -> Response:
        """The campaign's recipients and where each stands (``skipped``: not sent, with the
        reason; ``pending``: not yet written; else its e-mail's state)."""
        campaign = self.get_object()
        page = self.paginate_queryset(selectors.recipients_of(request.firm, campaign))
        return self.get_paginated_response(RecipientSerializer(page, many=True).data)
