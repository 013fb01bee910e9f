"""The second factor's pages: the code after the password, enrolment with a QR code, recovery
codes, and the account's security page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from firms import two_factor
from firms.forms import EnrolmentCodeForm, LoginForm, SecondFactorCodeForm

FRESH_CODES_SESSION_KEY = "fresh_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """The password first; then, for whoever needs it, the second factor before anything else."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if two_factor.is_enrolled(user):
            self.request.session[two_factor.PENDING_SESSION_KEY] = True
            return HttpResponseRedirect(_with_next("two_factor_verify", self.get_success_url()))
        if two_factor.required_for_user(user):
            return HttpResponseRedirect(_with_next("two_factor_setup", self.get_success_url()))
        return response


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if not two_factor.is_enrolled(request.user):
        return HttpResponseRedirect(_with_next("two_factor_setup", next_url))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.verify(request, form.cleaned_data["code"])
        if outcome.ok:
            if outcome.recovery_used:
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "Code de secours utilisé : il vous en reste %(count)s.",
                        "Code de secours utilisé : il vous en reste %(count)s.",
                        left,
                    )
                    % {"count": left},
                )
            return HttpResponseRedirect(next_url)
        if outcome.throttled_for:
            form.add_error(
                "code",
                _("Trop d'essais : réessayez dans %(seconds)s secondes.")
                % {"seconds": outcome.throttled_for},
            )
        else:
            form.add_error("code", _("Code incorrect ou déjà utilisé."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the secret), then confirm with a first code."""
    next_url = _next_url(request)
    if two_factor.is_enrolled(request.user):
        if not two_factor.is_verified(request):
            return HttpResponseRedirect(_with_next("two_factor_verify", next_url))
        return redirect("account_security")
    device = two_factor.pending_enrolment(request.user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not device.verify_is_allowed()[0]:
        form.add_error("code", _("Trop d'essais : patientez quelques secondes."))
    elif request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session[FRESH_CODES_SESSION_KEY] = codes
            messages.success(request, _("Double authentification activée."))
            return HttpResponseRedirect(_with_next("two_factor_recovery_codes", next_url))
        form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone."))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_of(device),
            "required": two_factor.required_for_user(request.user),
        },
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once."""
    if not two_factor.is_verified(request):
        return HttpResponseRedirect(_with_next("two_factor_verify", request.get_full_path()))
    if request.method == "POST":
        request.session[FRESH_CODES_SESSION_KEY] = two_factor.new_recovery_codes(request.user)
        messages.success(request, _("Nouveaux codes de secours : les anciens ne valent plus."))
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(FRESH_CODES_SESSION_KEY, None)
    if codes is None:
        return redirect("account_security")
    return render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "firms/account_security.html",
        {
            "enrolled": two_factor.is_enrolled(request.user),
            "required": two_factor.required_for_user(request.user),
            "codes_left": two_factor.recovery_codes_left(request.user),
        },
    )


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    if two_factor.required_for_user(request.user):
        messages.error(
            request, _("La double authentification est obligatoire pour l'un de vos rôles.")
        )
    elif not two_factor.is_verified(request):
        return HttpResponseRedirect(_with_next("two_factor_verify", reverse("account_security")))
    else:
        two_factor.disable(request.user)
        messages.success(request, _("Double authentification désactivée."))
    return redirect("account_security")
