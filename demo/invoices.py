"""Demo invoices: a complete seller profile for every demo firm, its invoice settings, and a few
drafts, issued invoices (through the issuing service, so numbers and PDFs are real), a credit note,
payments and recurring fees."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from decimal import Decimal

from clients.models import Client
from demo.companies import luhn_check_digit, vat_number_for_siren
from firms.models import Firm, User
from invoicing import issuing, payments, services
from invoicing.models import Engagement, PaymentMethod, Periodicity

# A firm profile's mentions that the invoices need, for a firm named on the command line.
DEMO_IBANS = ("FR7630006000011234567890189", "FR7630004000031234567890143")
FEES = (
    ("Tenue de la comptabilité", Decimal("450.00")),
    ("Établissement des comptes annuels et de la liasse fiscale", Decimal("1800.00")),
    ("Déclarations de TVA", Decimal("90.00")),
    ("Bulletins de paie", Decimal("28.50")),
    ("Conseil — passage à la facturation électronique", Decimal("650.00")),
    ("Secrétariat juridique (approbation des comptes)", Decimal("380.00")),
)
HOW_MANY = 8  # invoices a firm gets; PDFs take a moment each


def seller_profile(firm: Firm) -> dict[str, object]:
    """A complete, valid seller profile made from the firm's name (same name, same profile)."""
    seed = zlib.crc32(firm.slug.encode())
    body = f"{80000000 + seed % 9999999:08d}"
    siren = body + luhn_check_digit(body)
    return {
        "siren": siren,
        "vat_number": vat_number_for_siren(siren),
        "address": "8 place Bellecour",
        "postal_code": "69002",
        "city": "Lyon",
        "legal_form": "SAS",
        "share_capital": Decimal("20000.00"),
        "rcs_city": "Lyon",
        "iban": DEMO_IBANS[seed % len(DEMO_IBANS)],
        "bic": "BNPAFRPPXXX",
    }


def complete_profile(firm: Firm, profile: dict[str, object] | None = None) -> Firm:
    """Fill the seller mentions the firm lacks (a value already set is kept)."""
    values = profile or seller_profile(firm)
    missing = {name: value for name, value in values.items() if getattr(firm, name) in ("", None)}
    if missing:
        Firm.objects.filter(pk=firm.pk).update(**missing)
        for name, value in missing.items():
            setattr(firm, name, value)
    return firm


def seed_invoices(
    *, firm: Firm, clients: Sequence[Client], seed: int, by: User | None = None
) -> int:
    """A few drafts and issued invoices, a credit note and recurring fees; returns how many
    invoices. Call inside the firm's scope, after ``complete_profile``."""
    rng = random.Random(seed)
    settings_row = services.invoicing_settings(firm)
    if not settings_row.footer_text:
        settings_row.header_text = "Expertise comptable · Conseil · Facturation électronique"
        settings_row.footer_text = (
            f"{firm.name} — société d'expertise comptable inscrite au tableau de l'Ordre des "
            "experts-comptables. Assurance responsabilité civile professionnelle."
        )
        settings_row.save(update_fields=["header_text", "footer_text"])
    chosen = rng.sample(list(clients), min(HOW_MANY, len(clients)))
    made = 0
    issued = []
    for index, client in enumerate(chosen):
        fees = rng.sample(FEES, rng.randint(1, 3))
        lines = [
            services.DraftLine(
                description=description,
                quantity=Decimal(rng.choice(("1", "1", "3", "12"))),
                unit_price=price,
                vat_rate=Decimal("20"),
            )
            for description, price in fees
        ]
        draft = services.create_draft(firm=firm, client=client, lines=lines, by=by)
        made += 1
        if index % 3 != 2:  # two in three issued, the others left as drafts
            issued.append(issuing.issue_invoice(firm=firm, invoice=draft, by=by))
    if issued:
        note = services.create_credit_note(firm=firm, invoice=issued[0], by=by)
        issuing.issue_invoice(firm=firm, invoice=note, by=by)
        made += 1
        send_demo_invoices(firm=firm, invoices=issued[: (len(issued) + 1) // 2], by=by)
        record_demo_payments(firm=firm, invoices=issued[1:], by=by)
    for client in chosen[:3]:
        services.save_engagement(
            firm=firm,
            engagement=Engagement(
                firm=firm,
                client=client,
                description="Mission de tenue et de surveillance",
                amount=Decimal(rng.choice(("250.00", "390.00", "520.00"))),
                vat_rate=Decimal("20"),
                periodicity=rng.choice(Periodicity.values),
                created_by=by,
            ),
            by=by,
        )
    return made


def record_demo_payments(*, firm: Firm, invoices: Sequence, by: User | None = None) -> int:
    """One invoice paid in full by transfer and one paid in part by cheque, so the payment
    statuses, the balances and the reminders' exclusions show something; returns how many
    payments were recorded."""
    halves = (Decimal(1), Decimal("0.5"))
    methods = (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE)
    paid = [
        (invoice, (invoice.total_incl_vat * share).quantize(Decimal("0.01")), method)
        for invoice, share, method in zip(invoices, halves, methods, strict=False)
    ]
    for invoice, amount, method in paid:
        payments.record_payment(
            firm=firm,
            invoice=invoice,
            paid_on=invoice.issue_date,
            amount=amount,
            method=method,
            reference=f"Règlement {invoice.number}",
            by=by,
        )
    return len(paid)


def send_demo_invoices(*, firm: Firm, invoices: Sequence, by: User | None = None) -> int:
    """Send half of the demo's issued invoices (e-mails through the configured backend, the
    file backend by default), so the sending page and the invoices' deliveries are not empty;
    returns how many deliveries were written."""
    from invoicing import sending
    from outbox.services import deliver_pending

    batch = sending.create_batch(firm=firm, by=by, invoice_ids=[i.pk for i in invoices])
    written = sending.write_batch(firm=firm, batch=batch, by=by)
    if written.message_ids:
        deliver_pending(firm=firm, ids=written.message_ids)
    return len(written.deliveries)
