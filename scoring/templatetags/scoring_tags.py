"""The urgency badge: level and points, with the breakdown in a tooltip shown on hover and on
keyboard focus (no request per badge).

Written with format_html rather than as a template partial: lists show fifty badges a page, and
a badge built in Python costs a fraction of an included template.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clients.models import Client
from scoring.models import ClientScore

register = template.Library()

LEVEL_LABELS = dict(ClientScore.Level.choices)


@register.simple_tag
def urgency_badge(score: ClientScore | None) -> SafeString:
    """The badge of a score (a ClientScore or None: not computed yet)."""
    if score is None:
        return format_html(
            '<span class="urgency urgency--none" title="{}">—</span>', _("Pas encore calculé")
        )
    label = str(LEVEL_LABELS[score.level])
    if score.breakdown:
        lines = format_html_join(
            "",
            '<tr><td>{}<br><span class="muted">{}</span></td><td class="num">+{}</td></tr>',
            ((line["label"], line["answer"], line["points"]) for line in score.breakdown),
        )
        detail = format_html("<table>{}</table>", lines)
    else:
        detail = format_html('<span class="muted">{}</span>', _("Aucun point : rien d'urgent."))
    head = _("Urgence %(level)s : %(total)s points · conformité %(compliance)s %%") % {
        "level": label.lower(),
        "total": score.total,
        "compliance": score.compliance,
    }
    return format_html(
        '<span class="urgency urgency--{level}" tabindex="0" aria-describedby="score-tip-{id}">'
        "{label} · {points}"
        '<span class="urgency__tip" role="tooltip" id="score-tip-{id}">'
        '<span class="urgency__tip-head">{head}</span>{detail}</span></span>',
        level=score.level,
        id=score.client_id,
        label=label,
        points=_("%(total)s pts") % {"total": score.total},
        head=head,
        detail=detail,
    )


@register.simple_tag
def header_urgency_badge(client: Client, *, oob: bool = False) -> SafeString:
    """The badge in the client sheet's header, in an element the edits of the sheet's tabs
    replace out of band (``oob``), so that it follows every answer and equipment change."""
    template = (
        '<span id="client-urgency" hx-swap-oob="true">{}</span>'
        if oob
        else ('<span id="client-urgency">{}</span>')
    )
    return format_html(template, urgency_badge_for(client))


@register.simple_tag
def urgency_badge_for(client: Client) -> SafeString:
    """The badge of one client, read through its ``scores`` (one query; a list prefetches
    ``scores`` so that its fifty badges cost one query in all)."""
    return urgency_badge(next(iter(client.scores.all()), None))
