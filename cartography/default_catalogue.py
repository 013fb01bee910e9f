"""The catalogues every firm starts with: common French software and the DGFiP list of approved
platforms (plateformes agréées). Plain data and a loader, usable from a data migration (with the
historical models) as well as from the application."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PLATFORMS_CSV = Path(__file__).resolve().parent / "data" / "plateformes-agreees.csv"

ACCOUNTING = "accounting"
INVOICING = "invoicing"
ERP = "erp"
POINT_OF_SALE = "point_of_sale"
PURCHASING = "purchasing"
PAYROLL = "payroll"
OTHER = "other"

# (vendor, product, category, reform_ready, notes). "yes" when the vendor is itself on the DGFiP
# list or has announced a connection to an approved platform; "unknown" when we are not sure.
DEFAULT_SOFTWARE: tuple[tuple[str, str, str, str, str], ...] = (
    ("Sage", "Sage 100 Comptabilité", ACCOUNTING, "yes", "Sage est plateforme agréée."),
    ("Sage", "Sage 50", ACCOUNTING, "yes", "Sage est plateforme agréée."),
    ("Sage", "Ciel Compta", ACCOUNTING, "no", "Gamme arrêtée : prévoir une migration."),
    ("Cegid", "Loop", ACCOUNTING, "yes", "Cegid est plateforme agréée."),
    ("Cegid", "Quadra", ACCOUNTING, "yes", "Cegid est plateforme agréée."),
    ("EBP", "EBP Compta", ACCOUNTING, "unknown", ""),
    ("ACD Groupe", "iSuite Expert", ACCOUNTING, "unknown", ""),
    ("Inqom", "Inqom", ACCOUNTING, "unknown", ""),
    ("MyUnisoft", "MyUnisoft", ACCOUNTING, "yes", "Plateforme agréée (MY UNISOFT)."),
    ("Fulll", "Fulll", ACCOUNTING, "yes", "Plateforme agréée (FULLL)."),
    ("Pennylane", "Pennylane", ACCOUNTING, "yes", "Plateforme agréée (PENNYLANE)."),
    ("Tiime", "Tiime", ACCOUNTING, "yes", "Plateforme agréée (TIIME PDP)."),
    ("Indy", "Indy", ACCOUNTING, "yes", "Plateforme agréée (INDY)."),
    ("Dougs", "Dougs", ACCOUNTING, "yes", "Plateforme agréée (Dougs Facturation gratuite)."),
    ("Intuit", "QuickBooks", ACCOUNTING, "unknown", ""),
    ("MaCompta.fr", "MaCompta.fr", ACCOUNTING, "yes", "Plateforme agréée (MACOMPTA.FR)."),
    ("Axonaut", "Axonaut", INVOICING, "yes", "Plateforme agréée (AXONAUT)."),
    ("Sellsy", "Sellsy", INVOICING, "yes", "Plateforme agréée (TeamSystem Sellsy)."),
    ("Abby", "Abby", INVOICING, "yes", "Plateforme agréée (ABBY)."),
    ("VosFactures", "VosFactures", INVOICING, "yes", "Plateforme agréée (VosFactures)."),
    ("Qonto", "Qonto Facturation", INVOICING, "yes", "Plateforme agréée (QONTO)."),
    ("Shine", "Shine Facturation", INVOICING, "yes", "Plateforme agréée (Shine)."),
    ("Henrri", "Henrri", INVOICING, "unknown", ""),
    ("Evoliz", "Evoliz", INVOICING, "unknown", ""),
    ("Zervant", "Zervant", INVOICING, "unknown", ""),
    ("Freebe", "Freebe", INVOICING, "unknown", ""),
    ("EBP", "EBP Facturation", INVOICING, "unknown", ""),
    ("Odoo", "Odoo", ERP, "yes", "Plateforme agréée (ODOO)."),
    ("Sage", "Sage 100 Gestion commerciale", ERP, "yes", "Sage est plateforme agréée."),
    ("EBP", "EBP Gestion commerciale", ERP, "unknown", ""),
    ("Cegid", "XRP Flex", ERP, "yes", "Cegid est plateforme agréée."),
    ("SAP", "SAP Business One", ERP, "yes", "SAP est plateforme agréée."),
    ("Microsoft", "Dynamics 365 Business Central", ERP, "unknown", ""),
    ("Divalto", "Divalto", ERP, "unknown", ""),
    ("Axelor", "Axelor", ERP, "yes", "Plateforme agréée (AXELOR)."),
    ("Lundi Matin", "LMB", ERP, "yes", "Plateforme agréée (LUNDI MATIN)."),
    ("Lightspeed", "Lightspeed Restaurant", POINT_OF_SALE, "unknown", ""),
    ("Lightspeed", "Lightspeed Retail", POINT_OF_SALE, "unknown", ""),
    ("Zelty", "Zelty", POINT_OF_SALE, "unknown", ""),
    ("L'Addition", "L'Addition", POINT_OF_SALE, "unknown", ""),
    ("SumUp", "SumUp Caisse", POINT_OF_SALE, "unknown", ""),
    ("Square", "Square Caisse", POINT_OF_SALE, "unknown", ""),
    ("Hiboutik", "Hiboutik", POINT_OF_SALE, "unknown", ""),
    ("Dext", "Dext", PURCHASING, "yes", "Plateforme agréée (DEXT)."),
    ("Yooz", "Yooz", PURCHASING, "yes", "Plateforme agréée (YOOZ PDP)."),
    ("Spendesk", "Spendesk", PURCHASING, "yes", "Plateforme agréée (SPENDESK)."),
    ("N2F", "N2F", PURCHASING, "yes", "Plateforme agréée (N2F PDP)."),
    ("Lucca", "Cleemy", PURCHASING, "yes", "Lucca est plateforme agréée."),
    ("Libeo", "Libeo", PURCHASING, "unknown", ""),
    ("Agicap", "Agicap", PURCHASING, "yes", "Plateforme agréée (AGICAP)."),
    ("PayFit", "PayFit", PAYROLL, "unknown", "Ne produit pas de factures."),
    ("Silae", "Silae", PAYROLL, "unknown", "Ne produit pas de factures."),
    ("Sage", "Sage Paie", PAYROLL, "unknown", "Ne produit pas de factures."),
    ("Microsoft", "Excel", OTHER, "no", "Bureautique : ne produit pas de facture électronique."),
    ("Microsoft", "Word", OTHER, "no", "Bureautique : ne produit pas de facture électronique."),
    ("Google", "Sheets", OTHER, "no", "Bureautique : ne produit pas de facture électronique."),
)

# The "statut" column of the DGFiP file → Platform.Registration.
REGISTRATION_STATUSES = {
    "definitive": "definitive",
    "en attente tests interop": "pending_tests",
}


@dataclass(frozen=True)
class ListedPlatform:
    name: str
    registration_status: str
    registered_on: datetime.date | None


def read_platforms(path: Path | str = PLATFORMS_CSV) -> list[ListedPlatform]:
    """The DGFiP list (columns liste;statut;nom_commercial;date_delivrance_immatriculation)."""
    platforms: dict[str, ListedPlatform] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file, delimiter=";"):
            name = (row.get("nom_commercial") or "").strip()
            if not name:
                continue
            status = (row.get("statut") or "").strip().lower()
            raw_date = (row.get("date_delivrance_immatriculation") or "").strip()
            platforms[name] = ListedPlatform(
                name=name,
                registration_status=REGISTRATION_STATUSES.get(status, "not_listed"),
                registered_on=datetime.date.fromisoformat(raw_date) if raw_date else None,
            )
    return list(platforms.values())


def install(
    firm_id: int,
    *,
    software_model,
    platform_model,
    platforms: Iterable[ListedPlatform] | None = None,
) -> tuple[int, int]:
    """Add the default entries a firm's catalogues lack; returns (software, platforms) added.

    Idempotent: an entry the firm already has (even renamed-back, deactivated or edited) is left
    alone. The caller is inside the firm's scope. The models are parameters so that a data
    migration can pass its historical models.
    """
    existing_software = set(
        software_model.objects.filter(firm_id=firm_id).values_list("vendor", "name")
    )
    new_software = [
        software_model(
            firm_id=firm_id,
            vendor=vendor,
            name=name,
            category=category,
            reform_ready=reform_ready,
            notes=notes,
        )
        for vendor, name, category, reform_ready, notes in DEFAULT_SOFTWARE
        if (vendor, name) not in existing_software
    ]
    software_model.objects.bulk_create(new_software)
    existing_platforms = set(
        platform_model.objects.filter(firm_id=firm_id).values_list("name", flat=True)
    )
    new_platforms = [
        platform_model(
            firm_id=firm_id,
            name=listed.name,
            registration_status=listed.registration_status,
            registered_on=listed.registered_on,
            from_official_list=True,
        )
        for listed in (read_platforms() if platforms is None else platforms)
        if listed.name not in existing_platforms
    ]
    platform_model.objects.bulk_create(new_platforms)
    return len(new_software), len(new_platforms)
