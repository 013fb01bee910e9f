"""Give every existing firm the default software catalogue and the DGFiP platforms. Firms
created later get them lazily (cartography.selectors.ensure_catalogues) or with
``manage.py install_catalogues``."""

from django.db import migrations


def install_for_existing_firms(apps, schema_editor):
    from cartography import default_catalogue
    from firms.tenancy import firm_scope

    Firm = apps.get_model("firms", "Firm")
    SoftwareProduct = apps.get_model("cartography", "SoftwareProduct")
    Platform = apps.get_model("cartography", "Platform")
    platforms = default_catalogue.read_platforms()
    for firm_id in Firm.objects.values_list("pk", flat=True):
        with firm_scope(firm_id):
            default_catalogue.install(
                firm_id,
                software_model=SoftwareProduct,
                platform_model=Platform,
                platforms=platforms,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cartography", "0001_initial"),
        ("firms", "0001_initial"),
    ]

    operations = [migrations.RunPython(install_for_existing_firms, migrations.RunPython.noop)]
