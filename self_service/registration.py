"""What the app adds to the apps below it, called from its AppConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from clients.history import HistoryKind, register_history_kind

    register_history_kind(HistoryKind("self_service", _("Questionnaire client"), ("self_service",)))
