from __future__ import annotations

from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cartography.models import (
    DigitalMaturity,
    InvoiceTool,
    PlatformRole,
    PlatformStatus,
    PurchaseEntry,
    ReformReadiness,
    SoftwareCategory,
)
from cartography.selectors import (
    PlatformOption,
    find_product_by_label,
    platform_catalogue,
    platform_options,
    software_catalogue,
)
from firms.models import Firm

YES_NO = [("", "—"), ("true", _("Oui")), ("false", _("Non"))]
# Dates are typed the French way in a text input: a native date input would show the browser's
# format (mm/dd/yyyy in an English browser) whatever the page's language. ISO is still read.
FRENCH_DATE_FORMAT = "%d/%m/%Y"
FRENCH_DATE_INPUT_FORMATS = [FRENCH_DATE_FORMAT, "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d"]


class QuickSelect(forms.Select):
    """A select whose options are written in Python from its choices: Django's own widget builds
    a context per option and renders a template per option, and the catalogue of approved
    platforms (over a hundred of them, twice on the Cartographie tab) made that most of the
    tab's time. Same HTML as Django's (tests/cartography/test_forms.py)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        if not self.use_required_attribute(value):  # what BoundField.build_widget_attrs asks
            attrs.pop("required", None)
        chosen = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, _attributes(attrs))]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group of choices
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(self._option(value, label, chosen) for value, label in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html

    @staticmethod
    def _option(value, label, chosen: set[str]) -> str:
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{selected}>{_escaped(label)}</option>'


def _escaped(text) -> str:
    """conditional_escape without its wrappers (hundreds of options a page): safe text as it
    is, anything else escaped."""
    return text.__html__() if hasattr(text, "__html__") else escape(str(text))


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's widget template writes them: in their order, a True value
    as the bare name, a False one left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _with_blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class ClientSoftwareForm(forms.Form):
    """A software of the client: a catalogue entry (picked in the suggestions, or its label typed
    in full) or a free name."""

    product = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(
        label=_("Logiciel"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "software-catalogue", "autocomplete": "off"}),
    )
    vendor = forms.CharField(label=_("Éditeur (hors catalogue)"), max_length=120, required=False)
    category = forms.ChoiceField(
        widget=QuickSelect,
        label=_("Catégorie"),
        choices=_with_blank(SoftwareCategory.choices),
        required=False,
    )
    version = forms.CharField(label=_("Version"), max_length=60, required=False)
    used_for_issuing = forms.BooleanField(label=_("Émission"), required=False)
    used_for_receiving = forms.BooleanField(label=_("Réception"), required=False)

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.firm = firm

    def clean(self) -> dict:
        data = super().clean()
        product = None
        if data.get("product"):
            product = (
                software_catalogue(self.firm, include_inactive=True)
                .filter(pk=data["product"])
                .first()
            )
            if product is None:
                self.add_error("label", _("Ce logiciel n'est plus au catalogue."))
        elif data.get("label"):
            product = find_product_by_label(self.firm, data["label"])
        if product is None and not (data.get("label") or "").strip():
            self.add_error("label", _("Choisissez un logiciel du catalogue ou saisissez son nom."))
        if product is None and not data.get("category"):
            self.add_error("category", _("Choisissez une catégorie."))
        data["product"] = product
        data["name"] = "" if product else (data.get("label") or "").strip()
        return data

    def service_data(self) -> dict:
        keys = ("product", "name", "vendor", "category", "version")
        return {key: self.cleaned_data.get(key) for key in keys} | {
            "used_for_issuing": self.cleaned_data.get("used_for_issuing"),
            "used_for_receiving": self.cleaned_data.get("used_for_receiving"),
        }


class ClientPlatformForm(forms.Form):
    platform = forms.ModelChoiceField(
        queryset=None, label=_("Plateforme agréée"), empty_label="—", widget=QuickSelect
    )
    status = forms.ChoiceField(
        widget=QuickSelect, label=_("Statut"), choices=PlatformStatus.choices
    )
    on = forms.DateField(
        label=_("Depuis le"),
        required=False,
        input_formats=FRENCH_DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format=FRENCH_DATE_FORMAT, attrs={"placeholder": _("jj/mm/aaaa"), "autocomplete": "off"}
        ),
        help_text=_("Aujourd'hui si vide."),
        error_messages={"invalid": _("Saisissez une date au format jj/mm/aaaa.")},
    )

    def __init__(
        self,
        *args,
        firm: Firm,
        role: str,
        current=None,
        options: list[PlatformOption] | None = None,
        **kwargs,
    ) -> None:
        """``options``: the firm's ``platform_options``, when the forms of a page share them."""
        super().__init__(*args, prefix=role, **kwargs)
        platforms = platform_catalogue(firm, include_inactive=True)
        # Inactive platforms stay selectable only for the client that already has one.
        keep = current.platform_id if current else None
        field = self.fields["platform"]
        field.queryset = platforms.filter(is_active=True) | platforms.filter(pk=keep)

        def choices() -> list[tuple]:
            listed = platform_options(firm) if options is None else options
            return [
                ("", field.empty_label),
                *((o.pk, o.name) for o in listed if o.is_active or o.pk == keep),
            ]

        # The select's options, read when it is rendered, from rows rather than instances (the
        # choice is still checked against the queryset): the same options, in the same order,
        # as the queryset gives.
        field.choices = choices
        self.role = PlatformRole(role)


class DigitalProfileForm(forms.Form):
    """The REGULATION §4 questions. Values are parsed by the service (French numbers, percent)."""

    invoice_tool = forms.ChoiceField(
        widget=QuickSelect,
        label=_("Comment les factures sont-elles produites aujourd'hui ?"),
        choices=_with_blank(InvoiceTool.choices),
        required=False,
    )
    invoices_issued_per_month = forms.CharField(
        label=_("Factures émises par mois"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("ex. 120")}),
    )
    invoices_received_per_month = forms.CharField(
        label=_("Factures reçues par mois"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("ex. 1 250")}),
    )
    paper_share_received = forms.CharField(
        label=_("Part des factures reçues sur papier (%)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": _("0 à 100")}),
    )
    purchase_entry = forms.ChoiceField(
        widget=QuickSelect,
        label=_("Qui saisit les factures d'achat ?"),
        choices=_with_blank(PurchaseEntry.choices),
        required=False,
    )
    bank_feed = forms.ChoiceField(
        widget=QuickSelect, label=_("Flux bancaires automatiques ?"), choices=YES_NO, required=False
    )
    has_pos = forms.ChoiceField(
        widget=QuickSelect, label=_("Caisse / point de vente ?"), choices=YES_NO, required=False
    )
    digital_maturity = forms.ChoiceField(
        widget=QuickSelect,
        label=_("Maturité numérique (votre appréciation)"),
        choices=_with_blank(DigitalMaturity.choices),
        required=False,
    )

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        initial = {}
        for code, value in answers.items():
            if isinstance(value, bool):
                initial[code] = "true" if value else "false"
            elif value is None:
                initial[code] = ""
            else:
                initial[code] = value
        return initial


class SoftwareProductForm(forms.Form):
    vendor = forms.CharField(label=_("Éditeur"), max_length=120, required=False)
    name = forms.CharField(label=_("Logiciel"), max_length=120)
    category = forms.ChoiceField(label=_("Catégorie"), choices=SoftwareCategory.choices)
    reform_ready = forms.ChoiceField(
        label=_("Prêt pour la réforme"),
        choices=ReformReadiness.choices,
        initial=ReformReadiness.UNKNOWN,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("Nom commercial"), max_length=150)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    kept = forms.ModelChoiceField(queryset=None, label=_("Garder"), empty_label="—")

    def __init__(self, *args, queryset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = queryset


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)
