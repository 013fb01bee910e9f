from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mandates.models import MandateStatus

register = template.Library()

STATUS_STYLES = {
    MandateStatus.DRAFT: "",
    MandateStatus.TO_SIGN: "badge--warn",
    MandateStatus.SENT: "badge--brand",
    MandateStatus.SIGNED: "badge--ok",
    MandateStatus.REFUSED: "badge--danger",
    MandateStatus.EXPIRED: "badge--danger",
    MandateStatus.CANCELLED: "",
}


# The word a narrow table column shows; the full label is the badge's title.
SHORT_LABELS = {
    MandateStatus.DRAFT: gettext_lazy("Brouillon"),
    MandateStatus.TO_SIGN: gettext_lazy("À signer"),
    MandateStatus.SENT: gettext_lazy("Envoyé"),
    MandateStatus.SIGNED: gettext_lazy("Signé"),
    MandateStatus.REFUSED: gettext_lazy("Refusé"),
    MandateStatus.EXPIRED: gettext_lazy("Expiré"),
    MandateStatus.CANCELLED: gettext_lazy("Annulé"),
}


@register.simple_tag
def mandate_badge(status: str, short: bool = False) -> SafeString:
    """A mandate status as a badge (``short``: one word, for a table); "" (no mandate) as
    "Aucun"."""
    if not status:
        return format_html('<span class="muted">{}</span>', _("Aucun"))
    label = MandateStatus(status).label
    return format_html(
        '<span class="badge {}" data-mandate-status="{}" title="{}">{}</span>',
        STATUS_STYLES.get(status, ""),
        status,
        label,
        SHORT_LABELS[status] if short else label,
    )
