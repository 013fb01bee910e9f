from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from firms.tenancy import TenantModel
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION


class Answer(TenantModel):
    """One answer of a client's fiscal questionnaire: who gave it, when, under which version.

    ``value`` is the JSON value the catalogue expects (questions.py): true/false, a number, or a
    choice code. There is no row for a question not answered yet.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="fiscal_answers")
    code = models.CharField(_("question"), max_length=40)
    value = models.JSONField(_("réponse"))
    questionnaire_version = models.PositiveSmallIntegerField(_("version du questionnaire"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("répondu le"))

    class Meta:
        verbose_name = _("réponse au questionnaire fiscal")
        verbose_name_plural = _("réponses au questionnaire fiscal")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client", "code"], name="answer_unique_code_per_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.value!r}"

    @property
    def is_outdated(self) -> bool:
        return self.questionnaire_version < QUESTIONNAIRE_VERSION


class SizeCategory(models.TextChoices):
    GE = "GE", _("Grande entreprise")
    ETI = "ETI", _("Entreprise de taille intermédiaire")
    PME = "PME", _("PME")
    MICRO = "MICRO", _("Microentreprise")


class ReportingFrequency(models.TextChoices):
    THREE_PER_MONTH = "three_per_month", _("Trois fois par mois")
    MONTHLY = "monthly", _("Mensuelle")
    BIMONTHLY = "bimonthly", _("Tous les deux mois")


class Obligations(TenantModel):
    """A client's e-invoicing obligations as derived from its answers, stored for filtering.

    Written by ``services.save_answers`` in the same transaction as the answers it derives from,
    so the dashboard and the client list filter and sort on real columns without recomputing.
    There is a row exactly when the client has at least one answer. A boolean is null while the
    answers do not decide it; a text field is empty then (or when it does not apply).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="obligations")
    in_scope = models.BooleanField(_("dans le champ de la réforme"), null=True)
    size_category = models.CharField(
        _("catégorie d'entreprise"), max_length=5, choices=SizeCategory.choices, blank=True
    )
    must_receive = models.BooleanField(_("réception"), null=True)
    receive_from = models.DateField(_("réception à partir du"), null=True)
    must_issue = models.BooleanField(_("émission"), null=True)
    issue_from = models.DateField(_("émission à partir du"), null=True)
    e_reporting_transactions = models.BooleanField(_("e-reporting des transactions"), null=True)
    e_reporting_transactions_from = models.DateField(null=True)
    e_reporting_payments = models.BooleanField(_("e-reporting des paiements"), null=True)
    e_reporting_payments_from = models.DateField(null=True)
    e_reporting_frequency = models.CharField(
        _("fréquence de l'e-reporting"),
        max_length=20,
        choices=ReportingFrequency.choices,
        blank=True,
    )
    chorus_pro = models.BooleanField(_("Chorus Pro"), null=True)
    complete = models.BooleanField(_("questionnaire complet"), default=False)
    # Question codes whose answers would decide what is still undecided, in catalogue order.
    missing = models.JSONField(default=list, blank=True)
    # [{"rule", "text", "reference"}] as derive_obligations explains them.
    reasons = models.JSONField(default=list, blank=True)
    # The oldest questionnaire version among the answers that count: below the current version,
    # the client has answers to review.
    questionnaire_version = models.PositiveSmallIntegerField(_("version du questionnaire"))
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("obligations FE")
        verbose_name_plural = _("obligations FE")
        constraints = [
            models.UniqueConstraint(fields=["firm", "client"], name="obligations_one_per_client"),
        ]
        indexes = [
            models.Index(fields=["firm", "complete"], name="obligations_firm_complete"),
            models.Index(fields=["firm", "issue_from"], name="obligations_firm_issue_from"),
            models.Index(fields=["firm", "questionnaire_version"], name="obligations_firm_version"),
        ]

    def __str__(self) -> str:
        return f"Obligations {self.client_id}"

    @property
    def is_outdated(self) -> bool:
        return self.questionnaire_version < QUESTIONNAIRE_VERSION
