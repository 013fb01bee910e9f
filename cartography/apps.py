from django.apps import AppConfig


class CartographyConfig(AppConfig):
    name = "cartography"
    verbose_name = "Cartographie"

    def ready(self) -> None:
        from cartography.services.catalogue import install_catalogues_of_new_firm
        from firms.signals import firm_created

        firm_created.connect(install_catalogues_of_new_firm)
