"""The forms of sending: the firm's sending settings with its own short questionnaire."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fiscal_questionnaire.questions import AnswerKind
from invoicing import sending
from invoicing.models import SendingSettings

ANSWER_PREFIX = "firm_"


class SendingSettingsForm(forms.ModelForm):
    class Meta:
        model = SendingSettings
        fields = [
            "send_by_email",
            "email_subject",
            "email_body",
            "email_from_date",
            "memo_text",
            "memo_start",
            "memo_end",
        ]
        widgets = {
            "email_body": forms.Textarea(attrs={"rows": 9}),
            "memo_text": forms.Textarea(attrs={"rows": 4}),
            "email_from_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "memo_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "memo_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "email_subject": _(
                "Mots-clés : {client}, {numero}, {date}, {montant_ht}, "
                "{montant_ttc}, {echeance}, {cabinet}."
            ),
            "memo_text": _(
                "Imprimé en page de garde avant chaque facture papier, entre les deux "
                "dates. Mots-clés : {date_generalisation}, {cabinet}."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answers = self.instance.firm_answers or {}
        for question in sending.firm_questions():
            name = ANSWER_PREFIX + question.code
            label = gettext(question.label)
            if question.kind == AnswerKind.BOOLEAN:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—"), ("yes", _("Oui")), ("no", _("Non"))],
                )
                value = answers.get(question.code)
                field.initial = "" if value is None else ("yes" if value else "no")
            elif question.kind == AnswerKind.CHOICE:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—")]
                    + [(choice.value, gettext(choice.label)) for choice in question.choices],
                )
                field.initial = answers.get(question.code) or ""
            else:
                field = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=10**13
                )
                field.initial = answers.get(question.code)
            field.help_text = gettext(question.help_text)
            self.fields[name] = field

    @property
    def answer_fields(self):
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    @property
    def setting_fields(self):
        return [self[name] for name in self.fields if not name.startswith(ANSWER_PREFIX)]

    def clean(self):
        data = super().clean()
        try:
            sending.validate_templates(
                data.get("email_subject") or "",
                data.get("email_body") or "",
                data.get("memo_text") or "",
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        start, end = data.get("memo_start"), data.get("memo_end")
        if start and end and end < start:
            self.add_error("memo_end", _("La fin du mémo précède son début."))
        return data

    def answers(self) -> dict:
        answers = {}
        for question in sending.firm_questions():
            value = self.cleaned_data.get(ANSWER_PREFIX + question.code)
            if value in ("", None):
                continue
            if question.kind == AnswerKind.BOOLEAN:
                value = value == "yes"
            answers[question.code] = value
        return answers

    def save(self, commit: bool = True) -> SendingSettings:
        self.instance.firm_answers = self.answers()
        return super().save(commit=commit)
