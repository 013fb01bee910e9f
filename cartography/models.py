"""What a client runs today: its software, its approved platforms (PA) and its digital profile,
plus the firm's catalogues they are picked from."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.tenancy import TenantModel


class SoftwareCategory(models.TextChoices):
    ACCOUNTING = "accounting", _("Comptabilité")
    INVOICING = "invoicing", _("Facturation")
    ERP = "erp", _("Gestion commerciale / ERP")
    POINT_OF_SALE = "point_of_sale", _("Caisse / point de vente")
    PURCHASING = "purchasing", _("Achats / notes de frais")
    PAYROLL = "payroll", _("Paie")
    OTHER = "other", _("Autre")


class ReformReadiness(models.TextChoices):
    YES = "yes", _("Prêt pour la réforme")
    NO = "no", _("Pas prêt")
    UNKNOWN = "unknown", _("Inconnu")


class SoftwareProduct(TenantModel):
    """An entry of the firm's software catalogue (vendor, product, ready for the reform or not)."""

    vendor = models.CharField(_("éditeur"), max_length=120)
    name = models.CharField(_("logiciel"), max_length=120)
    category = models.CharField(_("catégorie"), max_length=20, choices=SoftwareCategory.choices)
    reform_ready = models.CharField(
        _("prêt pour la réforme"),
        max_length=10,
        choices=ReformReadiness.choices,
        default=ReformReadiness.UNKNOWN,
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("logiciel du catalogue")
        verbose_name_plural = _("catalogue des logiciels")
        ordering = ["vendor", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "vendor", "name"], name="software_product_unique_per_firm"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "Cegid Loop", but "Sage 50" rather than "Sage Sage 50"."""
        if not self.vendor or self.name.lower().startswith(self.vendor.lower()):
            return self.name
        return f"{self.vendor} {self.name}"


class Platform(TenantModel):
    """An approved platform (plateforme agréée, PA) of the firm's catalogue, from the DGFiP list."""

    class Registration(models.TextChoices):
        DEFINITIVE = "definitive", _("Immatriculation définitive")
        PENDING_TESTS = "pending_tests", _("En attente des tests d'interopérabilité")
        NOT_LISTED = "not_listed", _("Hors liste DGFiP")

    name = models.CharField(_("nom commercial"), max_length=150)
    registration_status = models.CharField(
        _("immatriculation"),
        max_length=20,
        choices=Registration.choices,
        default=Registration.NOT_LISTED,
    )
    registered_on = models.DateField(_("date d'immatriculation"), null=True, blank=True)
    # In the DGFiP list the last time it was loaded; refresh_platforms never touches the others.
    from_official_list = models.BooleanField(_("issue de la liste DGFiP"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plateforme agréée")
        verbose_name_plural = _("catalogue des plateformes agréées")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="platform_unique_name_per_firm"),
        ]

    def __str__(self) -> str:
        return self.name


class ClientSoftware(TenantModel):
    """A software the client uses, from the catalogue or typed in freely."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="software")
    product = models.ForeignKey(
        SoftwareProduct,
        verbose_name=_("logiciel du catalogue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Typed in when the software is not in the catalogue.
    vendor = models.CharField(_("éditeur"), max_length=120, blank=True)
    name = models.CharField(_("logiciel"), max_length=120, blank=True)
    category = models.CharField(_("catégorie"), max_length=20, choices=SoftwareCategory.choices)
    version = models.CharField(_("version"), max_length=60, blank=True)
    used_for_issuing = models.BooleanField(_("sert à émettre les factures"), default=False)
    used_for_receiving = models.BooleanField(_("sert à recevoir les factures"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("logiciel du client")
        verbose_name_plural = _("logiciels du client")
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=False) | ~models.Q(name=""),
                name="client_software_product_or_name",
            ),
        ]
        indexes = [models.Index(fields=["firm", "client"], name="client_software_client")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.product is not None:
            return self.product.label
        return f"{self.vendor} {self.name}".strip() if self.vendor else self.name

    @property
    def reform_ready(self) -> str:
        """The catalogue's judgement; a software typed in freely is "unknown"."""
        return self.product.reform_ready if self.product else ReformReadiness.UNKNOWN


class PlatformRole(models.TextChoices):
    RECEPTION = "reception", _("Réception")
    ISSUING = "issuing", _("Émission")


class PlatformStatus(models.TextChoices):
    """In the order a client goes through them."""

    CONSIDERED = "considered", _("Envisagée")
    CHOSEN = "chosen", _("Choisie")
    CONTRACT_SIGNED = "contract_signed", _("Contrat signé")
    CONNECTED = "connected", _("Raccordée")
    TESTED = "tested", _("Testée")


class ClientPlatform(TenantModel):
    """The approved platform a client uses (or will use) for reception or for issuing."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="platforms")
    role = models.CharField(_("usage"), max_length=20, choices=PlatformRole.choices)
    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=20, choices=PlatformStatus.choices)
    # {status: "YYYY-MM-DD"}: the date each status was reached (the latest time, if reached twice).
    status_dates = models.JSONField(_("dates des statuts"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plateforme du client")
        verbose_name_plural = _("plateformes du client")
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client", "role"], name="client_platform_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.platform}"

    @property
    def status_history(self) -> list[tuple[str, date]]:
        """(status label, date) in the order of the statuses."""
        return [
            (str(label), date.fromisoformat(self.status_dates[value]))
            for value, label in PlatformStatus.choices
            if value in self.status_dates
        ]


class InvoiceTool(models.TextChoices):
    PAPER = "paper", _("Papier / carnet à souches")
    WORD_EXCEL = "word_excel", _("Word / Excel")
    INVOICING_SOFTWARE = "invoicing_software", _("Logiciel de facturation")
    ACCOUNTING_SOFTWARE = "accounting_software", _("Logiciel comptable")
    ERP = "erp", _("ERP / gestion commerciale")
    POS = "pos", _("Caisse")


class PurchaseEntry(models.TextChoices):
    CLIENT_MANUAL = "client_manual", _("Le client, à la main")
    FIRM = "firm", _("Le cabinet")
    AUTOMATED = "automated", _("Automatisée (OCR, flux)")


class DigitalMaturity(models.TextChoices):
    LOW = "low", _("Faible")
    MEDIUM = "medium", _("Moyenne")
    HIGH = "high", _("Élevée")


# The codes of REGULATION.md §4, which are also the field names of DigitalProfile.
PROFILE_CODES = (
    "invoice_tool",
    "invoices_issued_per_month",
    "invoices_received_per_month",
    "paper_share_received",
    "purchase_entry",
    "bank_feed",
    "has_pos",
    "digital_maturity",
)


class DigitalProfile(TenantModel):
    """How the client handles invoices today. Every answer is nullable: None means unanswered."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    invoice_tool = models.CharField(  # noqa: DJ001 - None is "unanswered", "" is not an answer
        _("production des factures aujourd'hui"),
        max_length=30,
        choices=InvoiceTool.choices,
        null=True,
        blank=True,
    )
    invoices_issued_per_month = models.PositiveIntegerField(
        _("factures émises par mois"), null=True, blank=True
    )
    invoices_received_per_month = models.PositiveIntegerField(
        _("factures reçues par mois"), null=True, blank=True
    )
    paper_share_received = models.PositiveSmallIntegerField(
        _("part des factures reçues sur papier (%)"), null=True, blank=True
    )
    purchase_entry = models.CharField(  # noqa: DJ001 - None is "unanswered"
        _("saisie des factures d'achat"),
        max_length=20,
        choices=PurchaseEntry.choices,
        null=True,
        blank=True,
    )
    bank_feed = models.BooleanField(_("flux bancaires automatiques"), null=True, blank=True)
    has_pos = models.BooleanField(_("caisse / point de vente"), null=True, blank=True)
    digital_maturity = models.CharField(  # noqa: DJ001 - None is "unanswered"
        _("maturité numérique (appréciation du collaborateur)"),
        max_length=10,
        choices=DigitalMaturity.choices,
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil numérique")
        verbose_name_plural = _("profils numériques")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client"], name="digital_profile_unique_per_client"
            ),
            models.CheckConstraint(
                condition=models.Q(paper_share_received__lte=100),
                name="digital_profile_paper_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"Profil numérique de {self.client_id}"

    def answers(self) -> dict[str, object]:
        return {code: getattr(self, code) for code in PROFILE_CODES}
