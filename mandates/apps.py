from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "mandates"
    verbose_name = "Mandats"
