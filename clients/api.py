"""``/api/v1/clients/``: the client list and sheet, scoped exactly like the web app."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clients import services
from clients.concurrency import EditConflict, StaleVersion, client_values, client_version
from clients.forms import ClientForm
from clients.models import Client
from clients.selectors import SORTS, UNASSIGNED, ClientFilters, filter_clients
from firms.api_forms import form_data_from_json, validated_data
from firms.api_schema import ErrorSerializer

BAD_COLLABORATOR = (
    "Identifiant de collaborateur invalide : un nombre entier, ou « none » pour les clients "
    "sans collaborateur."
)
STATUSES = ["", *Client.Status.values]
BAD_STATUS = "Statut inconnu : « active », « archived », ou vide pour tous les clients."
BAD_SORT = "Tri inconnu : " + ", ".join(f"« {sort} »" for sort in SORTS) + "."


class ClientSerializer(serializers.ModelSerializer):
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True, required=False)

    class Meta:
        model = Client
        fields = [
            "id",
            *Client.EDITABLE_FIELDS,
            "status",
            "last_reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "last_reviewed_at", "created_at", "updated_at"]


def _form_data(payload: dict, instance: Client | None) -> dict:
    """API payload → the web form's data, so both are checked by the same rules and messages;
    for an update, over the client's current values."""
    data = {}
    if instance is not None:
        for field in ClientForm.Meta.fields:
            value = getattr(instance, "assigned_to_id" if field == "assigned_to" else field)
            data[field] = value
    data.update(payload)
    return form_data_from_json(ClientForm, data, lists=("billing_emails", "tags"))


def _with_version(response: Response, client: Client) -> Response:
    """The client's version as the response's ETag, to send back in If-Match."""
    response["ETag"] = f'"{client_version(client)}"'
    return response


def _if_match(request: Request) -> list[str] | None:
    """The versions an If-Match header accepts; ``None`` without one or with ``*`` (any). A
    weak tag (``W/"…"``) never matches: a change needs the exact version."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tags = (tag.strip() for tag in header.split(","))
    return [tag[1:-1] for tag in tags if len(tag) > 1 and tag[0] == tag[-1] == '"']


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "L'ETag reçu avec le client : si le client a changé depuis, rien n'est enregistré "
        "(412). Sans cet en-tête, un champ modifié entre-temps par quelqu'un d'autre donne "
        "un conflit (409)."
    ),
)


class ConflictSerializer(serializers.Serializer):
    """A 409: the fields someone else changed meanwhile, each with both values."""

    detail = serializers.CharField()
    conflicts = serializers.DictField(
        child=serializers.DictField(),
        help_text="Par champ : « theirs » (leur valeur), « yours » (la vôtre), « by » (qui).",
    )


WRITE_RESPONSES = {
    200: ClientSerializer,
    409: ConflictSerializer,
    412: ErrorSerializer,
}


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], responses=WRITE_RESPONSES),
    partial_update=extend_schema(parameters=[IF_MATCH], responses=WRITE_RESPONSES),
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Raison sociale, SIREN ou contact"),
            OpenApiParameter(
                "collaborator", str, description="Identifiant d'utilisateur, ou « none »"
            ),
            OpenApiParameter(
                "status", str, enum=STATUSES, description="« active » sans ce paramètre"
            ),
            OpenApiParameter("tag", str),
            OpenApiParameter("sort", str, enum=list(SORTS), description="« name » sans lui"),
        ]
    ),
)
class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClientSerializer
    form_class = ClientForm  # checks the bodies (and says so in the schema)
    put_is_partial = True  # see update()
    lookup_url_kwarg = "client_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        membership = self.request.membership
        if self.action == "list":
            params = self.request.query_params
            # The web list falls back to its defaults; the API says what it cannot read.
            if params.get("status", "") not in STATUSES:
                raise ValidationError({"status": [BAD_STATUS]})
            if (params.get("sort") or "name") not in SORTS:
                raise ValidationError({"sort": [BAD_SORT]})
            filters = ClientFilters.from_params(params)
            if filters.collaborator not in ("", UNASSIGNED) and filters.collaborator_id is None:
                raise ValidationError({"collaborator": [BAD_COLLABORATOR]})
            return filter_clients(membership, filters)
        return Client.objects.visible_to(membership)

    def get_object(self) -> Client:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["client_id"])

    def _validated(self, instance: Client | None) -> dict:
        # Read before validation: a ModelForm writes the posted values onto its instance.
        current_assignee = instance.assigned_to if instance else self.request.user
        form = ClientForm(
            _form_data(self.request.data, instance), instance=instance, firm=self.request.firm
        )
        data = validated_data(form)
        if not self.request.membership.sees_whole_firm:
            # Collaborators keep their clients; only supervisors reassign.
            data["assigned_to"] = current_assignee
        return data

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_object()
        return _with_version(Response(ClientSerializer(client).data), client)

    def create(self, request: Request, *args, **kwargs) -> Response:
        client = services.create_client(
            firm=request.firm, data=self._validated(None), by=request.user
        )
        response = Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)
        return _with_version(response, client)

    def update(self, request: Request, *args, **kwargs) -> Response:
        # PUT and PATCH both apply the fields given over the current values; only those that
        # differ from the values read here are written.
        client = self.get_object()
        loaded = client_values(client)  # before validation: the form writes on the instance
        data = self._validated(client)
        try:
            client = services.update_client(
                firm=request.firm,
                client=client,
                data=data,
                by=request.user,
                loaded=loaded,
                expected_versions=_if_match(request),
            )
        except StaleVersion as stale:
            return Response(
                {
                    "detail": "Ce client a été modifié depuis que vous l'avez lu (If-Match) : "
                    "rien n'est enregistré. Relisez-le, puis refaites votre modification."
                },
                status=status.HTTP_412_PRECONDITION_FAILED,
                headers={"ETag": f'"{stale.current_version}"'},
            )
        except EditConflict as conflict:
            return Response(
                {
                    "detail": "Ce client a été modifié entre-temps : rien n'est enregistré.",
                    "conflicts": {
                        each.field: {"theirs": each.theirs, "yours": each.yours, "by": each.by}
                        for each in conflict.conflicts
                    },
                },
                status=status.HTTP_409_CONFLICT,
            )
        return _with_version(Response(ClientSerializer(client).data), client)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, client_id: int) -> Response:
        client = services.archive_client(
            firm=request.firm, client=self.get_object(), by=request.user
        )
        return _with_version(Response(ClientSerializer(client).data), client)

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, client_id: int) -> Response:
        client = services.restore_client(
            firm=request.firm, client=self.get_object(), by=request.user
        )
        return _with_version(Response(ClientSerializer(client).data), client)
