"""The geometry of the two server-side SVG charts, drawn by the templates: clients per urgency
and the firm's progress over the weekly snapshots."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import Firm
from portfolio.dashboard.figures import HeadlineFigures, snapshot_values
from portfolio.dashboard.filters import URGENCY_CHOICES
from portfolio.models import PortfolioSnapshot, week_of

CHART_WIDTH = 420
CHART_HEIGHT = 180
URGENCY_COLOURS = {"high": "#b42318", "medium": "#a15c00", "low": "#147a4a", "none": "#a0aec0"}


def urgency_bars(figures: HeadlineFigures) -> list[dict]:
    counts = {
        "high": figures.high,
        "medium": figures.medium,
        "low": figures.low,
        "none": figures.unscored,
    }
    top = max(counts.values()) or 1
    slot = CHART_WIDTH / len(counts)
    bars = []
    for index, (level, count) in enumerate(counts.items()):
        height = round(130 * count / top)
        bars.append(
            {
                "level": level,
                "label": URGENCY_CHOICES[level],
                "count": count,
                "percent": round(100 * count / figures.clients) if figures.clients else 0,
                "x": round(index * slot + slot * 0.2),
                "width": round(slot * 0.6),
                "y": 150 - height,
                "height": height,
                "colour": URGENCY_COLOURS[level],
                "centre": round(index * slot + slot / 2),
            }
        )
    return bars


PROGRESS_SERIES = (
    ("determined_percent", _("Obligations déterminées"), "#1f4fd1"),
    ("reception_percent", _("PA de réception choisie"), "#147a4a"),
    ("issuing_percent", _("PA d'émission (si due)"), "#a15c00"),
)


def progress_chart(
    snapshots: list[PortfolioSnapshot], *, live: HeadlineFigures | None = None
) -> dict:
    """Lines of percentages (0–100 %) over the weekly snapshots, oldest first.

    ``live``: the figures of the same set now (the headline figures of the whole portfolio, when
    the page shows it unfiltered). They stand for this week, in place of its snapshot, so that the
    chart's last value and the headline card are one figure from one source.
    """
    if live is not None:
        this_week = week_of(timezone.localdate())
        past = [snapshot for snapshot in snapshots if snapshot.taken_on < this_week]
        snapshots = [*past, PortfolioSnapshot(taken_on=this_week, **snapshot_values(live))]
    left, right, top, bottom = 46, CHART_WIDTH - 10, 10, 150
    count = len(snapshots)
    step = (right - left) / (count - 1) if count > 1 else 0
    xs = [
        round(left + index * step) if count > 1 else (left + right) // 2 for index in range(count)
    ]
    series = []
    for attribute, label, colour in PROGRESS_SERIES:
        points = []
        for x, snapshot in zip(xs, snapshots, strict=True):
            value = getattr(snapshot, attribute)
            if value is not None:
                points.append(
                    {"x": x, "y": round(bottom - (bottom - top) * value / 100), "value": value}
                )
        series.append(
            {
                "label": label,
                "colour": colour,
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "last": points[-1]["value"] if points else None,
            }
        )
    gridlines = [
        {"y": round(bottom - (bottom - top) * p / 100), "label": p, "x1": left, "x2": right}
        for p in (0, 50, 100)
    ]
    ticks = []
    if count:
        every = max(1, ceil(count / 6))
        ticks = [
            {"x": xs[i], "label": snapshots[i].taken_on.strftime("%d/%m")}
            for i in range(0, count, every)
        ]
    return {"series": series, "gridlines": gridlines, "ticks": ticks, "count": count}


def recent_snapshots(firm: Firm | int, *, weeks: int = 26) -> list[PortfolioSnapshot]:
    since = timezone.localdate() - timedelta(weeks=weeks)
    snapshots = PortfolioSnapshot.objects.for_firm(firm).filter(taken_on__gte=since)
    return list(snapshots.order_by("taken_on"))
