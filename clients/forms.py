from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from clients import concurrency
from clients.models import Client
from clients.naf import naf_label
from firms.models import Firm, Membership, User
from firms.validators import clean_mobile_number, clean_siren, clean_siret, clean_vat_number

NAF_FORMAT = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")
FISCAL_YEAR_END = re.compile(r"^(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])$")
LIST_SEPARATORS = re.compile(r"[,;\n]+")
# The empty choice of every collaborator select (the bulk reassignment bar says it too).
NOBODY = _("— Personne (à attribuer) —")


def split_list(value: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATORS.split(value or "") if item.strip()]


def firm_members(firm: Firm):
    """The users a client can be assigned to: the firm's active members."""
    members = Membership.objects.for_firm(firm).filter(is_active=True)
    return User.objects.filter(pk__in=members.values("user_id")).order_by("full_name")


class ClientForm(forms.ModelForm):
    """The client's identity and contact. The same form checks web edits, API payloads and
    import rows, so a mistake gets the same French message everywhere."""

    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET du siège"), max_length=30, required=False)
    vat_number = forms.CharField(
        label=_("TVA intracommunautaire"),
        max_length=30,
        required=False,
        help_text=_("Calculée depuis le SIREN si vous la laissez vide."),
    )
    naf_code = forms.CharField(label=_("Code NAF/APE"), max_length=10, required=False)
    billing_emails = forms.CharField(
        label=_("E-mails de facturation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une adresse par ligne, ou séparées par des virgules."),
    )
    tags = forms.CharField(
        label=_("Étiquettes"), required=False, help_text=_("Séparées par des virgules.")
    )

    class Meta:
        model = Client
        fields = list(Client.EDITABLE_FIELDS)

    def __init__(
        self, *args, firm: Firm, check_siren_unique: bool = True, members=None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.firm = firm
        # The import decides create or update by SIREN itself, for a whole chunk at once.
        self.check_siren_unique = check_siren_unique
        # ``members``: firm_members(firm) built once by a caller checking many rows.
        self.fields["assigned_to"].queryset = firm_members(firm) if members is None else members
        self.fields["assigned_to"].label = _("Collaborateur")
        self.fields["assigned_to"].empty_label = NOBODY
        self.fields["invoice_delivery"].required = False
        self.fields["signer_civility"].choices = [("", "—"), *Client.Civility.choices]
        if self.instance.pk and not self.is_bound:
            self.initial["billing_emails"] = "\n".join(self.instance.billing_emails)
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean_siren(self) -> str:
        value = clean_siren(self.cleaned_data["siren"])
        if not value:
            raise forms.ValidationError(_("Le SIREN est obligatoire."), code="required")
        if not self.check_siren_unique:
            return value
        duplicate = Client.objects.for_firm(self.firm).filter(siren=value)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(
                _("Un client du cabinet a déjà ce SIREN."), code="siren_taken"
            )
        return value

    def clean_naf_code(self) -> str:
        value = (self.cleaned_data["naf_code"] or "").strip().upper().replace(" ", "")
        if not value:
            return ""
        if not NAF_FORMAT.match(value):
            raise forms.ValidationError(
                _("Code NAF au format 2 chiffres, point, 2 chiffres et une lettre (ex. 56.10A)."),
                code="naf_format",
            )
        value = f"{value[:2]}.{value[-3:]}"
        if not naf_label(value):
            raise forms.ValidationError(
                _("Ce code NAF n'existe pas dans la nomenclature."), code="naf_unknown"
            )
        return value

    def clean_invoice_delivery(self) -> str:
        return self.cleaned_data["invoice_delivery"] or Client.Delivery.EMAIL

    def clean_signer_mobile(self) -> str:
        return clean_mobile_number(self.cleaned_data["signer_mobile"])

    def clean_vat_number(self) -> str:
        return clean_vat_number(self.cleaned_data["vat_number"])

    def clean_fiscal_year_end(self) -> str:
        value = (self.cleaned_data["fiscal_year_end"] or "").strip()
        if value and not FISCAL_YEAR_END.match(value):
            raise forms.ValidationError(
                _("Date de clôture au format JJ/MM (ex. 31/12)."), code="year_end_format"
            )
        return value

    def clean_billing_emails(self) -> list[str]:
        emails = [email.lower() for email in split_list(self.cleaned_data["billing_emails"])]
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    _("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email},
                    code="email",
                ) from error
        return list(dict.fromkeys(emails))

    def clean_tags(self) -> list[str]:
        return list(dict.fromkeys(tag[:40] for tag in split_list(self.cleaned_data["tags"])))

    def clean(self) -> dict:
        data = super().clean()
        siren_value = data.get("siren", "")
        if "siret" in data:
            try:
                data["siret"] = clean_siret(data["siret"], siren_value=siren_value)
            except forms.ValidationError as error:
                self.add_error("siret", error)
        vat = data.get("vat_number")
        if siren_value and vat and not vat.endswith(siren_value):
            self.add_error("vat_number", _("Ce numéro de TVA ne correspond pas au SIREN."))
        return data


class ClientEditForm(ClientForm):
    """The client form of the web app's edit page. It carries the values it was loaded with
    (see ``clients.concurrency``), so that a save writes only what the person changed and
    never puts back what someone else saved meanwhile."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The values shown when the form is not bound: the stored ones.
        self.initial["loaded"] = concurrency.loaded_token(
            concurrency.client_scope(self.instance), concurrency.client_values(self.instance)
        )

    def loaded_values(self) -> dict[str, object] | None:
        """The values the posted form was loaded with (``None``: unknown)."""
        return concurrency.read_loaded_token(
            self.data.get("loaded", ""), concurrency.client_scope(self.instance)
        )
