"""The reform's rules for a company whose facts are all known (REGULATION.md §1 and §3).

Dates, thresholds and frequencies are data; each rule is a small function over plain values.
What to do when some facts are still unknown is not this module's business (see derivation.py).
"""

from dataclasses import dataclass
from datetime import date

RECEPTION_START = date(2026, 9, 1)
FIRST_WAVE = date(2026, 9, 1)  # issuing and e-reporting for large and mid-size companies
# PME and micro. A decree may defer it to 1 Dec 2027 at the latest; change it here if it does.
SECOND_WAVE = date(2027, 9, 1)
SIMPLIFIED_REGIME_END = date(2027, 1, 1)


@dataclass(frozen=True)
class SizeCeiling:
    """A category of décret 2008-1354: fewer staff than this AND one money figure at most this."""

    category: str
    staff_below: int  # annual work units, strictly below
    turnover_at_most: int  # euros excluding VAT, this amount included
    balance_sheet_at_most: int  # euros, this amount included


# Smallest first: a company belongs to the first category whose ceiling it fits under, which
# gives "PME … and not micro" and "ETI: not PME …". Above them all: GE.
SIZE_CEILINGS: tuple[SizeCeiling, ...] = (
    SizeCeiling(
        "MICRO", staff_below=10, turnover_at_most=2_000_000, balance_sheet_at_most=2_000_000
    ),
    SizeCeiling(
        "PME", staff_below=250, turnover_at_most=50_000_000, balance_sheet_at_most=43_000_000
    ),
    SizeCeiling(
        "ETI",
        staff_below=5_000,
        turnover_at_most=1_500_000_000,
        balance_sheet_at_most=2_000_000_000,
    ),
)
LARGEST_CATEGORY = "GE"
SIZE_CATEGORIES: tuple[str, ...] = (LARGEST_CATEGORY, "ETI", "PME", "MICRO")
SIZE_CATEGORY_LABELS = {
    "GE": "grande entreprise",
    "ETI": "entreprise de taille intermédiaire",
    "PME": "PME",
    "MICRO": "microentreprise",
}
FIRST_WAVE_CATEGORIES = frozenset({"GE", "ETI"})

FREQUENCY_BY_REGIME = {
    "franchise": "bimonthly",
    "reel_normal_mensuel": "three_per_month",
    "reel_normal_trimestriel": "monthly",
}
# Réel simplifié once it is gone (1 Jan 2027): the client then files monthly or quarterly, and
# reports like a réel normal company with the same rhythm.
FREQUENCY_BY_2027_FILING = {"monthly": "three_per_month", "quarterly": "monthly"}
FREQUENCY_ON_SIMPLIFIED_REGIME = "monthly"


def size_category_from_figures(
    employees: float, turnover_eur: float, balance_sheet_eur: float
) -> str:
    for ceiling in SIZE_CEILINGS:
        if employees < ceiling.staff_below and (
            turnover_eur <= ceiling.turnover_at_most
            or balance_sheet_eur <= ceiling.balance_sheet_at_most
        ):
            return ceiling.category
    return LARGEST_CATEGORY


def wave_date(size_category: str, vat_group_member: bool) -> date:
    """When issuing and e-reporting start: 2026 for GE, ETI and any VAT-group member."""
    if vat_group_member or size_category in FIRST_WAVE_CATEGORIES:
        return FIRST_WAVE
    return SECOND_WAVE


def issues_invoices(sells_b2b_domestic: bool, exempt_operations: str) -> bool:
    return sells_b2b_domestic and exempt_operations != "only"


def reports_transactions(
    sells_b2c: bool, sells_international: bool, buys_international: bool, exempt_operations: str
) -> bool:
    return (sells_b2c or sells_international or buys_international) and exempt_operations != "only"


def reports_payments(
    activity_and_vat_on_debits: tuple[str, bool | None], exempt_operations: str
) -> bool:
    """Services whose VAT is due on payment, i.e. without the option for VAT on debits."""
    activity_nature, vat_on_debits = activity_and_vat_on_debits
    sells_services = activity_nature in {"services", "mixed"}
    return sells_services and not vat_on_debits and exempt_operations != "only"


def e_reporting_frequency(
    reports_transactions: bool | None,
    regime_and_2027_filing: tuple[str, str | None],
    wave: date,
) -> str | None:
    """How often transactions are e-reported; None when there is nothing to report."""
    if reports_transactions is not True:
        return None
    vat_regime, vat_filing_2027 = regime_and_2027_filing
    if vat_regime != "reel_simplifie":
        return FREQUENCY_BY_REGIME[vat_regime]
    if wave < SIMPLIFIED_REGIME_END:
        return FREQUENCY_ON_SIMPLIFIED_REGIME
    return FREQUENCY_BY_2027_FILING.get(vat_filing_2027 or "")


def obligation_start(obligation: bool | None, start: date) -> date | None:
    return start if obligation is True else None


def figure_representatives() -> dict[str, tuple[float, ...]]:
    """One value for each threshold band of each figure.

    The size category only depends on which band a figure falls in, so trying one value per
    band is the same as trying every possible figure. Staff ceilings are strict (the ceiling
    itself is the next band); money ceilings are inclusive (one euro more is the next band).
    """
    return {
        "employees": (0, *(ceiling.staff_below for ceiling in SIZE_CEILINGS)),
        "turnover_eur": (0, *(ceiling.turnover_at_most + 1 for ceiling in SIZE_CEILINGS)),
        "balance_sheet_eur": (0, *(ceiling.balance_sheet_at_most + 1 for ceiling in SIZE_CEILINGS)),
    }
