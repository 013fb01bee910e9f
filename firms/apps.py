from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


def _secure_tenant_tables(sender, using="default", **kwargs) -> None:
    from django.conf import settings

    from firms.tenancy import apply_row_level_security

    apply_row_level_security(using=using, app_role=settings.DATABASE_APP_ROLE)


class FirmsConfig(AppConfig):
    name = "firms"
    verbose_name = "Cabinets"

    def ready(self) -> None:
        from firms import lookups  # noqa: F401  (registers field__in_array)

        # Once per migrate, after every app's migrations.
        post_migrate.connect(_secure_tenant_tables, sender=self)
        from firms.middleware import start_activity

        user_logged_in.connect(start_activity, dispatch_uid="firms.start_activity")
