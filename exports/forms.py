from __future__ import annotations

from django import forms

from exports.models import ExportSettings


class ExportSettingsForm(forms.ModelForm):
    class Meta:
        model = ExportSettings
        fields = ["retention_days"]
        error_messages = {
            "retention_days": {
                "min_value": "Gardez les fichiers au moins un jour.",
                "max_value": "Gardez les fichiers au plus 365 jours.",
                "invalid": "Indiquez un nombre de jours.",
                "required": "Indiquez un nombre de jours.",
            }
        }
