from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


@register.simple_tag
def mandate_badge(status: str) -> SafeString:
    """A mandate status as a badge; "" (no mandate) as a dash."""
    if not status:
        return format_html('<span class="muted">{}</span>', "Aucun")
    return format_html(
        '<span class="badge {}" data-mandate-status="{}">{}</span>',
        STATUS_STYLES.get(status, ""),
        status,
        MandateStatus(status).label,
    )
