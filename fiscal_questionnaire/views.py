"""The Fiscalité and Obligations FE tabs of the client sheet."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clients.concurrency import EditConflict, read_loaded_token
from clients.models import Client
from clients.selectors import get_client_for_membership
from fiscal_questionnaire import services
from fiscal_questionnaire.answer_formats import parse_answer
from fiscal_questionnaire.models import Answer
from fiscal_questionnaire.questions import QUESTIONS_BY_CODE, InvalidAnswers, visible_questions
from fiscal_questionnaire.selectors import client_answers, client_obligations
from fiscal_questionnaire.sheet import (
    loaded_scope,
    missing_questions,
    obligation_lines,
    questionnaire,
)
from fiscal_questionnaire.suggestions import suggestions_for

# Buttons next to a question: confirm the record's suggestion, confirm an outdated answer.
ACCEPT_SUGGESTION = "accept_suggestion"
CONFIRM_ANSWER = "confirm_answer"


@require_http_methods(["GET", "POST"])
def fiscal_tab(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    """The questionnaire. Each answer is saved as it is given (htmx posts the question that
    changed and gets the questionnaire back, with the obligations summary out of band);
    without JavaScript the whole form is posted and the page reloads."""
    client = get_client_for_membership(request.membership, client_id)
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        errors, typed = _save_posted(request, client)
        if not request.htmx and not errors:
            messages.success(request, _("Réponses enregistrées."))
            return redirect("client_fiscal", firm_slug=firm_slug, client_id=client.pk)
    answers = client_answers(request.firm, client)
    obligations = client_obligations(request.firm, client)
    context = {
        "client": client,
        "tab": "fiscal",
        "questionnaire": questionnaire(client, answers, obligations, errors=errors, typed=typed),
        "fiscal_url": reverse("client_fiscal", args=[firm_slug, client.pk]),
        **_summary(obligations),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "fiscal_questionnaire/partials/questionnaire_update.html", context)
    return render(request, "fiscal_questionnaire/client_fiscal.html", context)


@require_GET
def obligations_tab(request: HttpRequest, firm_slug: str, client_id: int) -> HttpResponse:
    client = get_client_for_membership(request.membership, client_id)
    obligations = client_obligations(request.firm, client)
    return render(
        request,
        "fiscal_questionnaire/client_obligations.html",
        {"client": client, "tab": "obligations", **_summary(obligations)},
    )


def _summary(obligations) -> dict:
    return {
        "obligations": obligations,
        "lines": obligation_lines(obligations) if obligations else [],
        "missing": missing_questions(obligations),
    }


def _save_posted(request: HttpRequest, client: Client) -> tuple[dict[str, str], dict[str, str]]:
    """Save what was posted; return the errors and the texts that could not be saved.

    An htmx request names the field that triggered it: only that question (or that button) is
    saved. A plain form post saves every visible question whose answer the person changed from
    the one the form was loaded with (its ``loaded`` field), so a form left open while someone
    else answered never writes back stale answers; an answer both changed is not saved but
    shown with both values.
    """
    post = request.POST
    stored = client_answers(request.firm, client)
    stored_values = {code: answer.value for code, answer in stored.items()}
    loaded = read_loaded_token(post.get("loaded", ""), loaded_scope(client))
    trigger = request.htmx.trigger_name if request.htmx else None
    if trigger in QUESTIONS_BY_CODE:
        codes = [trigger]
    elif trigger in (ACCEPT_SUGGESTION, CONFIRM_ANSWER):
        codes = []
    else:
        codes = [code for code in visible_questions(stored_values) if code in post]

    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    for code in codes:
        raw = post.get(code, "")
        try:
            value = parse_answer(QUESTIONS_BY_CODE[code], raw)
        except InvalidAnswers as invalid:
            errors.update(invalid.errors)
            typed[code] = raw
            continue
        if value != stored_values.get(code):
            values[code] = value
    # What the form showed for those questions (absent: unanswered).
    shown = None if loaded is None else {code: loaded.get(code) for code in values}
    accepted = post.get(ACCEPT_SUGGESTION, "")
    suggestion = suggestions_for(client, stored_values).get(accepted)
    if suggestion is not None and accepted not in values:
        values[accepted] = suggestion.value
    while values:
        try:
            services.save_answers(
                firm=request.firm, client=client, values=values, by=request.user, loaded=shown
            )
        except EditConflict as conflict:
            # Save the others; show each conflicting answer with both values.
            for each in conflict.conflicts:
                errors[each.field] = each.message
                typed[each.field] = post.get(each.field, "")
                del values[each.field]
        else:
            break
    confirmed = post.get(CONFIRM_ANSWER, "")
    if confirmed:
        codes_to_confirm = _outdated_codes(stored) if confirmed == "all" else [confirmed]
        services.confirm_answers(
            firm=request.firm, client=client, codes=codes_to_confirm, by=request.user
        )
    return errors, typed


def _outdated_codes(answers: dict[str, Answer]) -> list[str]:
    return [code for code, answer in answers.items() if answer.is_outdated]
