"""What the app adds to the apps below it, called from its AppConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The client lists' filter (and Cartographie FE's): ?client_answers=waiting.
LIST_FILTER = "client_answers"
WAITING = "waiting"


def register() -> None:
    from clients.history import HistoryKind, register_history_kind
    from clients.selectors import ListFilter, register_list_filter
    from self_service.selectors import with_waiting_answers

    register_history_kind(HistoryKind("self_service", _("Questionnaire client"), ("self_service",)))
    register_list_filter(
        ListFilter(
            name=LIST_FILTER,
            label=_("Réponses client"),
            all_label=_("Toutes les réponses client"),
            choices={WAITING: _("Réponses client à valider")},
            apply=with_waiting_answers,
        )
    )
