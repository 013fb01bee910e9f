from django.apps import AppConfig


class FiscalQuestionnaireConfig(AppConfig):
    name = "fiscal_questionnaire"
    verbose_name = "Questionnaire fiscal"

    def ready(self) -> None:
        from clients.selectors import ListFilter, register_list_filter
        from fiscal_questionnaire.selectors import QUESTIONNAIRE_STATES, with_questionnaire_state

        register_list_filter(
            ListFilter(
                name="questionnaire",
                label="Questionnaire fiscal",
                all_label="Tous les questionnaires",
                choices={key: label for key, (label, _) in QUESTIONNAIRE_STATES.items()},
                apply=with_questionnaire_state,
            )
        )
