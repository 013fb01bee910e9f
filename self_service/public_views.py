"""The client's pages, reached through its link without any login: /q/<token>/…

Each request finds its link by the token's hash outside any firm, then runs inside that firm's
scope; it shows nothing but the questionnaire of the link's client. An unknown or malformed
token answers 404, an expired or revoked one 410, each with its page; too many requests from
one address answer 429. Every request through a link is written in the client's history with
its IP.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from firms import rate_limits
from firms.tenancy import firm_scope
from self_service import fields, services
from self_service.models import ClientLink, LinkState

# Requests through links from one address, and unknown tokens tried from it, in a window.
REQUESTS_PER_IP = 300
UNKNOWN_TOKENS_PER_IP = 20
WINDOW = 600  # seconds


def _refused(request: HttpRequest, template: str, status: int) -> HttpResponse:
    response = render(request, template, {}, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _through_link(view):
    """Resolve the token; answer 429, 404 or 410 itself; else call the view inside the firm's
    scope with the link (its client and firm loaded), after logging the request."""

    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        ip = get_client_ip_address(request)
        if not rate_limits.within_limit(
            f"self-service:ip:{ip or 'unknown'}", limit=REQUESTS_PER_IP, window=WINDOW
        ):
            return _refused(request, "self_service/public/too_many.html", 429)
        link = services.find_link(token)
        if link is None or not link.firm.is_active:
            # Guessing is counted: past the limit, even a real link waits.
            rate_limits.within_limit(
                f"self-service:unknown:{ip or 'unknown'}",
                limit=UNKNOWN_TOKENS_PER_IP,
                window=WINDOW,
            )
            return _refused(request, "self_service/public/not_found.html", 404)
        if not _unknown_tokens_allowed(ip):
            return _refused(request, "self_service/public/too_many.html", 429)
        with firm_scope(link.firm_id):
            link = (
                ClientLink.objects.for_firm(link.firm_id)
                .select_related("client", "firm")
                .get(pk=link.pk)
            )
            state = link.state()
            if state != LinkState.ACTIVE or link.client.status != "active":
                services.log_request(link=link, ip=ip, what=_STATE_WORDS.get(state, "lien refusé"))
                return _refused(request, "self_service/public/gone.html", 410)
            response = view(request, link, ip, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        # The token never leaves in a Referer header to another site.
        response["Referrer-Policy"] = "same-origin"
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


_STATE_WORDS = {LinkState.EXPIRED: "lien expiré ouvert", LinkState.REVOKED: "lien révoqué ouvert"}


def _unknown_key(ip: str | None) -> str:
    return f"self-service:unknown:{ip or 'unknown'}"


def _unknown_tokens_allowed(ip: str | None) -> bool:
    return (cache.get(_unknown_key(ip)) or 0) <= UNKNOWN_TOKENS_PER_IP


def _page_context(request: HttpRequest, link: ClientLink, token: str, errors=None, typed=None):
    proposal = services.open_proposal(link=link)
    choice = services.choice_of(link.firm_id)
    current = fields.Current.of(link.firm_id, link.client)
    catalogues = fields.Catalogues.of(link.firm_id)
    draft = services.draft_values(proposal)
    answers = dict(current.answers)
    answers.update(
        {
            code.removeprefix(fields.QUESTION_PREFIX): value
            for code, value in draft.items()
            if fields.is_question(code)
        }
    )
    errors = errors or {}
    typed = typed or {}
    rows = []
    for code in fields.shown_codes(fields.chosen_codes(choice), answers):
        value = draft.get(code, current.value(code))
        rows.append(
            {
                "code": code,
                "slug": code.replace(":", "-"),
                "label": fields.label(code),
                "help": fields.help_text(code),
                "kind": fields.widget_kind(code),
                "question": fields.question_of(code) if fields.is_question(code) else None,
                "values": typed.get(code) or fields.form_values(code, value),
                "current": current.shown_value(code, catalogues),
                "changed": code in draft,
                "error": errors.get(code, ""),
            }
        )
    return {
        "link": link,
        "client": link.client,
        "firm": link.firm,
        "token": token,
        "proposal": proposal,
        "rows": rows,
        "question_rows": [row for row in rows if row["question"] is not None],
        "other_rows": [row for row in rows if row["question"] is None],
        "products": sorted(catalogues.products.values(), key=lambda product: product.label),
        "platforms": sorted(catalogues.platforms.values(), key=lambda platform: platform.name),
        "civilities": fields.CIVILITIES,
        "changed_count": len(draft),
    }


@require_http_methods(["GET", "HEAD"])
@_through_link
def questionnaire(request: HttpRequest, link: ClientLink, ip: str | None) -> HttpResponse:
    """The client's questionnaire, or its thanks once sent."""
    services.log_request(link=link, ip=ip, what="questionnaire ouvert")
    token = request.resolver_match.kwargs["token"]
    context = _page_context(request, link, token)
    return render(request, "self_service/public/questionnaire.html", context)


@require_POST
@_through_link
def save_field(request: HttpRequest, link: ClientLink, ip: str | None, code: str) -> HttpResponse:
    """One answer saved into the draft (htmx: the form comes back; else the page)."""
    token = request.resolver_match.kwargs["token"]
    if code not in fields.FIELD_CODES:
        raise Http404
    proposal = services.open_proposal(link=link)
    errors, typed = {}, {}
    if proposal.submitted_at is None:
        catalogues = fields.Catalogues.of(link.firm_id)
        try:
            value = fields.parse(code, request.POST, catalogues)
        except fields.FieldError as error:
            errors[code] = error.message
            typed[code] = {name: request.POST.get(name, "")[:200] for name in request.POST}
        else:
            services.save_draft_field(proposal=proposal, code=code, value=value)
        services.log_request(
            link=link, ip=ip, what=f"réponse enregistrée ({fields.review_label(code)})"
        )
    if not request.htmx:
        return redirect("self_service:questionnaire", token=token)
    context = _page_context(request, link, token, errors, typed)
    return render(request, "self_service/public/partials/form.html", context)


@require_POST
@_through_link
def submit(request: HttpRequest, link: ClientLink, ip: str | None) -> HttpResponse:
    """Send the answers to the firm."""
    token = request.resolver_match.kwargs["token"]
    proposal = services.open_proposal(link=link)
    if proposal.submitted_at is None:
        waiting = services.submit_proposal(proposal=proposal)
        services.log_request(link=link, ip=ip, what="réponses envoyées au cabinet")
        if not waiting:
            context = _page_context(request, link, token)
            context["nothing_to_send"] = True
            return render(request, "self_service/public/questionnaire.html", context)
    return redirect("self_service:questionnaire", token=token)


@require_http_methods(["GET", "HEAD"])
@_through_link
def logo(request: HttpRequest, link: ClientLink, ip: str | None) -> HttpResponse:
    """The firm's logo on its clients' pages (the logo alone, nothing else of the firm)."""
    if not link.firm.logo:
        raise Http404
    return FileResponse(link.firm.logo.open("rb"), content_type="image/png")
