from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.tenancy import USER_CONDITION, TenantManager, TenantModel, TenantQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address; belongs to firms through memberships."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def initials(self) -> str:
        parts = [part for part in self.full_name.replace("-", " ").split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or self.email[:1].upper()


class Firm(models.Model):
    """The tenant: an accounting firm (cabinet d'expertise comptable)."""

    name = models.CharField(_("raison sociale"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=60, unique=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    # The seller's mentions of its invoices (Code de commerce R123-237, CGI 242 nonies A).
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True)
    share_capital = models.DecimalField(
        _("capital social (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rcs_city = models.CharField(_("ville du RCS"), max_length=100, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    legal_mentions = models.TextField(_("mentions légales"), blank=True)
    email_sender_name = models.CharField(
        _("nom d'expéditeur des e-mails"), max_length=100, blank=True
    )
    email_reply_to = models.EmailField(_("adresse de réponse"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="firm-logos/", blank=True)
    stale_after_months = models.PositiveSmallIntegerField(
        _("données à revoir après (mois)"), default=6
    )
    two_factor_for_all = models.BooleanField(
        _("double authentification obligatoire pour tous les membres"),
        default=False,
        help_text=_(
            "Elle l'est toujours pour les administrateurs et les superviseurs ; cochée, elle "
            "l'est aussi pour les collaborateurs."
        ),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cabinet")
        verbose_name_plural = _("cabinets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COLLABORATOR = "collaborator", _("Collaborateur")
    SUPERVISOR = "supervisor", _("Superviseur")
    ADMIN = "admin", _("Administrateur")


class MembershipQuerySet(TenantQuerySet):
    def for_user(self, user: User) -> MembershipQuerySet:
        """The user's own memberships across firms (the firm switcher)."""
        return self.filter(user=user, is_active=True, firm__is_active=True)


class Membership(TenantModel):
    """A user's place in a firm, with a role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("rôle"), max_length=20, choices=Role.choices, default=Role.COLLABORATOR
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager.from_queryset(MembershipQuerySet)()

    # A user lists the firms they belong to before entering one (the firm switcher).
    rls_extra_visibility = USER_CONDITION

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "user"], name="membership_unique_user_per_firm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_whole_firm(self) -> bool:
        """Supervisors and administrators see every client; collaborators their own."""
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


class Invitation(TenantModel):
    """An e-mailed invitation to join a firm; the link carries a signed token."""

    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(
        _("rôle"), max_length=20, choices=Role.choices, default=Role.COLLABORATOR
    )
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ApiToken(TenantModel):
    """A personal API token, valid in one firm. Only a hash of the secret is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "key_hash"], name="api_token_unique_key_per_firm"
            ),
        ]

    def __str__(self) -> str:
        return self.name
