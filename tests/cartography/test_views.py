from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cartography import services
from cartography.models import (
    ClientPlatform,
    ClientSoftware,
    DigitalProfile,
    Platform,
    SoftwareProduct,
)
from clients.models import HistoryEntry
from firms.tenancy import firm_scope
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(firm_a, client, suffix=""):
    return f"/f/{firm_a.firm.slug}/clients/{client.pk}/cartographie/{suffix}"


def test_the_tab_shows_the_three_sections(as_member, firm_a, client_a, default_catalogues):
    response = as_member(firm_a.collaborator).get(_url(firm_a, client_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Logiciels utilisés" in html and "Plateformes agréées" in html
    assert "Profil numérique" in html
    assert 'aria-current="page">Cartographie' in html
    assert "Pennylane" in html  # from the default catalogue


def test_htmx_gets_the_section_only(as_member, firm_a, client_a):
    member = as_member(firm_a.collaborator)
    response = member.post(
        _url(firm_a, client_a, "logiciels/"),
        {"label": "Logiciel maison", "category": "invoicing", "used_for_issuing": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="cartography-software"' in html and "Logiciel maison" in html


def test_without_javascript_a_post_redirects_to_the_tab(
    as_member, firm_a, client_a, default_catalogues
):
    member = as_member(firm_a.collaborator)
    response = member.post(
        _url(firm_a, client_a, "logiciels/"), {"label": "Sage 50", "version": "2025"}
    )
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        item = ClientSoftware.objects.for_firm(firm_a.firm).select_related("product").get()
    assert item.product.name == "Sage 50" and item.category == "accounting"


def test_a_free_software_needs_a_category(as_member, firm_a, client_a):
    response = as_member(firm_a.collaborator).post(
        _url(firm_a, client_a, "logiciels/"), {"label": "Inconnu"}, **HTMX
    )
    assert "Choisissez une catégorie." in response.content.decode()


def test_search_suggests_catalogue_entries(as_member, firm_a, client_a, default_catalogues):
    member = as_member(firm_a.collaborator)
    response = member.get(_url(firm_a, client_a, "logiciels/recherche/"), {"label": "penny"})
    assert "Pennylane" in response.content.decode()
    with firm_scope(firm_a.firm):
        pennylane = SoftwareProduct.objects.for_firm(firm_a.firm).get(name="Pennylane")
    picked = member.get(_url(firm_a, client_a, "logiciels/"), {"product": pennylane.pk}, **HTMX)
    assert 'data-testid="picked-software"' in picked.content.decode()


@pytest.mark.parametrize("product", ["²", "99999999999999999999999", "-1", "1e23", "x" * 5000])
def test_a_picked_product_that_is_no_id_picks_nothing(as_member, firm_a, client_a, product):
    member = as_member(firm_a.collaborator)
    picked = member.get(_url(firm_a, client_a, "logiciels/"), {"product": product}, **HTMX)
    assert picked.status_code == 200
    assert 'data-testid="picked-software"' not in picked.content.decode()


def test_search_text_with_a_nul_character_is_read_without_it(
    as_member, firm_a, client_a, default_catalogues
):
    member = as_member(firm_a.collaborator)
    response = member.get(_url(firm_a, client_a, "logiciels/recherche/"), {"label": "pen\x00ny"})
    assert response.status_code == 200
    assert "Pennylane" in response.content.decode()


def test_edit_and_remove(as_member, firm_a, client_a):
    with firm_scope(firm_a.firm):
        item = services.add_client_software(
            firm=firm_a.firm, client=client_a, data={"name": "Excel", "category": "other"}, by=None
        )
    member = as_member(firm_a.collaborator)
    form = member.get(_url(firm_a, client_a, f"logiciels/{item.pk}/"), **HTMX)
    assert 'id="software-edit"' in form.content.decode()
    member.post(
        _url(firm_a, client_a, f"logiciels/{item.pk}/"),
        {"label": "Excel", "category": "other", "version": "365"},
        **HTMX,
    )
    confirm = member.get(_url(firm_a, client_a, f"logiciels/{item.pk}/retirer/"))
    assert "Retirer « Excel » ?" in confirm.content.decode()
    member.post(_url(firm_a, client_a, f"logiciels/{item.pk}/retirer/"))
    with firm_scope(firm_a.firm):
        assert not ClientSoftware.objects.for_firm(firm_a.firm).exists()
        assert HistoryEntry.objects.for_firm(firm_a.firm).filter(subject="equipment").count() == 3


def test_setting_a_platform(as_member, firm_a, client_a, catalogue_a):
    member = as_member(firm_a.collaborator)
    response = member.post(
        _url(firm_a, client_a, "plateformes/reception/"),
        {"reception-platform": catalogue_a["pa"].pk, "reception-status": "chosen"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "PENNYLANE · Choisie" in response.content.decode()
    with firm_scope(firm_a.firm):
        assert ClientPlatform.objects.for_firm(firm_a.firm).get().status == "chosen"
    assert member.post(_url(firm_a, client_a, "plateformes/autre/")).status_code == 404


def test_platform_dates_are_typed_and_shown_the_french_way(
    as_member, firm_a, client_a, catalogue_a
):
    member = as_member(firm_a.collaborator)
    tab = member.get(_url(firm_a, client_a)).content.decode()
    # A text input: a native date input would show mm/dd/yyyy in an English browser.
    assert 'name="reception-on" placeholder="jj/mm/aaaa"' in tab
    assert 'type="date"' not in tab
    response = member.post(
        _url(firm_a, client_a, "plateformes/reception/"),
        {
            "reception-platform": catalogue_a["pa"].pk,
            "reception-status": "chosen",
            "reception-on": "02/03/2026",
        },
        **HTMX,
    )
    with firm_scope(firm_a.firm):
        assert ClientPlatform.objects.for_firm(firm_a.firm).get().status_dates == {
            "chosen": "2026-03-02"
        }
    # The status history says when, in French.
    history = response.content.decode()
    assert "Choisie :</span> 02/03/2026" in history and "2026-03-02" not in history
    refused = member.post(
        _url(firm_a, client_a, "plateformes/reception/"),
        {
            "reception-platform": catalogue_a["pa"].pk,
            "reception-status": "chosen",
            "reception-on": "03/31/2026",
        },
        **HTMX,
    )
    assert "Saisissez une date au format jj/mm/aaaa." in refused.content.decode()


def test_the_profile_saves_one_field_at_a_time(as_member, firm_a, client_a):
    member = as_member(firm_a.collaborator)
    url = _url(firm_a, client_a, "profil/")
    saved = member.post(url, {"invoices_received_per_month": "1 250"}, **HTMX)
    assert "Enregistré ✓" in saved.content.decode()
    refused = member.post(url, {"paper_share_received": "150"}, **HTMX)
    assert "entre 0 et 100" in refused.content.decode()
    with firm_scope(firm_a.firm):
        profile = DigitalProfile.objects.for_firm(firm_a.firm).get()
    assert profile.invoices_received_per_month == 1250
    assert profile.paper_share_received is None


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ("100 000 000 000 000 000 000 000", "Ce nombre de factures est trop grand."),
        ("99999999999999999999999", "Ce nombre de factures est trop grand."),
        ("2 147 483 648", "Ce nombre de factures est trop grand."),  # the column's limit + 1
        ("1e23", "Saisissez un nombre, par exemple 1 250."),
    ],
)
def test_a_figure_too_large_for_the_profile_is_refused(
    as_member, firm_a, client_a, figure, message
):
    member = as_member(firm_a.collaborator)
    url = _url(firm_a, client_a, "profil/")
    refused = member.post(url, {"invoices_issued_per_month": figure}, **HTMX)
    assert refused.status_code == 200
    assert message in refused.content.decode()
    with firm_scope(firm_a.firm):
        assert not DigitalProfile.objects.for_firm(firm_a.firm).exists()
    largest = member.post(url, {"invoices_issued_per_month": "2 147 483 647"}, **HTMX)
    assert "Enregistré ✓" in largest.content.decode()


def test_the_whole_profile_form_without_javascript(as_member, firm_a, client_a):
    response = as_member(firm_a.collaborator).post(
        _url(firm_a, client_a, "profil/"),
        {"invoice_tool": "word_excel", "bank_feed": "false", "paper_share_received": ""},
    )
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        profile = DigitalProfile.objects.for_firm(firm_a.firm).get()
    assert profile.invoice_tool == "word_excel" and profile.bank_feed is False


def test_a_collaborator_cannot_open_someone_elses_client(as_member, firm_a, client_a):
    member = as_member(firm_a.other_collaborator)
    assert member.get(_url(firm_a, client_a)).status_code == 404
    assert member.post(_url(firm_a, client_a, "profil/"), {"has_pos": "true"}).status_code == 404


def test_another_firm_cannot_touch_the_software(as_member, firm_a, firm_b):
    theirs = factories.make_client(firm_b.firm)
    with firm_scope(firm_b.firm):
        item = services.add_client_software(
            firm=firm_b.firm, client=theirs, data={"name": "X", "category": "other"}, by=None
        )
    mine = factories.make_client(firm_a.firm)
    member = as_member(firm_a.admin)
    # Their software under my client's URL: not found.
    url = f"/f/{firm_a.firm.slug}/clients/{mine.pk}/cartographie/logiciels/{item.pk}/retirer/"
    assert member.post(url).status_code == 404


@pytest.mark.parametrize("path", ["logiciels/", "plateformes/"])
def test_catalogue_pages_are_for_administrators(as_member, firm_a, path):
    url = f"/f/{firm_a.firm.slug}/parametres/catalogues/{path}"
    assert as_member(firm_a.collaborator).get(url).status_code == 403
    assert as_member(firm_a.supervisor).get(url).status_code == 403
    assert as_member(firm_a.admin).get(url).status_code == 200


def test_an_administrator_merges_duplicates_after_confirming(
    as_member, firm_a, client_a, catalogue_a
):
    with firm_scope(firm_a.firm):
        services.add_client_software(
            firm=firm_a.firm,
            client=client_a,
            data={"product": catalogue_a["pennylane_dup"]},
            by=None,
        )
    member = as_member(firm_a.admin)
    url = (
        f"/f/{firm_a.firm.slug}/parametres/catalogues/logiciels/"
        f"{catalogue_a['pennylane_dup'].pk}/fusionner/"
    )
    assert "Confirmer la fusion" in member.get(url).content.decode()
    response = member.post(url, {"kept": catalogue_a["pennylane"].pk})
    assert response.status_code == 302
    with firm_scope(firm_a.firm):
        item = ClientSoftware.objects.for_firm(firm_a.firm).get()
    assert item.product_id == catalogue_a["pennylane"].pk


def test_an_administrator_adds_and_marks_reform_ready(as_member, firm_a, catalogue_a):
    member = as_member(firm_a.admin)
    base = f"/f/{firm_a.firm.slug}/parametres/catalogues/logiciels/"
    member.post(
        base,
        {"vendor": "Acme", "name": "Facto", "category": "invoicing", "reform_ready": "unknown"},
    )
    excel = catalogue_a["excel"]
    member.post(
        f"{base}{excel.pk}/",
        {"vendor": "Microsoft", "name": "Excel 365", "category": "other", "reform_ready": "no"},
    )
    with firm_scope(firm_a.firm):
        names = set(SoftwareProduct.objects.for_firm(firm_a.firm).values_list("name", flat=True))
    assert {"Facto", "Excel 365"} <= names


def test_the_tab_makes_a_constant_number_of_queries(as_member, firm_a, client_a, catalogue_a):
    member = as_member(firm_a.collaborator)
    member.get(_url(firm_a, client_a))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member.get(_url(firm_a, client_a)).status_code == 200
        return len(queries)

    with firm_scope(firm_a.firm):
        services.add_client_software(
            firm=firm_a.firm, client=client_a, data={"product": catalogue_a["excel"]}, by=None
        )
        services.set_client_platform(
            firm=firm_a.firm,
            client=client_a,
            role="reception",
            platform=catalogue_a["pa"],
            status="chosen",
            by=None,
        )
    few = count()
    with firm_scope(firm_a.firm):
        for n in range(6):
            services.add_client_software(
                firm=firm_a.firm,
                client=client_a,
                data={
                    "product": catalogue_a["pennylane"] if n % 2 else None,
                    "name": f"Outil {n}",
                    "category": "other",
                },
                by=None,
            )
    assert count() == few


def test_the_tab_stays_within_its_statements_with_the_whole_platform_list(
    as_member, firm_a, client_a, default_catalogues, django_assert_max_num_queries
):
    """The tab with the DGFiP list of platforms in both selects (written by QuickSelect):
    session, user, firm, the scope (its savepoint, settings and release), membership, client,
    software, platforms, profile, catalogue, the badge and the firm switcher, and one query
    for both platform selects."""
    member = as_member(firm_a.collaborator)
    with firm_scope(firm_a.firm):
        platform = Platform.objects.for_firm(firm_a.firm).order_by("name")[3]
        services.set_client_platform(
            firm=firm_a.firm,
            client=client_a,
            role="issuing",
            platform=platform,
            status="chosen",
            by=None,
        )
        platforms = Platform.objects.for_firm(firm_a.firm).count()
    member.get(_url(firm_a, client_a))
    with django_assert_max_num_queries(16):
        response = member.get(_url(firm_a, client_a))
    html = response.content.decode()
    assert platforms > 50
    assert html.count("<option value=") >= 2 * platforms
    assert f'<option value="{platform.pk}" selected>' in html
    assert 'name="issuing-platform"' in html and 'name="reception-platform"' in html
