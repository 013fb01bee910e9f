from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cartography import services
from cartography.models import ClientPlatform, ClientSoftware, DigitalProfile
from cartography.services import equipment
from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope


def _history(firm, client):
    return list(HistoryEntry.objects.for_firm(firm).filter(client=client).order_by("id"))


def test_adding_software_records_history_and_bumps_last_review(firm_a, client_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm):
        item = services.add_client_software(
            firm=firm,
            client=client_a,
            data={"product": catalogue_a["pennylane"], "version": "2026", "used_for_issuing": True},
            by=firm_a.collaborator.user,
        )
        entry = _history(firm, client_a)[-1]
        client = Client.objects.for_firm(firm).get(pk=client_a.pk)
    assert item.category == "accounting"  # taken from the catalogue entry
    assert entry.subject == "equipment"
    assert entry.summary == "Logiciel ajouté : Pennylane"
    assert entry.changes["version"] == {"label": "version", "from": "", "to": "2026"}
    assert client.last_reviewed_at is not None


def test_a_failing_change_leaves_neither_history_nor_review(firm_a, client_a):
    firm = firm_a.firm
    with firm_scope(firm), pytest.raises(ValidationError):
        services.add_client_software(
            firm=firm, client=client_a, data={"name": "", "category": "other"}, by=None
        )
    with firm_scope(firm):
        assert _history(firm, client_a) == []
        assert Client.objects.for_firm(firm).get(pk=client_a.pk).last_reviewed_at is None


def test_history_and_review_are_in_the_same_transaction(firm_a, client_a, monkeypatch):
    firm = firm_a.firm

    def broken(client):
        raise RuntimeError("disk full")

    monkeypatch.setattr(equipment, "mark_reviewed", broken)
    with firm_scope(firm), pytest.raises(RuntimeError):
        services.add_client_software(
            firm=firm,
            client=client_a,
            data={"name": "Caisse maison", "category": "point_of_sale"},
            by=None,
        )
    with firm_scope(firm):
        assert not ClientSoftware.objects.for_firm(firm).exists()
        assert _history(firm, client_a) == []


def test_updating_software_records_only_what_changed(firm_a, client_a, catalogue_a):
    firm, user = firm_a.firm, firm_a.collaborator.user
    with firm_scope(firm):
        item = services.add_client_software(
            firm=firm, client=client_a, data={"name": "Facturier", "category": "invoicing"}, by=user
        )
        services.update_client_software(
            firm=firm,
            item=item,
            data={"name": "Facturier", "category": "invoicing", "version": "v2"},
            by=user,
        )
        services.update_client_software(
            firm=firm,
            item=item,
            data={"name": "Facturier", "category": "invoicing", "version": "v2"},
            by=user,
        )
        entries = _history(firm, client_a)
    assert len(entries) == 2
    assert entries[-1].changes == {"version": {"label": "version", "from": "", "to": "v2"}}


def test_removing_software(firm_a, client_a):
    firm = firm_a.firm
    with firm_scope(firm):
        item = services.add_client_software(
            firm=firm, client=client_a, data={"name": "Excel", "category": "other"}, by=None
        )
        services.remove_client_software(firm=firm, item=item, by=None)
        assert not ClientSoftware.objects.for_firm(firm).exists()
        assert _history(firm, client_a)[-1].summary == "Logiciel retiré : Excel"


def test_platform_status_dates(firm_a, client_a, catalogue_a):
    firm, user, pa = firm_a.firm, firm_a.collaborator.user, catalogue_a["pa"]
    day = datetime.date(2026, 3, 2)
    with firm_scope(firm):
        services.set_client_platform(
            firm=firm,
            client=client_a,
            role="reception",
            platform=pa,
            status="considered",
            on=day,
            by=user,
        )
        chosen = services.set_client_platform(
            firm=firm,
            client=client_a,
            role="reception",
            platform=pa,
            status="chosen",
            on=day + datetime.timedelta(days=10),
            # Someone else: one person's edits of a few minutes would make a single entry.
            by=firm_a.supervisor.user,
        )
        entry = _history(firm, client_a)[-1]
    assert chosen.status_dates == {"considered": "2026-03-02", "chosen": "2026-03-12"}
    assert chosen.status_history == [
        ("Envisagée", datetime.date(2026, 3, 2)),
        ("Choisie", datetime.date(2026, 3, 12)),
    ]
    assert entry.changes == {"status": {"label": "statut", "from": "Envisagée", "to": "Choisie"}}
    # Another platform starts its own story.
    with firm_scope(firm):
        other = services.set_client_platform(
            firm=firm,
            client=client_a,
            role="reception",
            platform=catalogue_a["pa_dup"],
            status="considered",
            on=day,
            by=user,
        )
        assert ClientPlatform.objects.for_firm(firm).count() == 1
    assert other.status_dates == {"considered": "2026-03-02"}


def test_reception_and_issuing_are_separate(firm_a, client_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm):
        for role in ("reception", "issuing"):
            services.set_client_platform(
                firm=firm,
                client=client_a,
                role=role,
                platform=catalogue_a["pa"],
                status="chosen",
                by=None,
            )
        assert ClientPlatform.objects.for_firm(firm).filter(client=client_a).count() == 2


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("invoices_received_per_month", "1 250", 1250),
        ("invoices_received_per_month", "1\u202f250", 1250),
        ("invoices_received_per_month", "1.250", 1250),
        ("invoices_issued_per_month", 40, 40),
        ("invoices_issued_per_month", "", None),
        ("paper_share_received", "12,5 %", 13),
        ("paper_share_received", "100", 100),
        ("bank_feed", "oui", True),
        ("has_pos", False, False),
        ("invoice_tool", "word_excel", "word_excel"),
        ("digital_maturity", None, None),
    ],
)
def test_profile_answers_are_parsed(code, raw, expected):
    assert services.parse_profile_answer(code, raw) == expected


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("paper_share_received", "120"),
        ("paper_share_received", "-1"),
        ("invoices_issued_per_month", "12,5"),
        ("invoices_issued_per_month", "beaucoup"),
        ("invoice_tool", "fax"),
        ("bank_feed", "peut-être"),
    ],
)
def test_wrong_profile_answers_are_refused(code, raw):
    with pytest.raises(ValidationError):
        services.parse_profile_answer(code, raw)


def test_saving_the_profile(firm_a, client_a):
    firm, user = firm_a.firm, firm_a.collaborator.user
    with firm_scope(firm):
        services.save_digital_profile(
            firm=firm,
            client=client_a,
            answers={"paper_share_received": "40", "bank_feed": "true"},
            by=user,
        )
        with pytest.raises(ValidationError) as refused:
            services.save_digital_profile(
                firm=firm,
                client=client_a,
                answers={"paper_share_received": "140", "has_pos": "true"},
                by=user,
            )
        profile = DigitalProfile.objects.for_firm(firm).get(client=client_a)
        entries = _history(firm, client_a)
    assert "paper_share_received" in refused.value.message_dict
    assert profile.paper_share_received == 40 and profile.bank_feed is True
    assert profile.has_pos is None  # nothing saved from the refused batch
    assert len(entries) == 1 and entries[0].subject == "profile"
    assert entries[0].changes["paper_share_received"]["to"] == "40 %"


def test_merging_software_repoints_clients_and_tells_their_history(firm_a, client_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm):
        services.add_client_software(
            firm=firm, client=client_a, data={"product": catalogue_a["pennylane_dup"]}, by=None
        )
        moved = services.merge_software_products(
            firm=firm,
            kept=catalogue_a["pennylane"],
            duplicate=catalogue_a["pennylane_dup"],
            by=firm_a.admin.user,
        )
        item = ClientSoftware.objects.for_firm(firm).get(client=client_a)
        entry = _history(firm, client_a)[-1]
    assert moved == 1
    assert item.product_id == catalogue_a["pennylane"].pk
    assert catalogue_a["pennylane_dup"].is_active is False
    assert entry.subject == "equipment"
    assert "fusionné" in entry.summary


def test_merging_platforms_keeps_status_dates(firm_a, client_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm):
        before = services.set_client_platform(
            firm=firm,
            client=client_a,
            role="issuing",
            platform=catalogue_a["pa_dup"],
            status="contract_signed",
            by=None,
        )
        services.merge_platforms(
            firm=firm, kept=catalogue_a["pa"], duplicate=catalogue_a["pa_dup"], by=firm_a.admin.user
        )
        after = ClientPlatform.objects.for_firm(firm).get(pk=before.pk)
    assert after.platform_id == catalogue_a["pa"].pk
    assert after.status_dates == before.status_dates


def test_renaming_to_an_existing_entry_is_refused(firm_a, catalogue_a):
    firm = firm_a.firm
    with firm_scope(firm), pytest.raises(ValidationError):
        services.update_software_product(
            firm=firm,
            product=catalogue_a["pennylane_dup"],
            data={"vendor": "pennylane", "name": "PENNYLANE", "category": "accounting"},
            by=firm_a.admin.user,
        )
