"""The forms of payments, bank statement imports and reminder settings."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoicing.bank_statements import MAX_STATEMENT_BYTES
from invoicing.forms import DecimalTextField
from invoicing.models import PaymentMethod, ReminderSettings
from invoicing.reminders import REMINDER_KEYS
from outbox.merge import check_template

MAX_REMINDER_DAYS = 365


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Date du paiement"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    amount = DecimalTextField(
        label=_("Montant (€)"), places=2, minimum=Decimal("-1e10"), maximum=Decimal("1e10")
    )
    method = forms.ChoiceField(
        label=_("Moyen de paiement"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    reference = forms.CharField(label=_("Référence ou libellé"), required=False, max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=_("Relevé bancaire (CSV)"),
        help_text=_(
            "Export CSV de votre banque : date, libellé, montant ou crédit ; 5 Mo au plus."
        ),
    )

    def clean_statement(self):
        upload = self.cleaned_data["statement"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("Le relevé dépasse 5 Mo."))
        return upload


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = ["subject_template", "body_template", "days_after_due", "interval_days"]
        widgets = {"body_template": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keys = ", ".join(f"{{{key}}}" for key in REMINDER_KEYS)
        self.fields["body_template"].help_text = _("Mots-clés possibles : %(keys)s.") % {
            "keys": keys
        }

    def clean_subject_template(self) -> str:
        text = self.cleaned_data["subject_template"]
        check_template(text, REMINDER_KEYS)
        return text

    def clean_body_template(self) -> str:
        text = self.cleaned_data["body_template"]
        check_template(text, REMINDER_KEYS)
        return text

    def clean_days_after_due(self) -> int:
        return self._days("days_after_due", minimum=0)

    def clean_interval_days(self) -> int:
        return self._days("interval_days", minimum=1)

    def _days(self, name: str, *, minimum: int) -> int:
        days = self.cleaned_data[name]
        if not minimum <= days <= MAX_REMINDER_DAYS:
            raise forms.ValidationError(
                _("Entre %(minimum)s et %(maximum)s jours.")
                % {"minimum": minimum, "maximum": MAX_REMINDER_DAYS}
            )
        return days
