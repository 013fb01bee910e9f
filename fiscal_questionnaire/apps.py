from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalQuestionnaireConfig(AppConfig):
    name = "fiscal_questionnaire"
    verbose_name = _("Questionnaire fiscal")

    def ready(self) -> None:
        from clients.selectors import ListFilter, register_list_filter
        from fiscal_questionnaire.selectors import QUESTIONNAIRE_STATES, with_questionnaire_state

        register_list_filter(
            ListFilter(
                name="questionnaire",
                label=_("Questionnaire fiscal"),
                all_label=_("Tous les questionnaires"),
                choices={key: label for key, (label, _condition) in QUESTIONNAIRE_STATES.items()},
                apply=with_questionnaire_state,
            )
        )
