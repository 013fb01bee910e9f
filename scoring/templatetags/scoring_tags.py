"""The urgency badge: level and points, with the breakdown in a tooltip shown on hover and on
keyboard focus (no request per badge).

Written in Python rather than as a template partial: lists show fifty badges a page, and a
badge built in Python costs a fraction of an included template. Every value is escaped
(``html.escape``, what Django's ``escape`` calls); the breakdown's table, shared by many clients,
is built once per distinct breakdown.
"""

from functools import lru_cache
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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
        detail = _breakdown_table(
            tuple((line["label"], line["answer"], line["points"]) for line in score.breakdown)
        )
    else:
        nothing = escape(_("Aucun point : rien d'urgent."))
        detail = f'<span class="muted">{nothing}</span>'
    head = _("Urgence %(level)s : %(total)s points · conformité %(compliance)s %%") % {
        "level": label.lower(),
        "total": score.total,
        "compliance": score.compliance,
    }
    level, client_id = escape(str(score.level)), escape(str(score.client_id))
    points = _("%(total)s pts") % {"total": score.total}
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<span class="urgency urgency--{level}" tabindex="0" '
        f'aria-describedby="score-tip-{client_id}">{escape(label)} · {escape(points)}'
        f'<span class="urgency__tip" role="tooltip" id="score-tip-{client_id}">'
        f'<span class="urgency__tip-head">{escape(head)}</span>{detail}</span></span>'
    )


@lru_cache(maxsize=1024)
def _breakdown_table(lines: tuple[tuple[object, object, object], ...]) -> str:
    """The breakdown's lines (label, answer, points) as the tooltip's table, escaped."""
    cells = "".join(
        f'<tr><td>{escape(str(label))}<br><span class="muted">{escape(str(answer))}</span></td>'
        f'<td class="num">+{escape(str(points))}</td></tr>'
        for label, answer, points in lines
    )
    return f"<table>{cells}</table>"


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
