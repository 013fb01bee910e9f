import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from firms import emails
from firms.models import Firm, Membership, Role
from firms.validators import clean_bic, clean_iban, clean_siren, clean_vat_number


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # Built like every e-mail of the project (templates emails/password_reset*).
        emails.send_password_reset(to=to_email, context=context)


GROUPING = re.compile(r"[\s\u00a0\u202f'’]")


class FirmProfileForm(forms.ModelForm):
    # Typed with spaces as printed on paper; stored compact once checked.
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    vat_number = forms.CharField(
        label=_("Numéro de TVA intracommunautaire"), max_length=30, required=False
    )
    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=20, required=False)
    # "50 000" or "50000,00" as printed on letterheads.
    share_capital = forms.CharField(label=_("Capital social (€)"), max_length=30, required=False)

    class Meta:
        model = Firm
        fields = [
            "name",
            "siren",
            "vat_number",
            "address",
            "postal_code",
            "city",
            "phone",
            "iban",
            "bic",
            "legal_form",
            "share_capital",
            "rcs_city",
            "legal_mentions",
            "email_sender_name",
            "email_reply_to",
            "stale_after_months",
            "two_factor_for_all",
        ]
        widgets = {"legal_mentions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        capital = self.instance.share_capital
        if capital is not None:
            text = f"{capital:,.2f}".replace(",", "\u202f").replace(".", ",")
            self.initial["share_capital"] = text.removesuffix(",00")

    def clean_siren(self) -> str:
        return clean_siren(self.cleaned_data["siren"])

    def clean_vat_number(self) -> str:
        return clean_vat_number(self.cleaned_data["vat_number"])

    def clean_iban(self) -> str:
        return clean_iban(self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        return clean_bic(self.cleaned_data["bic"])

    def clean_share_capital(self) -> Decimal | None:
        text = GROUPING.sub("", self.cleaned_data["share_capital"]).replace(",", ".")
        text = text.removesuffix("€")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation as error:
            raise forms.ValidationError(_("Saisissez un montant, par exemple 50 000.")) from error
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            raise forms.ValidationError(_("Saisissez un montant, par exemple 50 000."))
        return value.quantize(Decimal("0.01"))

    def clean_stale_after_months(self) -> int:
        value = self.cleaned_data["stale_after_months"]
        if not 1 <= value <= 36:
            raise forms.ValidationError(_("Entre 1 et 36 mois."))
        return value


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_("PNG, JPEG ou WebP, 2 Mo au plus. Il est réduit à 800 × 400 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.COLLABORATOR)


class MemberUpdateForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Nom complet"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput, strip=False)
    password_confirm = forms.CharField(
        label=_("Confirmation du mot de passe"), widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("Les deux mots de passe diffèrent."))
        elif data.get("password"):
            try:
                validate_password(data["password"])
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"), max_length=100, help_text=_("Par exemple : « Export Power BI »")
    )


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=24,
        help_text=_("Les 6 chiffres de votre application, ou un code de secours."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
