from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Travaux en arrière-plan"

    def ready(self) -> None:
        # Each app declares its job kinds in a ``jobs`` module.
        autodiscover_modules("jobs")
