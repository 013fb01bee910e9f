"""``/api/v1/clients/<client_id>/cartography/`` and ``/api/v1/catalogue/…``, scoped like the web
app: the firm of the token, the clients the member may see (others are a 404), catalogue writes
for administrators. Every change goes through :mod:`cartography.services`."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cartography import selectors, services
from cartography.forms import PlatformForm, SoftwareProductForm
from cartography.models import (
    Platform,
    PlatformRole,
    PlatformStatus,
    SoftwareCategory,
    SoftwareProduct,
)
from clients.models import Client
from firms.api_forms import form_data_from_json, validated_data
from firms.models import Role


class ProductSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = SoftwareProduct
        fields = ["id", "vendor", "name", "label", "category", "reform_ready", "notes", "is_active"]
        read_only_fields = ["id", "label"]
        # As the catalogue page's form reads them (SoftwareProductForm).
        extra_kwargs = {
            "vendor": {"required": False, "allow_blank": True},
            "reform_ready": {"required": False},
            "notes": {"required": False},
            "is_active": {"required": False},
        }


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = [
            "id",
            "name",
            "registration_status",
            "registered_on",
            "from_official_list",
            "is_active",
            "notes",
        ]
        read_only_fields = ["id", "registration_status", "registered_on", "from_official_list"]
        # As the catalogue page's form reads them (PlatformForm).
        extra_kwargs = {"notes": {"required": False}, "is_active": {"required": False}}


class ClientSoftwareSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    product = serializers.IntegerField(required=False, allow_null=True)
    label = serializers.CharField(read_only=True)
    vendor = serializers.CharField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=SoftwareCategory.choices, required=False)
    version = serializers.CharField(required=False, allow_blank=True, default="")
    used_for_issuing = serializers.BooleanField(required=False, default=False)
    used_for_receiving = serializers.BooleanField(required=False, default=False)
    reform_ready = serializers.CharField(read_only=True)


class ClientPlatformSerializer(serializers.Serializer):
    platform = serializers.IntegerField()
    platform_name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=PlatformStatus.choices)
    on = serializers.DateField(required=False, write_only=True)
    status_dates = serializers.DictField(child=serializers.CharField(), read_only=True)


class PlatformsSerializer(serializers.Serializer):
    reception = ClientPlatformSerializer(allow_null=True, required=False)
    issuing = ClientPlatformSerializer(allow_null=True, required=False)


class CartographySerializer(serializers.Serializer):
    """GET: the whole cartography. PATCH: any of ``profile`` (answers to change, by code),
    ``platforms`` (per role, an object or null to remove) and ``software`` (the full list:
    items with an ``id`` are updated, without one added, the missing ones removed)."""

    client = serializers.IntegerField(read_only=True)
    profile = serializers.DictField(required=False)
    software = ClientSoftwareSerializer(many=True, required=False)
    platforms = PlatformsSerializer(required=False)


def _representation(firm, client: Client) -> dict:
    cartography = selectors.client_cartography(firm, client)
    return {
        "client": client.pk,
        "profile": cartography.answers,
        "software": [
            {
                "id": item.pk,
                "product": item.product_id,
                "label": item.label,
                "vendor": item.product.vendor if item.product else item.vendor,
                "name": item.product.name if item.product else item.name,
                "category": item.category,
                "version": item.version,
                "used_for_issuing": item.used_for_issuing,
                "used_for_receiving": item.used_for_receiving,
                "reform_ready": item.reform_ready,
            }
            for item in cartography.software
        ],
        "platforms": {
            role: None
            if current is None
            else {
                "platform": current.platform_id,
                "platform_name": current.platform.name,
                "status": current.status,
                "status_dates": current.status_dates,
            }
            for role, current in cartography.platforms.items()
        },
    }


def _raise(error: DjangoValidationError, prefix: str) -> None:
    detail = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    raise ValidationError({prefix: detail})


class ClientCartographyViewSet(viewsets.ViewSet):
    lookup_url_kwarg = "client_id"
    lookup_value_converter = "int"

    def _client(self, client_id: int) -> Client:
        return get_object_or_404(Client.objects.visible_to(self.request.membership), pk=client_id)

    @extend_schema(responses=CartographySerializer)
    def retrieve(self, request: Request, client_id: int) -> Response:
        client = self._client(client_id)
        return Response(_representation(request.firm, client))

    @extend_schema(request=CartographySerializer, responses=CartographySerializer)
    def partial_update(self, request: Request, client_id: int) -> Response:
        client = self._client(client_id)
        payload = CartographySerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with transaction.atomic():
            if "profile" in data:
                try:
                    services.save_digital_profile(
                        firm=request.firm, client=client, answers=data["profile"], by=request.user
                    )
                except DjangoValidationError as error:
                    _raise(error, "profile")
            for role, value in data.get("platforms", {}).items():
                self._platform(client, role, value)
            if "software" in data:
                self._software(client, data["software"])
        return Response(_representation(request.firm, client))

    def _platform(self, client: Client, role: str, value: dict | None) -> None:
        firm, user = self.request.firm, self.request.user
        if role not in PlatformRole.values:
            raise ValidationError({"platforms": {role: "Usage inconnu."}})
        if value is None:
            services.clear_client_platform(firm=firm, client=client, role=role, by=user)
            return
        if "platform" not in value or "status" not in value:
            # A partial update leaves nested fields optional; a platform needs both.
            raise ValidationError({"platforms": {role: "Indiquez la plateforme et son statut."}})
        platform = (
            selectors.platform_catalogue(firm, include_inactive=True)
            .filter(pk=value["platform"])
            .first()
        )
        if platform is None:
            raise ValidationError({"platforms": {role: _("Plateforme inconnue du catalogue.")}})
        services.set_client_platform(
            firm=firm,
            client=client,
            role=role,
            platform=platform,
            status=value["status"],
            on=value.get("on") or datetime.date.today(),
            by=user,
        )

    def _software(self, client: Client, items: list[dict]) -> None:
        firm, user = self.request.firm, self.request.user
        current = {item.pk: item for item in selectors.client_cartography(firm, client).software}
        products = {p.pk: p for p in selectors.software_catalogue(firm, include_inactive=True)}
        kept = set()
        for index, item in enumerate(items):
            product_id = item.get("product")
            if product_id is not None and product_id not in products:
                raise ValidationError({"software": {index: _("Logiciel inconnu du catalogue.")}})
            values = {**item, "product": products.get(product_id)}
            try:
                if item.get("id") is None:
                    services.add_client_software(firm=firm, client=client, data=values, by=user)
                elif item["id"] in current:
                    kept.add(item["id"])
                    services.update_client_software(
                        firm=firm, item=current[item["id"]], data=values, by=user
                    )
                else:
                    raise ValidationError({"software": {index: _("Logiciel inconnu du client.")}})
            except DjangoValidationError as error:
                _raise(error, "software")
        for pk, item in current.items():
            if pk not in kept:
                services.remove_client_software(firm=firm, item=item, by=user)


class _CatalogueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read for every member; create and update for administrators (403 otherwise). Writes are
    checked by the catalogue page's form, so both say the same messages; ``is_active`` (not on
    the form: the page has its own button) is a typed boolean."""

    lookup_value_converter = "int"
    write_roles = (Role.ADMIN,)
    form_class: type[forms.Form]
    put_is_partial = True  # the payload over the entry's current values (_validated)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs[self.lookup_url_kwarg])

    def _validated(self, entry=None) -> dict:
        """The payload over the entry's current values (an update) or the form's initial ones
        (a new entry), checked by the form."""
        fields = self.form_class.base_fields
        if entry is None:
            data = {name: field.initial for name, field in fields.items() if field.initial}
        else:
            data = {name: getattr(entry, name) for name in fields}
        data.update(self.request.data.items())
        return validated_data(self.form_class(form_data_from_json(self.form_class, data)))

    def _active(self) -> bool | None:
        """``is_active`` as sent, None when it is not: a boolean, or its text ("true",
        "false"…, as a form sends it); not a number, which DRF would read as one."""
        if "is_active" not in self.request.data:
            return None
        value = self.request.data["is_active"]
        field = serializers.BooleanField()
        try:
            if not isinstance(value, bool | str):
                field.fail("invalid", input=value)
            return field.run_validation(value)
        except ValidationError as error:
            raise ValidationError({"is_active": error.detail}) from error

    def _write(self, call, **kwargs):
        try:
            return call(firm=self.request.firm, by=self.request.user, **kwargs)
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ValidationError(detail) from error


class SoftwareCatalogueViewSet(_CatalogueViewSet):
    serializer_class = ProductSerializer
    form_class = SoftwareProductForm
    lookup_url_kwarg = "product_id"

    def get_queryset(self):
        return selectors.software_catalogue(self.request.firm, include_inactive=True)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data, active = self._validated(), self._active()
        product = self._write(services.add_software_product, data=data)
        if active is False:
            product = self._write(
                services.set_software_product_active, product=product, active=False
            )
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        product = self.get_object()
        data, active = self._validated(product), self._active()
        product = self._write(services.update_software_product, product=product, data=data)
        if active is not None and active != product.is_active:
            product = self._write(
                services.set_software_product_active, product=product, active=active
            )
        return Response(ProductSerializer(product).data)


class PlatformCatalogueViewSet(_CatalogueViewSet):
    serializer_class = PlatformSerializer
    form_class = PlatformForm
    lookup_url_kwarg = "platform_id"

    def get_queryset(self):
        return selectors.platform_catalogue(self.request.firm, include_inactive=True)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data, active = self._validated(), self._active()
        platform = self._write(services.add_platform, data=data)
        if active is False:
            platform = self._write(services.set_platform_active, platform=platform, active=False)
        return Response(PlatformSerializer(platform).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        platform = self.get_object()
        data, active = self._validated(platform), self._active()
        platform = self._write(services.update_platform, platform=platform, data=data)
        if active is not None and active != platform.is_active:
            platform = self._write(services.set_platform_active, platform=platform, active=active)
        return Response(PlatformSerializer(platform).data)
