"""Reading answers and stored obligations; the questionnaire states the client list filters on."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.models import Firm
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION


def client_answers(firm: Firm | int, client: Client) -> dict[str, Answer]:
    """The client's answers by question code, with who gave them."""
    answers = Answer.objects.for_firm(firm).filter(client=client).select_related("answered_by")
    return {answer.code: answer for answer in answers}


def client_obligations(firm: Firm | int, client: Client) -> Obligations | None:
    return Obligations.objects.for_firm(firm).filter(client=client).first()


# The questionnaire states of the client list filter (and the dashboard's), as conditions on
# Client. A client has an obligations row exactly when it has at least one answer.
QUESTIONNAIRE_STATES = {
    "incomplete": (
        _("Questionnaire incomplet"),
        Q(obligations__isnull=True) | Q(obligations__complete=False),
    ),
    "complete": (_("Questionnaire complet"), Q(obligations__complete=True)),
    "none": (_("Questionnaire jamais commencé"), Q(obligations__isnull=True)),
    "outdated": (
        _("Réponses à revoir (ancienne version)"),
        Q(obligations__questionnaire_version__lt=QUESTIONNAIRE_VERSION),
    ),
}


def with_questionnaire_state(clients: QuerySet[Client], state: str) -> QuerySet[Client]:
    """Clients in one of QUESTIONNAIRE_STATES; an unknown state filters nothing."""
    if state not in QUESTIONNAIRE_STATES:
        return clients
    return clients.filter(QUESTIONNAIRE_STATES[state][1])
