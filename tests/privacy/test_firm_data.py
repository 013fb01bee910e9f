"""A firm's data taken out (every table as JSON, every file) and a firm erased completely: each
table and the storage inspected afterwards."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from firms import services as firm_services
from firms import two_factor
from firms.models import Firm, Membership, Role, User
from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import execute_job
from privacy.export import FIRM_EXPORT_JOB_KIND
from privacy.tables import firm_tables, stored_files
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rich_firm(firm_b):
    """A demo firm with clients, answers, cartographies, mandates, scores, a logo, a job's file,
    an API token, an enrolled administrator, and a member it shares with firm B."""
    call_command("seed_demo", "--clients", "30", "--firm", "Cabinet Effacé", stdout=io.StringIO())
    firm = Firm.objects.get(slug="cabinet-efface")
    firm.logo.save("logo-efface.png", ContentFile(b"\x89PNG fake"), save=True)
    shared = firm_b.admin.user
    with firm_scope(firm):
        Membership.objects.create(firm=firm, user=shared, role=Role.SUPERVISOR)
        admin = Membership.objects.for_firm(firm).get(role=Role.ADMIN)
        firm_services.create_api_token(membership=admin, name="script")
        job = Job.objects.create(firm=firm, kind=FIRM_EXPORT_JOB_KIND, requested_by=admin.user)
        job.result_file.save("resultat.zip", ContentFile(b"zip"), save=True)
    two_factor.enrol_with_secret(admin.user)
    with firm_scope(firm_b.firm):
        factories.make_client(firm_b.firm, company_name="Client de Bêta")
        other = Job.objects.create(firm=firm_b.firm, kind=FIRM_EXPORT_JOB_KIND)
        other.result_file.save("beta.zip", ContentFile(b"beta"), save=True)
    return firm


def tables_with_a_firm_column() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        return [
            name
            for name in names
            if any(
                column.name == "firm_id"
                for column in connection.introspection.get_table_description(cursor, name)
            )
        ]


def rows_per_table(firm_id: int) -> dict[str, int]:
    counts = {}
    with firm_scope(firm_id), connection.cursor() as cursor:
        for table in tables_with_a_firm_column():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} WHERE firm_id = %s", [firm_id])
            counts[table] = cursor.fetchone()[0]
    return counts


def files_of(firm_id: int) -> set[str]:
    with firm_scope(firm_id):
        names = {name for model in firm_tables() for name in stored_files(model, firm_id)}
    firm = Firm.objects.filter(pk=firm_id).first()
    if firm and firm.logo:
        names.add(firm.logo.name)
    return names


def test_an_erased_firm_leaves_no_row_no_file_and_no_user_of_its_own(rich_firm, firm_b):
    firm_id = rich_firm.pk
    before = rows_per_table(firm_id)
    assert sum(before.values()) > 100 and before["clients_client"] == 30
    files = files_of(firm_id)
    assert len(files) >= 2 and all(default_storage.exists(name) for name in files)
    with firm_scope(rich_firm):
        own_users = set(
            Membership.objects.for_firm(rich_firm).values_list("user__email", flat=True)
        )
    beta_rows, beta_files = rows_per_table(firm_b.firm.pk), files_of(firm_b.firm.pk)

    out = io.StringIO()
    call_command("erase_firm", "--firm", rich_firm.slug, "--confirm", rich_firm.slug, stdout=out)
    report = json.loads(out.getvalue())

    assert report["rows"] == sum(before.values()) + 1  # the firm's own row
    assert set(rows_per_table(firm_id).values()) == {0}
    assert not Firm.objects.filter(pk=firm_id).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert report["files"] == len(files)
    # Users of no other firm are gone, with their second factor; the shared one stays.
    shared = firm_b.admin.user.email
    assert set(report["users"]) == own_users - {shared}
    assert not User.objects.filter(email__in=report["users"]).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM otp_totp_totpdevice WHERE user_id NOT IN "
            "(SELECT id FROM firms_user)"
        )
        assert cursor.fetchone()[0] == 0
    assert User.objects.filter(email=shared).exists()
    # Firm B untouched.
    assert rows_per_table(firm_b.firm.pk) == beta_rows
    assert all(default_storage.exists(name) for name in beta_files)
    with firm_scope(firm_b.firm):
        assert Membership.objects.for_firm(firm_b.firm).filter(user__email=shared).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--firm", "inconnu", "--confirm", "inconnu"], "No firm"),
        (["--firm", "cabinet-alpha", "--confirm", "autre"], "--confirm"),
    ],
)
def test_erasure_refuses_an_unknown_firm_or_a_wrong_confirmation(firm_a, arguments, message):
    firm_a.firm.slug = "cabinet-alpha"
    firm_a.firm.save(update_fields=["slug"])
    with pytest.raises(CommandError, match=message) as refused:
        call_command("erase_firm", *arguments)
    assert refused.value.returncode == 2
    assert Firm.objects.filter(pk=firm_a.firm.pk).exists()


def test_an_administrator_exports_every_table_and_every_file(client, rich_firm, firm_b):
    admin = User.objects.get(email="admin@demo.pilote-fe.fr")
    client.force_login(admin)
    page = client.get(f"/f/{rich_firm.slug}/parametres/donnees/")
    assert page.status_code == 200
    response = client.post(f"/f/{rich_firm.slug}/parametres/donnees/export/")
    assert response.status_code == 302
    with firm_scope(rich_firm):
        job = Job.objects.for_firm(rich_firm).filter(kind=FIRM_EXPORT_JOB_KIND).latest("pk")
    execute_job(firm_id=rich_firm.pk, job_id=job.pk)
    with firm_scope(rich_firm):
        job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    download = client.get(f"/f/{rich_firm.slug}/travaux/{job.pk}/fichier/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())

    for model in firm_tables():
        label = f"tables/{model._meta.label_lower}.json"
        assert label in names
        rows = json.loads(archive.read(label))
        assert all(row["firm_id"] == rich_firm.pk for row in rows)
    clients = json.loads(archive.read("tables/clients.client.json"))
    assert len(clients) == 30
    tokens = json.loads(archive.read("tables/firms.apitoken.json"))
    assert tokens and all("key_hash" not in token for token in tokens)
    assert json.loads(archive.read("cabinet.json"))["slug"] == rich_firm.slug
    members = json.loads(archive.read("membres.json"))
    assert "admin@demo.pilote-fe.fr" in {member["email"] for member in members}
    assert all("password" not in member for member in members)
    assert f"fichiers/{rich_firm.logo.name}" in names
    assert "Client de Bêta" not in archive.read("tables/clients.client.json").decode()


def test_only_administrators_export_the_firm(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    assert client.post(f"/f/{firm_a.firm.slug}/parametres/donnees/export/").status_code == 403
    with firm_scope(firm_a.firm):
        assert not Job.objects.for_firm(firm_a.firm).exists()
