"""An issued invoice as it was issued: an immutable snapshot of seller, buyer, lines and totals.

Everything downstream of issuing reads this document, never the live firm or client: the PDF, the
Factur-X CII XML, the e-mail, the platform manifest, the e-reporting lines. It is stored as JSON on
the invoice (:meth:`InvoiceDocument.as_dict` / :meth:`InvoiceDocument.from_dict`), amounts as
strings so that no float ever touches money.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class TypeCode(StrEnum):
    """UNTDID 1001, the document type (BT-3)."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class VatCategory(StrEnum):
    """UNCL 5305, the VAT category of a line (BT-151) and of a breakdown (BT-118)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    NOT_SUBJECT = "O"


class OperationCategory(StrEnum):
    """The reform's category of operation, shown on the invoice and mapped to the business
    process (BT-23) of the French CTC rules."""

    GOODS = "goods"
    SERVICES = "services"
    BOTH = "both"


@dataclass(frozen=True)
class Address:
    line1: str
    postal_code: str
    city: str
    line2: str = ""
    country_code: str = "FR"


@dataclass(frozen=True)
class Party:
    """The seller (BG-4) or the buyer (BG-7)."""

    name: str
    address: Address
    siren: str = ""  # BT-30 / BT-47 (scheme 0002) and, for French parties, the electronic address
    vat_number: str = ""  # BT-31 / BT-48
    electronic_address: str = ""  # BT-34 / BT-49, scheme 0225 (the SIREN for French companies)
    email: str = ""
    legal_form: str = ""  # seller only: "SAS", "SARL"…
    share_capital: str = ""  # seller only, a decimal string in euros
    rcs: str = ""  # seller only: "RCS Lyon 123 456 789"
    phone: str = ""


@dataclass(frozen=True)
class Line:
    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal  # excl. VAT
    vat_category: VatCategory
    vat_rate: Decimal  # percent, "20" for 20 %; 0 for Z, E, AE, O
    net_amount: Decimal  # quantity × unit price, rounded half up to the cent
    exemption_reason: str = ""  # required for E (BT-120), fixed text for AE and O


@dataclass(frozen=True)
class VatSubtotal:
    """One VAT breakdown (BG-23): the tax of a category and rate, computed on the sum of its
    lines' net amounts and rounded half up to the cent."""

    vat_category: VatCategory
    vat_rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class PaymentTerms:
    due_date: date
    terms_text: str  # "Paiement à 30 jours", BT-20
    iban: str = ""
    bic: str = ""
    late_penalty_text: str = ""  # note PMD
    recovery_indemnity_text: str = ""  # note PMT (the 40 € indemnity)
    discount_text: str = ""  # note AAB (escompte)


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    type_code: TypeCode
    issue_date: date
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    vat_breakdown: tuple[VatSubtotal, ...]
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    payment: PaymentTerms
    operation_category: OperationCategory
    vat_on_debits: bool = False
    delivery_address: Address | None = None  # only when it differs from the buyer's address
    preceding_invoice_number: str = ""  # a credit note's invoice (BT-25)
    preceding_invoice_date: date | None = None  # BT-26
    currency: str = "EUR"
    notes: tuple[str, ...] = field(default_factory=tuple)  # free notes (BT-22), without subject

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == TypeCode.CREDIT_NOTE

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, decimals as strings."""
        return _to_json(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InvoiceDocument:
        return _build(cls, data)


def _to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


_NESTED = {
    "seller": Party,
    "buyer": Party,
    "address": Address,
    "delivery_address": Address,
    "payment": PaymentTerms,
}
_SEQUENCES = {"lines": Line, "vat_breakdown": VatSubtotal}
_DECIMALS = {
    "quantity",
    "unit_price",
    "vat_rate",
    "net_amount",
    "taxable_amount",
    "tax_amount",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
}
_DATES = {"issue_date", "due_date", "preceding_invoice_date"}
_ENUMS = {
    "type_code": TypeCode,
    "vat_category": VatCategory,
    "operation_category": OperationCategory,
}


def _build(cls: type, data: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        raw = data[item.name]
        if raw is None:
            values[item.name] = None
        elif item.name in _NESTED:
            values[item.name] = _build(_NESTED[item.name], raw)
        elif item.name in _SEQUENCES:
            values[item.name] = tuple(_build(_SEQUENCES[item.name], entry) for entry in raw)
        elif item.name in _DECIMALS:
            values[item.name] = Decimal(raw)
        elif item.name in _DATES:
            values[item.name] = date.fromisoformat(raw)
        elif item.name in _ENUMS:
            values[item.name] = _ENUMS[item.name](raw)
        elif item.name == "notes":
            values[item.name] = tuple(raw)
        else:
            values[item.name] = raw
    return cls(**values)
