"""What a legal duty keeps when a person asks for their data to be erased, why, and until when.

Plain Python over plain data (no database), so every rule has its table test
(tests/privacy/test_retention.py). The services ask :func:`duty_for` about each row where a
person appears; a row under a duty is listed with its end date and kept unchanged, the others
are erased or anonymised. The nightly purge (:mod:`privacy.purge`) asks again each night and
deletes what no duty keeps any more.

The durations:

- **Issued invoices and credit notes** (and the payments recorded against them): ten years
  from the end of the financial year they were issued in (Code de commerce, article L123-22,
  accounting documents and vouchers). The firm's financial year is taken as the calendar year,
  so an invoice issued on 15/03/2026 is kept until 31/12/2036.
- **Anti-money-laundering records** (Code monétaire et financier, articles L561-5 and L561-12):
  in this product, the identification of the client and of its legal representative that the
  firm recorded for the engagement, that is the **signed mandates** (the PDF signed by the
  representative, with its reference and date). Kept for five years from the end of the
  business relationship, which is the day the client was archived; while the client is active
  the relationship lasts and the end date is not known yet.
- **Synthesis report versions** (proof of the advice given, devoir de conseil): five years from
  their generation, the time within which a client may bring a liability action (Code civil,
  article 2224). A product choice, documented in the README.

A duty ends at the end of its last day: the purge deletes a row the day after.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

INVOICE_YEARS = 10
AML_YEARS = 5
REPORT_YEARS = 5

INVOICE = "invoice"
AML = "aml"
REPORT = "report"


@dataclass(frozen=True)
class Duty:
    """One legal duty: its code, what it keeps (French), its legal reference (French)."""

    code: str
    label: str
    reference: str


DUTIES = {
    INVOICE: Duty(
        INVOICE,
        _("Facture émise (pièce comptable)"),
        _("Code de commerce, article L123-22 : 10 ans à compter de la clôture de l'exercice"),
    ),
    AML: Duty(
        AML,
        _("Identification du client et de son représentant (lutte contre le blanchiment)"),
        _(
            "Code monétaire et financier, articles L561-5 et L561-12 : 5 ans à compter de la "
            "fin de la relation d'affaires"
        ),
    ),
    REPORT: Duty(
        REPORT,
        _("Rapport de synthèse (preuve du conseil donné)"),
        _("Code civil, article 2224 : 5 ans à compter de la génération du rapport"),
    ),
}


@dataclass(frozen=True)
class Retention:
    """A row kept by a duty until a day (None: the day is not known yet, the duty lasts)."""

    duty: Duty
    until: datetime.date | None

    def ended(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 1 March (the later day: a duty is
    never shortened)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def invoice_retention(issue_date: datetime.date) -> Retention:
    """An issued invoice: until the end of its financial year (calendar year) plus ten years."""
    return Retention(DUTIES[INVOICE], datetime.date(issue_date.year + INVOICE_YEARS, 12, 31))


def aml_retention(relationship_ended_on: datetime.date | None) -> Retention:
    """A signed mandate: five years after the end of the relationship (the client's archiving);
    no end date while the client is active."""
    if relationship_ended_on is None:
        return Retention(DUTIES[AML], None)
    return Retention(DUTIES[AML], add_years(relationship_ended_on, AML_YEARS))


def report_retention(generated_on: datetime.date) -> Retention:
    """A synthesis report version: five years after its generation."""
    return Retention(DUTIES[REPORT], add_years(generated_on, REPORT_YEARS))


@dataclass(frozen=True)
class RowFacts:
    """What the rules need to know about one row where a person appears."""

    table: str  # "invoicing.invoice", "reports.synthesisreport", "mandates.mandate", …
    status: str = ""
    day: datetime.date | None = None  # issue date, generation date
    relationship_ended_on: datetime.date | None = None  # the client's archiving


def duty_for(facts: RowFacts) -> Retention | None:
    """The duty that keeps this row, or None when it may be erased or anonymised."""
    if facts.table == "invoicing.invoice":
        if facts.status == "issued" and facts.day is not None:
            return invoice_retention(facts.day)
        return None
    if facts.table == "invoicing.payment":
        # A payment is an accounting record of its issued invoice: kept as long.
        return invoice_retention(facts.day) if facts.day is not None else None
    if facts.table == "reports.synthesisreport":
        return report_retention(facts.day) if facts.day is not None else None
    if facts.table == "mandates.mandate":
        if facts.status == "signed":
            return aml_retention(facts.relationship_ended_on)
        return None
    return None
