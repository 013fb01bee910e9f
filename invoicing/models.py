"""The firm's own invoices to its clients: drafts, issued invoices and credit notes, their
numbering sequences, the firm's invoice settings and the recurring fees (engagements).

An issued invoice is frozen: its number, dates, totals, document (the snapshot of seller, buyer
and lines as ``InvoiceDocument.as_dict()``) and PDF never change. The model refuses it
(:meth:`Invoice.save`), and on PostgreSQL a trigger refuses any UPDATE of those columns once the
row is issued (migration 0002). Payments and delivery will live elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.storage import FirmFolder
from firms.tenancy import TenantModel
from invoicing.document import OperationCategory, TypeCode, VatCategory

MONEY = {"max_digits": 14, "decimal_places": 2}

DEFAULT_LATE_PENALTY_TEXT = (
    "En cas de retard de paiement, des pénalités sont exigibles au taux de trois fois le taux "
    "d'intérêt légal (article L441-10 du Code de commerce)."
)
DEFAULT_RECOVERY_INDEMNITY_TEXT = (
    "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 € "
    "(article D441-5 du Code de commerce)."
)
DEFAULT_DISCOUNT_TEXT = "Pas d'escompte pour paiement anticipé."


class InvoiceImmutable(Exception):
    """An issued invoice's content cannot change; a correction is a credit note."""


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ISSUED = "issued", _("Émise")


class InvoiceKind(models.TextChoices):
    INVOICE = TypeCode.INVOICE.value, _("Facture")
    CREDIT_NOTE = TypeCode.CREDIT_NOTE.value, _("Avoir")


class OperationChoice(models.TextChoices):
    GOODS = OperationCategory.GOODS.value, _("Livraison de biens")
    SERVICES = OperationCategory.SERVICES.value, _("Prestation de services")
    BOTH = OperationCategory.BOTH.value, _("Biens et services")


class VatCategoryChoice(models.TextChoices):
    STANDARD = VatCategory.STANDARD.value, _("S — taux normal ou réduit")
    ZERO = VatCategory.ZERO.value, _("Z — taux zéro")
    EXEMPT = VatCategory.EXEMPT.value, _("E — exonéré")
    REVERSE_CHARGE = VatCategory.REVERSE_CHARGE.value, _("AE — autoliquidation")
    NOT_SUBJECT = VatCategory.NOT_SUBJECT.value, _("O — hors champ de la TVA")


class InvoicingSettings(TenantModel):
    """The firm's choices for its invoices (its identity as a seller is in the firm profile)."""

    number_prefix = models.CharField(
        _("préfixe des numéros de facture"),
        max_length=20,
        default="FA-{year}-",
        help_text=_("{year} devient l'année d'émission ; six chiffres suivent (FA-2026-000123)."),
    )
    credit_note_prefix = models.CharField(
        _("préfixe des numéros d'avoir"), max_length=20, default="AV-{year}-"
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"),
        default=30,
        help_text=_("0 : paiement à réception. 60 jours au plus (article L441-10)."),
    )
    late_penalty_text = models.TextField(
        _("pénalités de retard"), default=DEFAULT_LATE_PENALTY_TEXT
    )
    recovery_indemnity_text = models.TextField(
        _("indemnité forfaitaire de recouvrement"), default=DEFAULT_RECOVERY_INDEMNITY_TEXT
    )
    discount_text = models.CharField(_("escompte"), max_length=250, default=DEFAULT_DISCOUNT_TEXT)
    vat_on_debits = models.BooleanField(
        _("option pour le paiement de la TVA d'après les débits"), default=False
    )
    default_operation_category = models.CharField(
        _("catégorie d'opération par défaut"),
        max_length=10,
        choices=OperationChoice.choices,
        default=OperationChoice.SERVICES,
    )
    header_text = models.TextField(
        _("en-tête des factures"),
        blank=True,
        help_text=_(
            "Sous le nom du cabinet, par exemple « Expertise comptable · Audit · Conseil »."
        ),
    )
    footer_text = models.TextField(
        _("pied de page des factures"),
        blank=True,
        help_text=_("Par exemple l'inscription à l'Ordre et l'assurance professionnelle."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de facturation")
        verbose_name_plural = _("réglages de facturation")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="invoicing_settings_one_per_firm"),
        ]

    def __str__(self) -> str:
        return f"Réglages de facturation du cabinet {self.firm_id}"


class InvoiceSequence(TenantModel):
    """One numbering sequence (a resolved prefix such as "FA-2026-"): the next value, given
    under a row lock when an invoice is issued, so numbers follow each other without gaps."""

    prefix = models.CharField(max_length=30)
    next_value = models.PositiveIntegerField(default=1)
    last_issue_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "prefix"], name="invoice_sequence_per_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_value:06d}"


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Mensuelle")
    QUARTERLY = "quarterly", _("Trimestrielle")
    YEARLY = "yearly", _("Annuelle")


class Engagement(TenantModel):
    """Recurring fees of a client (lettre de mission): one invoice per period while active."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    description = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant HT (€)"), **MONEY)
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2, default=20)
    periodicity = models.CharField(
        _("périodicité"), max_length=10, choices=Periodicity.choices, default=Periodicity.MONTHLY
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_period = models.CharField(_("dernière période facturée"), max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("honoraires récurrents")
        verbose_name_plural = _("honoraires récurrents")
        ordering = ["-is_active", "description", "id"]
        indexes = [models.Index(fields=["firm", "is_active"], name="engagement_active")]

    def __str__(self) -> str:
        return self.description


# The columns an issued invoice never changes again (also listed in the PostgreSQL trigger).
FROZEN_FIELDS = (
    "client_id",
    "kind",
    "status",
    "number",
    "issue_date",
    "due_date",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
    "document",
    "pdf",
    "pdf_sha256",
    "credited_invoice_id",
)


class Invoice(TenantModel):
    """A draft (editable, no number), then an issued invoice or credit note (frozen)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(
        _("type"), max_length=3, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    number = models.CharField(_("numéro"), max_length=40, blank=True)
    issue_date = models.DateField(_("date d'émission"), null=True, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30
    )
    operation_category = models.CharField(
        _("catégorie d'opération"),
        max_length=10,
        choices=OperationChoice.choices,
        default=OperationChoice.SERVICES,
    )
    # Only when the services are delivered elsewhere than the client's address.
    delivery_address = models.CharField(_("adresse de livraison"), max_length=250, blank=True)
    delivery_postal_code = models.CharField(
        _("code postal de livraison"), max_length=10, blank=True
    )
    delivery_city = models.CharField(_("ville de livraison"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("facture d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    period = models.CharField(_("période"), max_length=10, blank=True)
    total_excl_vat = models.DecimalField(_("total HT"), default=0, **MONEY)
    total_vat = models.DecimalField(_("TVA"), default=0, **MONEY)
    total_incl_vat = models.DecimalField(_("total TTC"), default=0, **MONEY)
    # InvoiceDocument.as_dict(), written once at issuing.
    document = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to=FirmFolder("invoices"), blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "number"],
                condition=~models.Q(number=""),
                name="invoice_unique_number_per_firm",
            ),
            # One invoice per engagement and period: the recurring job never bills twice.
            models.UniqueConstraint(
                fields=["firm", "engagement", "period"],
                condition=models.Q(engagement__isnull=False),
                name="invoice_one_per_engagement_period",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(number=""),
                name="invoice_issued_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "issue_date"], name="invoice_status_date"),
            models.Index(fields=["firm", "client", "-created_at"], name="invoice_client_recent"),
        ]

    def __str__(self) -> str:
        return self.number or f"Brouillon {self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Only what was loaded: reading a deferred column here would load the row again, and
        # with it this method. (The database's trigger guards the columns not loaded.)
        if instance.__dict__.get("status") == InvoiceStatus.ISSUED:
            instance._frozen = instance._frozen_values()
        return instance

    def _frozen_values(self, names=FROZEN_FIELDS) -> dict:
        return {
            name: getattr(self, name).name if name == "pdf" else getattr(self, name)
            for name in names
            if name in self.__dict__
        }

    def save(self, *args, **kwargs) -> None:
        frozen = getattr(self, "_frozen", None)
        if frozen is not None and self._frozen_values(frozen) != frozen:
            raise InvoiceImmutable(
                "Une facture émise ne peut plus être modifiée : émettez un avoir."
            )
        super().save(*args, **kwargs)
        if self.status == InvoiceStatus.ISSUED:
            self._frozen = self._frozen_values()

    def delete(self, *args, **kwargs):
        if self.status == InvoiceStatus.ISSUED or getattr(self, "_frozen", None) is not None:
            raise InvoiceImmutable("Une facture émise ne peut pas être supprimée.")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def has_delivery_address(self) -> bool:
        return bool(self.delivery_address or self.delivery_city)


class InvoiceLine(TenantModel):
    """A line of a draft (an issued invoice's lines are also in its document, which is the
    truth)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("désignation"), max_length=500)
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=4)
    vat_category = models.CharField(
        _("catégorie de TVA"), max_length=2, choices=VatCategoryChoice.choices
    )
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2)
    exemption_reason = models.CharField(_("motif d'exonération"), max_length=250, blank=True)
    net_amount = models.DecimalField(_("montant HT"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "invoice", "position"], name="invoice_line_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.description


# --- Payments and reminders -------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Virement")
    CHEQUE = "cheque", _("Chèque")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    CARD = "card", _("Carte")
    CASH = "cash", _("Espèces")
    OTHER = "other", _("Autre")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Saisie manuelle")
    BANK_IMPORT = "bank_import", _("Import de relevé bancaire")


class Payment(TenantModel):
    """A payment received for an issued invoice (the invoice itself never changes). A payment
    imported from a bank statement keeps the key of its statement line: the same line is never
    recorded twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("date du paiement"))
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    method = models.CharField(
        _("moyen de paiement"),
        max_length=15,
        choices=PaymentMethod.choices,
        default=PaymentMethod.TRANSFER,
    )
    reference = models.CharField(_("référence ou libellé"), max_length=500, blank=True)
    source = models.CharField(
        _("origine"), max_length=15, choices=PaymentSource.choices, default=PaymentSource.MANUAL
    )
    # sha256 of the statement line (date, amount, label, rank among identical lines).
    statement_key = models.CharField(max_length=64, blank=True)
    statement_line = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.UniqueConstraint(
                fields=["firm", "statement_key"],
                condition=~models.Q(statement_key=""),
                name="payment_statement_line_once",
            ),
        ]
        indexes = [models.Index(fields=["firm", "invoice"], name="payment_invoice")]

    def __str__(self) -> str:
        return f"{self.amount} € le {self.paid_on}"


DEFAULT_REMINDER_SUBJECT = "Relance : facture {numero} échue le {echeance}"
DEFAULT_REMINDER_BODY = (
    "Bonjour,\n\n"
    "Sauf erreur de notre part, la facture {numero} du {date_facture}, échue le {echeance}, "
    "reste impayée pour un montant de {reste_du}.\n\n"
    "Nous vous remercions de bien vouloir procéder à son règlement. Vous la trouverez en pièce "
    "jointe.\n\n"
    "Si votre paiement nous est parvenu entre-temps, merci de ne pas tenir compte de ce "
    "message.\n\n"
    "{cabinet}"
)


class ReminderSettings(TenantModel):
    """How the firm reminds its clients of overdue invoices."""

    subject_template = models.CharField(
        _("objet de la relance"), max_length=250, default=DEFAULT_REMINDER_SUBJECT
    )
    body_template = models.TextField(_("texte de la relance"), default=DEFAULT_REMINDER_BODY)
    days_after_due = models.PositiveSmallIntegerField(
        _("relancer après l'échéance (jours)"), default=7
    )
    interval_days = models.PositiveSmallIntegerField(
        _("intervalle entre deux relances (jours)"), default=15
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages des relances")
        verbose_name_plural = _("réglages des relances")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="reminder_settings_one_per_firm"),
        ]

    def __str__(self) -> str:
        return f"Relances du cabinet {self.firm_id}"


class PaymentReminder(TenantModel):
    """A reminder of an overdue invoice, with the outbox message that carries it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    sent_on = models.DateField(_("relancée le"))
    amount_due = models.DecimalField(_("reste dû"), **MONEY)
    message = models.ForeignKey(
        "outbox.OutboxMessage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["firm", "invoice", "-sent_on"], name="reminder_recent")]

    def __str__(self) -> str:
        return f"Relance {self.invoice_id} du {self.sent_on}"


# --- Sending the invoices (e-mail, paper, the firm's approved platform) ----------------------

DEFAULT_EMAIL_SUBJECT = "Facture {numero} — {cabinet}"
DEFAULT_EMAIL_BODY = (
    "Bonjour,\n\n"
    "Veuillez trouver ci-joint notre facture {numero} du {date} d'un montant de {montant_ttc} TTC, "
    "à régler avant le {echeance}.\n\n"
    "Nous restons à votre disposition pour toute question.\n\n"
    "Bien cordialement,\n"
    "{cabinet}"
)
DEFAULT_MEMO_TEXT = (
    "À partir du {date_generalisation}, nos factures vous seront envoyées par e-mail. "
    "Pour nous indiquer l'adresse e-mail à laquelle les recevoir, adressez-vous à votre "
    "responsable de mission ou écrivez au secrétariat du cabinet."
)


class SendingSettings(TenantModel):
    """How the firm sends its invoices: e-mail on or off, the e-mail's texts with their merge
    keywords, the memo printed before each paper invoice while the firm collects its clients'
    billing addresses, and the firm's own answers that date its obligation to issue through
    its approved platform."""

    send_by_email = models.BooleanField(_("envoyer les factures par e-mail"), default=True)
    email_subject = models.CharField(
        _("objet de l'e-mail"), max_length=300, default=DEFAULT_EMAIL_SUBJECT
    )
    email_body = models.TextField(_("texte de l'e-mail"), default=DEFAULT_EMAIL_BODY)
    memo_text = models.TextField(
        _("mémo aux clients papier"), blank=True, default=DEFAULT_MEMO_TEXT
    )
    memo_start = models.DateField(_("mémo imprimé du"), null=True, blank=True)
    memo_end = models.DateField(_("mémo imprimé jusqu'au"), null=True, blank=True)
    email_from_date = models.DateField(_("généralisation de l'e-mail le"), null=True, blank=True)
    # The firm's answers about itself, under the fiscal questionnaire's codes.
    firm_answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages d'envoi des factures")
        verbose_name_plural = _("réglages d'envoi des factures")
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="sending_settings_one_per_firm"),
        ]

    def __str__(self) -> str:
        return f"Réglages d'envoi du cabinet {self.firm_id}"


class InvoiceBatch(TenantModel):
    """A selection of issued invoices sent together, as one background job."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice_ids = models.JSONField(default=list)
    # How many invoices went each way: {"email": n, "paper": n, "platform": n, "skipped": n}.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("envoi de factures")
        verbose_name_plural = _("envois de factures")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Envoi {self.pk}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PAPER = "paper", _("Papier")
    PLATFORM = "platform", _("Plateforme agréée")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("En attente d'envoi")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec de l'envoi")
    UNKNOWN = "unknown", _("Envoi incertain")
    PAPER = "paper", _("À imprimer et poster")
    PLATFORM = "platform", _("Transmise à la plateforme")


class InvoiceDelivery(TenantModel):
    """How one issued invoice left the firm. An e-mail's state mirrors its outbox message
    (``outbox.signals.message_state_changed``); paper and platform deliveries are final when
    the batch files them. An invoice has at most one delivery that did not fail: that is what
    "not yet sent" means, and why running a batch again sends nothing twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="deliveries")
    batch = models.ForeignKey(
        InvoiceBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(_("route"), max_length=10, choices=DeliveryChannel.choices)
    to_confirm = models.BooleanField(_("route à confirmer"), default=False)
    email_copy = models.BooleanField(_("copie par e-mail"), default=False)
    recipients = models.JSONField(default=list, blank=True)
    message = models.ForeignKey(
        "outbox.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("état"), max_length=10, choices=DeliveryState.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("envoi d'une facture")
        verbose_name_plural = _("envois des factures")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "invoice"],
                condition=~models.Q(state="failed"),
                name="invoice_delivery_once",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "message"], name="invoice_delivery_message"),
            models.Index(fields=["firm", "batch"], name="invoice_delivery_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.channel} ({self.state})"

    @property
    def route_label(self) -> str:
        from invoicing.routing import Route

        return Route(
            channel=self.channel, email_copy=self.email_copy, to_confirm=self.to_confirm
        ).label
