from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "self_service"
    verbose_name = "Questionnaire client"

    def ready(self) -> None:
        from self_service import registration

        registration.register()
