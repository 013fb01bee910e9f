"""The invoice forms: a draft's terms and lines (a formset), an engagement, the firm's invoice
settings and the recurring run. The API and the ``create_invoices`` command check their input
with the same forms, so everyone gets the same French messages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoicing import vat_rules
from invoicing.models import Engagement, InvoicingSettings, OperationChoice, VatCategoryChoice
from invoicing.services import MAX_PAYMENT_DAYS, DraftLine, DraftTerms

GROUPING = re.compile(r"[\s\u00a0\u202f'’€]")
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_decimal(value: object, *, places: int) -> Decimal | None:
    """A number as typed in French or sent in JSON: "1 234,56", "1234.56", 1234.56, 12; None
    when it is not one or has more than ``places`` decimals."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = GROUPING.sub("", value).replace(",", ".")
    else:
        return None
    if not text or len(text) > 30:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or -number.as_tuple().exponent > places:
        return None
    return number


class DecimalTextField(forms.CharField):
    """A decimal typed the French way ("1 234,5"), with at most ``places`` decimals."""

    def __init__(self, *, places: int, minimum: Decimal, maximum: Decimal, **kwargs) -> None:
        self.places, self.minimum, self.maximum = places, minimum, maximum
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = parse_decimal(text, places=self.places)
        if number is None:
            raise forms.ValidationError(
                _("Saisissez un nombre (%(places)s décimales au plus), par exemple 1 234,50.")
                % {"places": self.places}
            )
        if not self.minimum <= number < self.maximum:
            raise forms.ValidationError(_("Valeur hors limites."))
        return number


class RateField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        rate = vat_rules.parse_rate(text)
        if rate is None:
            raise forms.ValidationError(_("Saisissez un taux de TVA, par exemple 20 ou 5,5."))
        return rate


class LineForm(forms.Form):
    description = forms.CharField(label=_("Désignation"), max_length=500)
    quantity = DecimalTextField(
        label=_("Quantité"), places=4, minimum=Decimal("0.0001"), maximum=Decimal("1e8")
    )
    unit_price = DecimalTextField(
        label=_("Prix unitaire HT"), places=4, minimum=Decimal(0), maximum=Decimal("1e10")
    )
    vat_rate = RateField(label=_("TVA (%)"))
    vat_category = forms.ChoiceField(
        label=_("Catégorie de TVA"),
        choices=[("", _("Auto (S si taux > 0)")), *VatCategoryChoice.choices],
        required=False,
    )
    exemption_reason = forms.CharField(
        label=_("Motif d'exonération"), max_length=250, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "input")

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        category = data.get("vat_category") or vat_rules.default_category(data["vat_rate"])
        for field, message in vat_rules.check_line(
            vat_rules.LineVat(category, data["vat_rate"], data.get("exemption_reason", "")),
            buyer_vat_number=getattr(self, "buyer_vat_number", ""),
        ):
            self.add_error(field, message)
        return data

    def draft_line(self) -> DraftLine:
        data = self.cleaned_data
        return DraftLine(
            description=data["description"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            vat_rate=data["vat_rate"],
            vat_category=data.get("vat_category") or "",
            exemption_reason=data.get("exemption_reason") or "",
        )


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, buyer_vat_number: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.buyer_vat_number = buyer_vat_number

    def lines(self) -> list[DraftLine]:
        return [
            form.draft_line()
            for form in self.forms
            if form.has_changed() and form.is_valid() and not self._should_delete_form(form)
        ]


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=0, can_delete=True, max_num=200, absolute_max=200
)


class TermsForm(forms.Form):
    payment_terms_days = forms.IntegerField(
        label=_("Délai de paiement (jours)"), min_value=0, max_value=MAX_PAYMENT_DAYS
    )
    operation_category = forms.ChoiceField(
        label=_("Catégorie d'opération"), choices=OperationChoice.choices
    )
    delivery_address = forms.CharField(
        label=_("Adresse de livraison (si différente)"), max_length=250, required=False
    )
    delivery_postal_code = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    delivery_city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    note = forms.CharField(label=_("Note sur la facture"), max_length=500, required=False)

    def terms(self) -> DraftTerms:
        data = self.cleaned_data
        return DraftTerms(
            payment_terms_days=data["payment_terms_days"],
            operation_category=data["operation_category"],
            delivery_address=data.get("delivery_address", ""),
            delivery_postal_code=data.get("delivery_postal_code", ""),
            delivery_city=data.get("delivery_city", ""),
            note=data.get("note", ""),
        )


class InvoiceFilterForm(forms.Form):
    """The invoice list's filters, read from the query string (junk is ignored)."""

    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        widget=forms.Select(attrs={"class": "input input--auto"}),
        choices=[
            ("", _("Tous")),
            ("draft", _("Brouillons")),
            ("issued", _("Émises")),
            ("credit_note", _("Avoirs")),
        ],
    )
    payment = forms.ChoiceField(
        label=_("Paiement"),
        required=False,
        widget=forms.Select(attrs={"class": "input input--auto"}),
        choices=[
            ("", _("Tous les paiements")),
            ("issued", _("Non payées")),
            ("partly_paid", _("Partiellement payées")),
            ("paid", _("Payées")),
            ("overdue", _("En retard")),
        ],
    )
    client = forms.CharField(label=_("Client"), required=False, max_length=100)
    period_start = forms.DateField(
        label=_("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--auto"}),
    )
    period_end = forms.DateField(
        label=_("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input input--auto"}),
    )


class EngagementForm(forms.ModelForm):
    amount = DecimalTextField(
        label=_("Montant HT (€)"), places=2, minimum=Decimal("0.01"), maximum=Decimal("1e10")
    )
    vat_rate = RateField(label=_("TVA (%)"), initial="20")

    class Meta:
        model = Engagement
        fields = ["description", "amount", "vat_rate", "periodicity"]

    def clean_vat_rate(self) -> Decimal:
        rate = self.cleaned_data["vat_rate"]
        if rate not in vat_rules.FRENCH_RATES:
            raise forms.ValidationError(_("Taux de TVA français : 20, 10, 5,5 ou 2,1."))
        return rate


class InvoicingSettingsForm(forms.ModelForm):
    class Meta:
        model = InvoicingSettings
        fields = [
            "number_prefix",
            "credit_note_prefix",
            "payment_terms_days",
            "default_operation_category",
            "vat_on_debits",
            "late_penalty_text",
            "recovery_indemnity_text",
            "discount_text",
            "header_text",
            "footer_text",
        ]
        widgets = {
            "late_penalty_text": forms.Textarea(attrs={"rows": 3}),
            "recovery_indemnity_text": forms.Textarea(attrs={"rows": 2}),
            "header_text": forms.Textarea(attrs={"rows": 2}),
            "footer_text": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_payment_terms_days(self) -> int:
        days = self.cleaned_data["payment_terms_days"]
        if days > MAX_PAYMENT_DAYS:
            raise forms.ValidationError(
                _("60 jours au plus (article L441-10 du Code de commerce).")
            )
        return days

    def clean(self) -> dict:
        data = super().clean()
        number, credit = data.get("number_prefix"), data.get("credit_note_prefix")
        for name in ("number_prefix", "credit_note_prefix"):
            value = data.get(name)
            if value is not None and not re.fullmatch(r"[A-Za-z0-9{}_/-]{1,20}", value):
                self.add_error(name, _("Lettres, chiffres, « - », « _ », « / » et {year}."))
        if number and credit and number == credit:
            self.add_error(
                "credit_note_prefix",
                _("Les avoirs ont leur propre préfixe (par exemple AV-{year}-)."),
            )
        return data


class RecurringForm(forms.Form):
    """The month whose recurring fees are invoiced (a quarterly or yearly engagement is billed
    once for the quarter or year that holds it)."""

    period = forms.CharField(
        label=_("Mois facturé"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["period"] = timezone.localdate().strftime("%Y-%m")

    def clean_period(self) -> str:
        value = self.cleaned_data["period"]
        match = PERIOD.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(_("Un mois au format AAAA-MM, par exemple 2026-12."))
        return value
