"""What a campaign's e-mail says to one client: the merge keywords and their values, the
subject, the text and HTML parts with the unsubscribe link at the bottom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import markup
from campaigns.models import Campaign, CampaignKind
from cartography.models import ClientPlatform, PlatformRole
from clients.models import Client
from firms.models import Firm
from french_formats.dates import french_date
from outbox import merge

LINK_KEY = "lien_questionnaire"

# The keywords of a campaign's subject and text, with what they become.
MERGE_KEYS = {
    "client": gettext_lazy("la raison sociale du client"),
    "contact": gettext_lazy("le nom du contact principal (à défaut « Madame, Monsieur »)"),
    "collaborateur": gettext_lazy("le collaborateur qui suit le dossier"),
    "cabinet": gettext_lazy("le nom du cabinet"),
    "obligations": gettext_lazy("les obligations du client et leurs dates, en une phrase"),
    "date_reception": gettext_lazy("la date à partir de laquelle il doit recevoir"),
    "date_emission": gettext_lazy("la date à partir de laquelle il doit émettre"),
    "date_e_reporting": gettext_lazy("la date de début de son e-reporting"),
    "pa_reception": gettext_lazy("la plateforme agréée choisie pour la réception"),
    "pa_emission": gettext_lazy("la plateforme agréée choisie pour l'émission"),
    LINK_KEY: gettext_lazy("le lien personnel du questionnaire (avec l'option)"),
}

# Shown in previews and test sends instead of a real link (issuing one would void the
# client's current link; an unsubscribe link of a test must not unsubscribe anybody).
LINK_PLACEHOLDER = gettext_lazy("[lien personnel du questionnaire]")
UNSUBSCRIBE_PLACEHOLDER = gettext_lazy("[lien de désabonnement du client]")


def check_texts(*, subject: str, body: str, include_link: bool) -> None:
    """The campaign's texts, their keywords checked; French messages by field."""
    errors: dict[str, list[str]] = {}
    for name, text in (("subject", subject), ("body", body)):
        try:
            merge.check_template(text, MERGE_KEYS)
        except ValidationError as error:
            errors[name] = error.messages
    if LINK_KEY in merge.template_keys(subject):
        errors.setdefault("subject", []).append(
            _("Le lien du questionnaire va dans le texte, pas dans l'objet.")
        )
    if not include_link and LINK_KEY in merge.template_keys(body):
        errors.setdefault("body", []).append(
            _(
                "Le mot-clé {lien_questionnaire} demande l'option « Inclure le lien du "
                "questionnaire »."
            )
        )
    if errors:
        raise ValidationError(errors)


def usable_email(client: Client) -> str:
    """The address a campaign goes to: the contact's, else the first billing address; "" when
    the client has none that is valid."""
    candidates = [client.contact_email, *(client.billing_emails or [])]
    for address in candidates:
        address = (address or "").strip() if isinstance(address, str) else ""
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        return address
    return ""


def with_merge_data(clients: QuerySet[Client], firm: Firm) -> QuerySet[Client]:
    """The clients with what their keywords read, in a fixed number of queries."""
    return clients.select_related("assigned_to").prefetch_related(
        "obligations",
        Prefetch(
            "platforms",
            queryset=ClientPlatform.objects.for_firm(firm).select_related("platform"),
            to_attr="campaign_platforms",
        ),
    )


def _date(day) -> str:
    return french_date(day) if day else _("à préciser")


def obligations_sentence(obligations) -> str:
    """The client's obligations in one French phrase."""
    if obligations is None or obligations.in_scope is None:
        return _("vos obligations restent à préciser avec le cabinet")
    if obligations.in_scope is False:
        return _("votre entreprise n'est pas concernée par la réforme")
    parts = []
    if obligations.must_receive:
        parts.append(
            _("recevoir les factures électroniques à partir du %(date)s")
            % {"date": _date(obligations.receive_from)}
        )
    if obligations.must_issue:
        parts.append(
            _("émettre vos factures électroniques à partir du %(date)s")
            % {"date": _date(obligations.issue_from)}
        )
    if obligations.e_reporting_transactions or obligations.e_reporting_payments:
        start = obligations.e_reporting_transactions_from or obligations.e_reporting_payments_from
        parts.append(_("transmettre l'e-reporting à partir du %(date)s") % {"date": _date(start)})
    if not parts:
        return _("vos obligations restent à préciser avec le cabinet")
    return " ; ".join(parts)


def merge_values(client: Client, firm: Firm, *, link_url: str = "") -> dict[str, str]:
    """Each keyword's value for this client (loaded with :func:`with_merge_data`)."""
    obligations = next(iter(client.obligations.all()), None)
    platforms = {
        row.role: row.platform.name for row in getattr(client, "campaign_platforms", None) or []
    }
    e_reporting = None
    if obligations is not None:
        e_reporting = (
            obligations.e_reporting_transactions_from or obligations.e_reporting_payments_from
        )
    return {
        "client": client.company_name,
        "contact": client.contact_name or _("Madame, Monsieur"),
        "collaborateur": client.assigned_to.full_name if client.assigned_to else firm.name,
        "cabinet": firm.name,
        "obligations": obligations_sentence(obligations),
        "date_reception": _date(obligations.receive_from if obligations else None),
        "date_emission": _date(obligations.issue_from if obligations else None),
        "date_e_reporting": _date(e_reporting),
        "pa_reception": platforms.get(PlatformRole.RECEPTION, _("à choisir")),
        "pa_emission": platforms.get(PlatformRole.ISSUING, _("à choisir")),
        LINK_KEY: link_url,
    }


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def unsubscribe_line(kind: str, firm: Firm, url: str) -> str:
    label = CampaignKind(kind).label if kind in CampaignKind.values else kind
    return _(
        "Vous recevez cet e-mail de %(firm)s. Pour ne plus recevoir les e-mails « %(kind)s » : "
        "%(url)s"
    ) % {"firm": firm.name, "kind": label, "url": url}


def render_email(
    campaign: Campaign, values: Mapping[str, str], *, firm: Firm, unsubscribe_url: str
) -> EmailContent:
    """The e-mail of one client: subject and text with their keywords filled, the link of the
    questionnaire added at the end when the text does not place it, then the unsubscribe
    line."""
    subject = merge.render_template(campaign.subject, values)
    body = merge.render_template(campaign.body, values)
    if campaign.include_link and LINK_KEY not in merge.template_keys(campaign.body):
        body += "\n\n" + _("Votre questionnaire en ligne : %(url)s") % {"url": values[LINK_KEY]}
    footer = unsubscribe_line(campaign.kind, firm, unsubscribe_url)
    text = markup.to_text(body) + "\n\n-- \n" + footer + "\n"
    html = f"{markup.to_html(body)}\n<hr>\n{markup.to_html(footer)}"
    return EmailContent(subject=" ".join(subject.split()), text=text, html=html)
