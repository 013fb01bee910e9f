"""The campaign's form: its kind, subject, text and the questionnaire link option."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns import content
from campaigns.models import Campaign, CampaignKind


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type de campagne"),
        choices=CampaignKind.choices,
        help_text=_("Un client qui se désabonne ne reçoit plus les campagnes de ce type."),
        error_messages={"invalid_choice": _("Choisissez un type de campagne de la liste.")},
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=200,
        error_messages={
            "required": _("Donnez un objet à l'e-mail."),
            "max_length": _("L'objet fait 200 caractères au plus."),
        },
    )
    body = forms.CharField(
        label=_("Texte"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paragraphes séparés par une ligne vide, listes en « - », **gras**, adresses web "
            "en liens."
        ),
        error_messages={
            "required": _("Écrivez le texte de l'e-mail."),
            "max_length": _("Le texte fait 20 000 caractères au plus."),
        },
    )
    include_link = forms.BooleanField(
        label=_("Inclure le lien du questionnaire"),
        required=False,
        help_text=_(
            "Un lien personnel par client, valable la durée choisie dans les paramètres du "
            "questionnaire client ; il remplace le lien envoyé auparavant. Placez-le avec "
            "{lien_questionnaire}, sinon il s'ajoute à la fin."
        ),
    )

    @classmethod
    def for_campaign(cls, campaign: Campaign, data=None) -> CampaignForm:
        return cls(
            data,
            initial={
                "kind": campaign.kind,
                "subject": campaign.subject,
                "body": campaign.body,
                "include_link": campaign.include_link,
            },
        )

    def clean(self):
        data = super().clean()
        if "subject" in data and "body" in data:
            try:
                content.check_texts(
                    subject=data["subject"],
                    body=data["body"],
                    include_link=bool(data.get("include_link")),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data
