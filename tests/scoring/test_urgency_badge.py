"""The urgency badge: level, points and the breakdown in its tooltip, every value escaped."""

from __future__ import annotations

from django.utils import translation

from scoring.models import ClientScore
from scoring.templatetags.scoring_tags import urgency_badge


def score(**fields) -> ClientScore:
    values = {"client_id": 7, "level": "high", "total": 42, "compliance": 30, "breakdown": []}
    return ClientScore(**{**values, **fields})


def test_the_badge_shows_level_points_and_breakdown():
    with translation.override("fr"):
        html = urgency_badge(
            score(breakdown=[{"label": "Émission due", "answer": "2026", "points": 12}])
        )
    assert html == (
        '<span class="urgency urgency--high" tabindex="0" aria-describedby="score-tip-7">'
        'Élevée · 42 pts<span class="urgency__tip" role="tooltip" id="score-tip-7">'
        '<span class="urgency__tip-head">Urgence élevée : 42 points · conformité 30 %</span>'
        '<table><tr><td>Émission due<br><span class="muted">2026</span></td>'
        '<td class="num">+12</td></tr></table></span></span>'
    )


def test_every_value_of_the_breakdown_is_escaped():
    line = {"label": "<script>x</script>", "answer": 'R&D "test" l\'an', "points": "<1>"}
    html = urgency_badge(score(breakdown=[line]))
    assert "<script>" not in html and "<1>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "R&amp;D &quot;test&quot; l&#x27;an" in html


def test_a_score_without_points_and_no_score():
    with translation.override("fr"):
        assert "Aucun point : rien d&#x27;urgent." in urgency_badge(score(level="low", total=0))
        assert urgency_badge(None) == (
            '<span class="urgency urgency--none" title="Pas encore calculé">—</span>'
        )
