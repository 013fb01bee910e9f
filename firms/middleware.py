from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from firms import two_factor
from firms.api_tokens import firm_id_of_token, resolve_api_token
from firms.models import Firm, Membership
from firms.tenancy import firm_scope, user_scope

LAST_ACTIVITY_KEY = "last_activity"


def start_activity(sender, request: HttpRequest, user, **kwargs) -> None:
    """A login is activity: the session starts with it, so that its first request does not
    have to write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Ends a session left idle for ``SESSION_IDLE_TIMEOUT`` seconds, beside the absolute
    lifetime of ``SESSION_COOKIE_AGE``. The last activity is written at most once a minute, so
    that a page of requests does not rewrite the session each time."""

    WRITE_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
                return self._expired(request)
            if not isinstance(last, int) or now - last >= self.WRITE_EVERY:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        messages.info(
            request,
            _("Votre session a pris fin après %(minutes)s minutes d'inactivité.")
            % {"minutes": minutes},
        )
        login = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):
            # A fragment must not be swapped for the login page: the whole page goes there.
            return HttpResponseClientRedirect(login["Location"])
        return login


class FirmMiddleware:
    """Resolves the firm once per request and runs the rest of the request inside its scope.

    The firm comes from the URL (``/f/<firm_slug>/…``) for the web app and from the token for the
    API. No such firm, or not a member: 404, so another firm's existence is never confirmed.
    The scope wraps the view *and* the template rendering, which ``ATOMIC_REQUESTS`` would not.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.firm = None
        request.membership = None
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Token ") and request.path_info.startswith("/api/"):
            return self._api_request(request, authorization.removeprefix("Token ").strip())
        try:
            slug = resolve(request.path_info).kwargs.get("firm_slug")
        except Resolver404:
            slug = None
        if slug is None:
            if request.user.is_authenticated:
                with user_scope(request.user.pk):
                    return self.get_response(request)
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        firm = Firm.objects.filter(slug=slug, is_active=True).first()
        if firm is None:
            raise Http404
        with firm_scope(firm, user_id=request.user.pk):
            membership = (
                Membership.objects.for_firm(firm).filter(user=request.user, is_active=True).first()
            )
            if membership is None:
                raise Http404
            membership.firm = firm
            membership.user = request.user
            if two_factor.wanted_here(request, membership):
                return self._second_factor(request)
            request.firm = firm
            request.membership = membership
            return self.get_response(request)

    @staticmethod
    def _second_factor(request: HttpRequest) -> HttpResponse:
        """The code page (which leads to enrolment for whoever has no device yet), then back."""
        target = f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)

    def _api_request(self, request: HttpRequest, raw_token: str) -> HttpResponse:
        firm_id = firm_id_of_token(raw_token)
        if firm_id is None:
            return self.get_response(request)  # DRF answers 401
        with firm_scope(firm_id):
            membership = resolve_api_token(firm_id, raw_token)
            if membership is not None:
                request.firm = membership.firm
                request.membership = membership
                request.api_user = membership.user
            return self.get_response(request)


class LanguageMiddleware:
    """French unless the user chose another language (the language cookie): the browser's
    Accept-Language is ignored, since the product is French first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Only for this request: the thread's language is restored afterwards, so that code
        # running outside a request (commands, tasks, tests) stays French.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
