"""The forms of the import wizard: the upload and the choice of columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from clients.importing.mapping import FIELD_LABELS, missing_columns_message, missing_fields
from clients.importing.reading import MAX_FILE_BYTES, ImportFileError, check_file, check_size

IGNORED = _("— Ne pas importer —")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des clients"),
        allow_empty_file=True,  # the reader says "Le fichier est vide." like everywhere else
        help_text=format_lazy(
            _(
                "CSV (séparateur point-virgule, virgule, tabulation ou barre verticale ; encodage "
                "UTF-8 ou Windows-1252) ou classeur Excel .xlsx (première feuille), "
                "{megabytes} Mo au plus."
            ),
            megabytes=MAX_FILE_BYTES // 1024 // 1024,
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )

    content: bytes

    def clean_file(self):
        """Only the checks that take constant time: the file is read by a background job, so
        that no upload holds the request however its content is shaped."""
        uploaded = self.cleaned_data["file"]
        try:
            check_size(uploaded.size)
            content = uploaded.read()
            check_file(content, uploaded.name)
        except ImportFileError as error:
            raise forms.ValidationError(str(error), code="unreadable") from error
        self.content = content
        return uploaded


class MappingForm(forms.Form):
    """One choice per column of the file: the client field it feeds, or nothing."""

    def __init__(
        self,
        *args,
        headers: Sequence[str],
        samples: Sequence[Sequence[str]],
        mapping: Mapping[int, str],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        self.samples = list(samples)
        choices = [("", IGNORED), *FIELD_LABELS.items()]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=mapping.get(index, ""),
                widget=forms.Select(attrs={"class": "input"}),
            )
        self.mapping: dict[int, str] = {}

    def columns(self) -> list[tuple[forms.BoundField, list[str]]]:
        return [
            (self[f"column_{index}"], self.samples[index] if index < len(self.samples) else [])
            for index in range(len(self.headers))
        ]

    def clean(self) -> dict:
        data = super().clean()
        mapping = {
            index: data[f"column_{index}"]
            for index in range(len(self.headers))
            if data.get(f"column_{index}")
        }
        chosen: dict[str, list[str]] = {}
        for index, name in mapping.items():
            chosen.setdefault(name, []).append(self.headers[index])
        for name, headers in chosen.items():
            if len(headers) > 1:
                listed = ", ".join(f"« {header} »" for header in headers)
                self.add_error(
                    None,
                    _(
                        "Le champ « %(field)s » est choisi pour plusieurs colonnes "
                        "(%(columns)s) : gardez-en une seule."
                    )
                    % {"field": FIELD_LABELS[name], "columns": listed},
                )
        if missing := missing_fields(mapping):
            self.add_error(None, missing_columns_message(missing))
        self.mapping = mapping
        return data
