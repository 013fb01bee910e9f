from django.apps import AppConfig


class FiscalQuestionnaireConfig(AppConfig):
    name = "fiscal_questionnaire"
    verbose_name = "Questionnaire fiscal"
