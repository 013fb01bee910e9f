from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from firms import rate_limits, services
from firms.access import require_admin
from firms.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    FirmProfileForm,
    InvitationForm,
    LogoForm,
    MemberUpdateForm,
    PasswordResetRequestForm,
)
from firms.models import ApiToken, Firm, Invitation, Membership

logger = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The firm chooser; straight into the firm when the user has only one."""
    memberships = list(Membership.objects.for_user(request.user).select_related("firm"))
    if len(memberships) == 1:
        return redirect("firm_home", firm_slug=memberships[0].firm.slug)
    return render(request, "firms/home.html", {"memberships": memberships})


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's password reset request, limited per address and per client IP
    (``firms.rate_limits``). Past a limit no e-mail leaves, and the answer is the same neutral
    page, so that it tells nothing about accounts nor limits."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        ip = get_client_ip_address(self.request)
        if rate_limits.password_reset_allowed(email=form.cleaned_data["email"], ip=ip):
            return super().form_valid(form)
        logger.warning("Password reset request over the limit, from %s", ip)
        return HttpResponseRedirect(self.get_success_url())


def firm_home(request: HttpRequest, firm_slug: str) -> HttpResponse:
    return redirect("client_list", firm_slug=firm_slug)


@require_admin
def firm_settings(request: HttpRequest, firm_slug: str) -> HttpResponse:
    firm = request.firm
    form = FirmProfileForm(request.POST or None, instance=Firm.objects.get(pk=firm.pk))
    if request.method == "POST" and form.is_valid():
        services.update_firm_profile(
            firm=firm,
            data={name: form.cleaned_data[name] for name in form.changed_data},
            by=request.user,
        )
        messages.success(request, _("Profil du cabinet enregistré."))
        return redirect("firm_settings", firm_slug=firm_slug)
    return render(
        request, "firms/settings.html", {"form": form, "logo_form": LogoForm(), "tab": "profile"}
    )


@require_admin
@require_POST
def firm_logo(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.store_firm_logo(
                firm=request.firm, upload=form.cleaned_data["logo"], by=request.user
            )
        except ValidationError as error:
            form.add_error("logo", error)
    if form.errors:
        profile_form = FirmProfileForm(instance=request.firm)
        return render(
            request,
            "firms/settings.html",
            {"form": profile_form, "logo_form": form, "tab": "profile"},
            status=400,
        )
    messages.success(request, _("Logo enregistré."))
    return redirect("firm_settings", firm_slug=firm_slug)


def firm_logo_image(request: HttpRequest, firm_slug: str) -> HttpResponse:
    """The logo, served to members only (files are never public)."""
    if not request.firm.logo:
        raise Http404
    response = FileResponse(request.firm.logo.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_admin
def members(request: HttpRequest, firm_slug: str) -> HttpResponse:
    firm = request.firm
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(
                firm=firm,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                base_url=services.site_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("firm_members", firm_slug=firm_slug)
    context = {
        "tab": "members",
        "form": form,
        "members": Membership.objects.for_firm(firm)
        .select_related("user")
        .order_by("user__full_name"),
        "invitations": Invitation.objects.for_firm(firm)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by"),
        "role_choices": Membership._meta.get_field("role").choices,
    }
    return render(request, "firms/members.html", context)


@require_admin
@require_POST
def member_update(request: HttpRequest, firm_slug: str, member_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_firm(request.firm), pk=member_id)
    role, active = membership.role, membership.is_active
    form = MemberUpdateForm(request.POST, instance=membership)
    if not form.is_valid():
        messages.error(request, _("Rôle inconnu."))
        return redirect("firm_members", firm_slug=firm_slug)
    membership.role, membership.is_active = role, active  # the services apply the change
    try:
        if form.cleaned_data["role"] != role:
            services.change_member_role(
                firm=request.firm,
                membership=membership,
                role=form.cleaned_data["role"],
                by=request.user,
            )
        if form.cleaned_data["is_active"] != active:
            services.set_member_active(
                firm=request.firm,
                membership=membership,
                active=form.cleaned_data["is_active"],
                by=request.user,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Accès de %(name)s mis à jour.") % {"name": membership.user})
    return redirect("firm_members", firm_slug=firm_slug)


@require_admin
@require_POST
def invitation_revoke(request: HttpRequest, firm_slug: str, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_firm(request.firm), pk=invitation_id)
    services.revoke_invitation(firm=request.firm, invitation=invitation, by=request.user)
    messages.success(request, _("Invitation de %(email)s annulée.") % {"email": invitation.email})
    return redirect("firm_members", firm_slug=firm_slug)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    ids = services.read_invitation_token(token)
    if ids is None:
        raise Http404
    firm_id, invitation_id = ids
    firm = get_object_or_404(Firm, pk=firm_id, is_active=True)
    user = request.user if request.user.is_authenticated else None
    form = AcceptInvitationForm(request.POST or None) if user is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.accept_invitation(
                firm_id=firm_id,
                invitation_id=invitation_id,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password"] if form else "",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bienvenue chez %(name)s.") % {"name": firm.name})
            return redirect("firm_home", firm_slug=firm.slug)
    return render(request, "firms/accept_invitation.html", {"form": form, "invited_firm": firm})


def api_tokens(request: HttpRequest, firm_slug: str) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.create_api_token(
            membership=request.membership, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.for_firm(request.firm).filter(
        membership=request.membership, revoked_at__isnull=True
    )
    return render(
        request,
        "firms/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "tab": "tokens"},
    )


@require_POST
def api_token_revoke(request: HttpRequest, firm_slug: str, token_id: int) -> HttpResponse:
    get_object_or_404(
        ApiToken.objects.for_firm(request.firm).filter(membership=request.membership), pk=token_id
    )
    services.revoke_api_token(membership=request.membership, token_id=token_id)
    messages.success(request, _("Jeton révoqué."))
    return redirect("api_tokens", firm_slug=firm_slug)
