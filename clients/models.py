from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.tenancy import TenantModel, TenantQuerySet


class ClientQuerySet(TenantQuerySet):
    def visible_to(self, membership) -> ClientQuerySet:
        """The firm's clients a member may see: all for supervisors and administrators, the
        assigned ones for a collaborator."""
        clients = self.for_firm(membership.firm_id)
        if not membership.sees_whole_firm:
            clients = clients.filter(assigned_to_id=membership.user_id)
        return clients


class Client(TenantModel):
    """A company of the firm's portfolio (dossier client)."""

    # The fields a person edits (form, API, import), in the order the history lists them.
    EDITABLE_FIELDS: ClassVar[tuple[str, ...]] = (
        "company_name",
        "siren",
        "siret",
        "naf_code",
        "legal_form",
        "vat_number",
        "address",
        "postal_code",
        "city",
        "fiscal_year_end",
        "contact_name",
        "contact_email",
        "contact_phone",
        "signer_civility",
        "signer_last_name",
        "signer_first_name",
        "signer_email",
        "signer_mobile",
        "billing_emails",
        "invoice_delivery",
        "assigned_to",
        "tags",
    )

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actif")
        ARCHIVED = "archived", _("Archivé")

    class Civility(models.TextChoices):
        MR = "M.", _("M.")
        MRS = "Mme", _("Mme")

    class Delivery(models.TextChoices):
        EMAIL = "email", _("Par e-mail")
        PAPER = "paper", _("Papier")
        EMAIL_REFUSED = "email_refused", _("E-mail refusé")

    company_name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9)
    siret = models.CharField(_("SIRET du siège"), max_length=14, blank=True)
    naf_code = models.CharField(_("code NAF/APE"), max_length=6, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    vat_number = models.CharField(_("TVA intracommunautaire"), max_length=20, blank=True)
    fiscal_year_end = models.CharField(
        _("clôture de l'exercice (JJ/MM)"), max_length=5, blank=True, default="31/12"
    )
    contact_name = models.CharField(_("contact principal"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    # The legal representative, who signs the mandates (by e-mail and a code sent to the mobile).
    signer_civility = models.CharField(
        _("civilité du signataire"), max_length=3, choices=Civility.choices, blank=True
    )
    signer_last_name = models.CharField(_("nom du signataire"), max_length=100, blank=True)
    signer_first_name = models.CharField(_("prénom du signataire"), max_length=100, blank=True)
    signer_email = models.EmailField(_("e-mail du signataire"), blank=True)
    signer_mobile = models.CharField(
        _("mobile du signataire"), max_length=20, blank=True, help_text=_("Format +33…")
    )
    billing_emails = models.JSONField(_("e-mails de facturation"), default=list, blank=True)
    invoice_delivery = models.CharField(
        _("envoi des factures"), max_length=20, choices=Delivery.choices, default=Delivery.EMAIL
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collaborateur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    tags = models.JSONField(_("étiquettes"), default=list, blank=True)
    last_reviewed_at = models.DateTimeField(_("dernière revue"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["company_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "siren"], name="client_unique_siren_per_firm"),
        ]
        indexes = [
            models.Index(fields=["firm", "company_name", "id"], name="client_firm_name"),
            models.Index(fields=["firm", "assigned_to"], name="client_firm_assignee"),
            models.Index(fields=["firm", "status"], name="client_firm_status"),
        ]

    def __str__(self) -> str:
        return self.company_name


class HistoryEntry(TenantModel):
    """One change in a client's life: who, when, what, and each field from what to what.

    Written by the services that make the change, in the same transaction (not by signals or
    database triggers: the service knows the user, the reason and the French wording, and the
    same code runs on SQLite and PostgreSQL).
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Création")
        UPDATED = "updated", _("Modification")
        ARCHIVED = "archived", _("Archivage")
        RESTORED = "restored", _("Restauration")
        REASSIGNED = "reassigned", _("Réattribution")
        IMPORTED = "imported", _("Import")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    # What was changed: "client", "answers", "equipment", "mandate", … as later apps add them.
    subject = models.CharField(max_length=30, default="client")
    summary = models.CharField(max_length=250, blank=True)
    # {field: {"label": "Ville", "from": "Lyon", "to": "Paris"}}, values as shown to users.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["firm", "client", "-created_at"], name="history_client_recent")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.client_id}"


class ClientImport(TenantModel):
    """A client file between the steps of the import wizard: what was read from it, the columns
    chosen and the last dry run. The file itself stays in the default storage; it is read by a
    job after the upload (the request only keeps it), and its rows are read again by the dry run
    job and by the import job, so nothing stale is ever written.
    Some time after the import (see ``clients.importing.retention``) the file is deleted and the
    row stays, with its dry run and its job's report, for the history."""

    class Status(models.TextChoices):
        READING = "reading", _("Lecture en cours")
        UPLOADED = "uploaded", _("Fichier lu")
        CHECKING = "checking", _("Vérification en cours")
        CHECKED = "checked", _("Vérifié")
        STARTED = "started", _("Lancé")

    # Empty once purged.
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(max_length=200)
    # How the file was read, as shown to the user ("CSV · Windows-1252 · séparateur ;").
    description = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # A few values of each column, shown next to it when columns are chosen.
    samples = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    # {column index (as a string): field name}
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    # The reading of the file after its upload (headers, samples, row count, guessed columns).
    read_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last dry run started for the current columns; an older one's result is discarded.
    dry_run_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The import itself.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_purged_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_purged(self) -> bool:
        return self.file_purged_at is not None
