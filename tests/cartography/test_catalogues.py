from __future__ import annotations

import io
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from cartography import services
from cartography.default_catalogue import DEFAULT_SOFTWARE, PLATFORMS_CSV, read_platforms
from cartography.models import ClientPlatform, Platform, SoftwareProduct
from clients.models import HistoryEntry
from firms.tenancy import firm_scope

HTMX = {"HTTP_HX_REQUEST": "true"}
# Each catalogue's pages, an entry of catalogue_a there, the data to add a new one, and its model.
CATALOGUES = {
    "software": (
        "logiciels",
        "excel",
        {"vendor": "Acme", "name": "Facto", "category": "invoicing", "reform_ready": "no"},
        SoftwareProduct,
    ),
    "platforms": ("plateformes", "pa", {"name": "PA du cabinet", "notes": "Interne"}, Platform),
}


def _counts(firm):
    with firm_scope(firm):
        return (
            SoftwareProduct.objects.for_firm(firm).count(),
            Platform.objects.for_firm(firm).count(),
        )


def test_the_shipped_list_has_every_platform():
    platforms = read_platforms()
    assert len(platforms) == 162
    assert {p.registration_status for p in platforms} == {"definitive", "pending_tests"}
    assert len(DEFAULT_SOFTWARE) >= 40


def test_installation_is_idempotent_and_per_firm(firm_a, firm_b):
    assert services.install_default_catalogues(firm_a.firm) == (len(DEFAULT_SOFTWARE), 162)
    assert services.install_default_catalogues(firm_a.firm) == (0, 0)
    assert _counts(firm_b.firm) == (0, 0)
    services.install_default_catalogues(firm_b.firm)
    with firm_scope(firm_a.firm):
        sage = SoftwareProduct.objects.for_firm(firm_a.firm).get(name="Sage 50")
        services.update_software_product(
            firm=firm_a.firm,
            product=sage,
            data={
                "vendor": "Sage",
                "name": "Sage 50 Cloud",
                "category": "accounting",
                "reform_ready": "no",
            },
            by=firm_a.admin.user,
        )
    with firm_scope(firm_b.firm):
        theirs = SoftwareProduct.objects.for_firm(firm_b.firm).get(name="Sage 50")
    assert theirs.reform_ready == "yes"
    assert _counts(firm_b.firm) == (len(DEFAULT_SOFTWARE), 162)


def test_install_catalogues_command(firm_a, firm_b):
    out = io.StringIO()
    call_command("install_catalogues", "--firm", firm_a.firm.slug, stdout=out)
    assert _counts(firm_a.firm) == (len(DEFAULT_SOFTWARE), 162)
    assert _counts(firm_b.firm) == (0, 0)


def test_refresh_platforms_with_the_real_list_then_a_modified_one(firm_a, client_a, tmp_path):
    firm = firm_a.firm
    call_command("refresh_platforms", str(PLATFORMS_CSV), stdout=io.StringIO())
    assert _counts(firm)[1] == 162
    with firm_scope(firm):
        abby = Platform.objects.for_firm(firm).get(name="ABBY")
        services.set_client_platform(
            firm=firm, client=client_a, role="reception", platform=abby, status="chosen", by=None
        )
    lines = PLATFORMS_CSV.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if ";ABBY;" not in line]
    kept = ["2;definitive;Basikon;2026-09-01" if ";Basikon;" in line else line for line in kept]
    kept.append("1;definitive;Nouvelle PA;2026-10-01")
    modified = tmp_path / "liste.csv"
    modified.write_text("\n".join(kept) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("refresh_platforms", str(modified), stdout=out)
    assert "1 ajoutée(s), 1 mise(s) à jour, 0 réactivée(s), 1 désactivée(s)" in out.getvalue()
    with firm_scope(firm):
        platforms = {p.name: p for p in Platform.objects.for_firm(firm)}
        still_chosen = ClientPlatform.objects.for_firm(firm).get(client=client_a)
    assert len(platforms) == 163  # nothing deleted
    assert platforms["ABBY"].is_active is False
    assert still_chosen.platform_id == abby.pk
    assert platforms["Basikon"].registration_status == "definitive"
    assert str(platforms["Basikon"].registered_on) == "2026-09-01"
    assert platforms["Nouvelle PA"].is_active
    # The list comes back: ABBY is active again.
    shutil.copy(PLATFORMS_CSV, modified)
    out = io.StringIO()
    call_command("refresh_platforms", str(modified), stdout=out)
    assert "1 réactivée(s)" in out.getvalue()


def test_refresh_never_deactivates_a_firms_own_platform(firm_a):
    firm = firm_a.firm
    with firm_scope(firm):
        services.add_platform(firm=firm, data={"name": "PA du cabinet"}, by=firm_a.admin.user)
    call_command("refresh_platforms", str(PLATFORMS_CSV), stdout=io.StringIO())
    with firm_scope(firm):
        assert Platform.objects.for_firm(firm).get(name="PA du cabinet").is_active


def test_an_entry_is_edited_in_place_in_its_row(client, firm_a, catalogue_a):
    product = catalogue_a["pennylane_dup"]
    url = f"/f/{firm_a.firm.slug}/parametres/catalogues/logiciels/{product.pk}/"
    client.force_login(firm_a.admin.user)
    form_row = client.get(url, HTTP_HX_REQUEST="true").content.decode().strip()
    assert form_row.startswith(f'<tr id="product-{product.pk}" class="row--editing">')
    refused = client.post(
        url, {"name": "", "category": "accounting", "reform_ready": "no"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "row--editing" in refused and "Ce champ est obligatoire." in refused
    saved = client.post(
        url,
        {
            "vendor": "Pennylane",
            "name": "Pennylane Facturation",
            "category": "invoicing",
            "reform_ready": "no",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in saved and "Pennylane Facturation" in saved and "Pas prêt" in saved
    with firm_scope(firm_a.firm):
        product.refresh_from_db()
    assert (product.name, product.reform_ready) == ("Pennylane Facturation", "no")


def test_a_platform_is_renamed_in_place(client, firm_a, catalogue_a):
    with firm_scope(firm_a.firm):
        platform = Platform.objects.for_firm(firm_a.firm).first()
    url = f"/f/{firm_a.firm.slug}/parametres/catalogues/plateformes/{platform.pk}/"
    client.force_login(firm_a.admin.user)
    assert "row--editing" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    saved = client.post(
        url, {"name": "Plateforme renommée"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert saved.startswith(f'<tr id="platform-{platform.pk}"') and "Plateforme renommée" in saved
    cancelled = client.get(url + "?annuler=1", HTTP_HX_REQUEST="true").content.decode()
    assert "row--editing" not in cancelled and "Plateforme renommée" in cancelled


def _base(firm_a, segment):
    return f"/f/{firm_a.firm.slug}/parametres/catalogues/{segment}/"


def _reloaded(firm_a, entry):
    with firm_scope(firm_a.firm):
        entry.refresh_from_db()
    return entry


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_an_entry_is_added_once(client, firm_a, catalogue_a, catalogue):
    segment, _, new, model = CATALOGUES[catalogue]
    client.force_login(firm_a.admin.user)
    added = client.post(_base(firm_a, segment), new, follow=True).content.decode()
    assert "ajouté" in added and "au catalogue." in added
    shouting = {key: value.upper() for key, value in new.items() if key in ("vendor", "name")}
    refused = client.post(_base(firm_a, segment), new | shouting).content.decode()
    assert "est déjà au catalogue" in refused
    with firm_scope(firm_a.firm):
        assert model.objects.for_firm(firm_a.firm).filter(name__iexact=new["name"]).count() == 1


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_an_entry_is_deactivated_then_reactivated_after_confirming(
    client, firm_a, catalogue_a, catalogue
):
    segment, key, _, _ = CATALOGUES[catalogue]
    entry = catalogue_a[key]
    url = f"{_base(firm_a, segment)}{entry.pk}/activation/"
    client.force_login(firm_a.admin.user)
    assert f"Désactiver « {entry} » ?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert _reloaded(firm_a, entry).is_active is False
    assert f"Réactiver « {entry} » ?" in client.get(url).content.decode()
    client.post(url)
    assert _reloaded(firm_a, entry).is_active is True


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_only_administrators_change_a_catalogue(client, firm_a, catalogue_a, catalogue):
    segment, key, _, _ = CATALOGUES[catalogue]
    entry = catalogue_a[key]
    url = f"{_base(firm_a, segment)}{entry.pk}/activation/"
    for membership in (firm_a.collaborator, firm_a.supervisor):
        client.force_login(membership.user)
        assert client.post(url).status_code == 403
    assert _reloaded(firm_a, entry).is_active is True


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_the_edit_page_works_without_htmx(client, firm_a, catalogue_a, catalogue):
    segment, key, new, _ = CATALOGUES[catalogue]
    entry = catalogue_a[key]
    url = f"{_base(firm_a, segment)}{entry.pk}/"
    client.force_login(firm_a.admin.user)
    page = client.get(url).content.decode()
    assert f"Modifier « {entry} »" in page and f'href="{_base(firm_a, segment)}">Annuler' in page
    response = client.post(url, new)
    assert response.status_code == 302 and response["Location"] == _base(firm_a, segment)
    assert _reloaded(firm_a, entry).name == new["name"]
    cancelled = client.get(url + "?annuler=1", **HTMX).content.decode()
    assert cancelled.startswith("<tr id=") and new["name"] in cancelled


def test_a_platform_duplicate_is_merged_after_confirming(client, firm_a, client_a, catalogue_a):
    firm, duplicate, kept = firm_a.firm, catalogue_a["pa_dup"], catalogue_a["pa"]
    with firm_scope(firm):
        services.set_client_platform(
            firm=firm,
            client=client_a,
            role="reception",
            platform=duplicate,
            status="chosen",
            by=None,
        )
    url = f"{_base(firm_a, 'plateformes')}{duplicate.pk}/fusionner/"
    client.force_login(firm_a.admin.user)
    assert "Confirmer la fusion" in client.get(url).content.decode()
    done = client.post(url, {"kept": kept.pk}, follow=True).content.decode()
    assert "« Pennylane PA » fusionnée ; 1 usage(s) client repris." in done
    with firm_scope(firm):
        use = ClientPlatform.objects.for_firm(firm).get(client=client_a)
        entry = HistoryEntry.objects.for_firm(firm).filter(client=client_a).latest("pk")
    assert use.platform_id == kept.pk and _reloaded(firm_a, duplicate).is_active is False
    assert entry.summary == "Catalogue : « Pennylane PA » fusionné dans « PENNYLANE »"
    assert entry.changes["catalogue"]["label"] == "plateforme agréée"


def test_an_entry_is_not_merged_into_itself(firm_a, catalogue_a):
    firm, admin = firm_a.firm, firm_a.admin.user
    with firm_scope(firm):
        for merge, entry in (
            (services.merge_software_products, catalogue_a["excel"]),
            (services.merge_platforms, catalogue_a["pa"]),
        ):
            with pytest.raises(ValidationError):
                merge(firm=firm, kept=entry, duplicate=entry, by=admin)


def test_the_platform_catalogue_is_searched_and_paginated(client, firm_a, default_catalogues):
    client.force_login(firm_a.admin.user)
    url = _base(firm_a, "plateformes")
    first = client.get(url)
    assert first.context["page"].paginator.count > 100  # the DGFiP list
    assert len(first.context["entries"]) == 50
    assert "Suivant →" in first.content.decode()
    second = client.get(url, {"page": "2"})
    assert second.context["page"].number == 2
    found = client.get(url, {"q": "aruba"}, HTTP_HX_REQUEST="true")
    body = found.content.decode()
    assert "<html" not in body and "Aruba" in body
    assert found.context["page"].paginator.count == 1
    nothing = client.get(url, {"q": "zzz introuvable"}).content.decode()
    assert "Aucune entrée ne correspond" in nothing


def test_the_software_search_matches_every_word(client, firm_a, catalogue_a):
    client.force_login(firm_a.admin.user)
    response = client.get(_base(firm_a, "logiciels"), {"q": "microsoft excel"})
    assert [str(entry) for entry in response.context["entries"]] == [str(catalogue_a["excel"])]
