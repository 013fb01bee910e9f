from django import template
from django.utils.safestring import mark_safe

from fiscal_questionnaire.selectors import client_obligations
from fiscal_questionnaire.sheet import missing_questions, obligation_lines

register = template.Library()
SELECTED = mark_safe(" selected")  # a constant attribute


@register.inclusion_tag(
    "fiscal_questionnaire/partials/obligations_summary.html", takes_context=True
)
def obligations_summary(context, client):
    """The compact obligations card of the client sheet (Synthèse tab)."""
    obligations = client_obligations(client.firm_id, client)
    return {
        "firm": context["firm"],
        "client": client,
        "obligations": obligations,
        "lines": obligation_lines(obligations) if obligations else [],
        "missing": missing_questions(obligations),
    }
