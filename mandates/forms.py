from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mandates import jesignexpert
from mandates.models import MandateKind, MandateSettings
from mandates.texts import MERGE_FIELDS

FRENCH_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=MandateKind.choices)


class SignatureForm(forms.Form):
    document = forms.FileField(label=_("Mandat signé (PDF, 10 Mo au plus)"))
    signed_on = forms.DateField(
        label=_("Signé le"),
        input_formats=FRENCH_DATE_FORMATS,
        widget=forms.TextInput(attrs={"placeholder": "jj/mm/aaaa", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["signed_on"] = timezone.localdate().strftime("%d/%m/%Y")


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Motif du refus"), max_length=500)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SignedFilesForm(forms.Form):
    """Signed PDFs downloaded from the signing service: several files, or one ZIP (the view
    reads them with ``request.FILES.getlist``)."""

    files = forms.FileField(
        label=_("PDF signés ou archive ZIP"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.zip"}),
        required=False,
    )


class MandateTextForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Paragraphes séparés par une ligne vide ; « - » en début de ligne pour une liste ; "
            "**gras**. Champs de fusion : "
        )
        + ", ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS),
    )


class ExportColumnsForm(forms.Form):
    """The JeSignExpert export's columns as text: one "Header = value" a line, in order."""

    columns = forms.CharField(
        label=_("Colonnes de l'export JeSignExpert"),
        widget=forms.Textarea(attrs={"rows": 22, "class": "mono"}),
        help_text=_("Une colonne par ligne, dans l'ordre : « En-tête = valeur ». Valeurs : ")
        + ", ".join(jesignexpert.VALUES),
    )

    @staticmethod
    def as_text(columns) -> str:
        return "\n".join(f"{header} = {value}" for header, value in columns)

    def clean_columns(self) -> list[dict[str, str]]:
        columns = []
        for number, line in enumerate(self.cleaned_data["columns"].splitlines(), start=1):
            if not line.strip():
                continue
            header, separator, value = line.partition("=")
            if not separator:
                raise forms.ValidationError(
                    _("Ligne %(number)s : écrivez « En-tête = valeur ».") % {"number": number}
                )
            columns.append((header.strip(), value.strip()))
        try:
            jesignexpert.check_columns(columns)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return [{"header": header, "value": value} for header, value in columns]


class MandateSettingsForm(forms.ModelForm):
    class Meta:
        model = MandateSettings
        fields = ["place", "expiry_days", "waiting_alert_days", "export_date_format"]

    def clean_export_date_format(self) -> str:
        value = self.cleaned_data["export_date_format"]
        try:
            timezone.localdate().strftime(value)
        except ValueError as error:
            raise forms.ValidationError("Format de date invalide.") from error
        if "%" not in value:
            raise forms.ValidationError("Un format de date contient %d, %m ou %Y.")
        return value
