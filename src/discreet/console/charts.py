"""Bar charts rendered on the server as SVG: no script, no chart library, nothing fetched.

Colours come from CSS classes (``bar``, ``bar-alert``, ``bar-muted``) in the console's
style sheet, so the Content-Security-Policy needs no inline styles. Labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT = 22
LABEL_WIDTH = 170
BAR_WIDTH = 300
VALUE_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    kind: str = "bar"
    """The CSS class: ``bar``, ``bar-alert`` (e.g. overdue) or ``bar-muted``."""


def hbar_chart(title: str, bars: Sequence[Bar]) -> Markup:
    """A horizontal bar chart; an empty chart says so in words."""
    if not bars:
        return Markup('<p class="empty">{}: nothing to show.</p>').format(title)
    top = max((b.value for b in bars), default=0) or 1
    height = ROW_HEIGHT * len(bars) + 6
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        Markup(
            '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        ).format(w=width, h=height, t=title)
    ]
    for i, bar in enumerate(bars):
        y = 3 + i * ROW_HEIGHT
        length = round(BAR_WIDTH * bar.value / top)
        kind = bar.kind if bar.kind in {"bar", "bar-alert", "bar-muted"} else "bar"
        parts.append(
            Markup(
                '<text class="chart-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect class="{kind}" x="{bx}" y="{y}" width="{bw}" height="{bh}"></rect>'
                '<text class="chart-value" x="{vx}" y="{ty}">{value}</text>'
            ).format(
                lx=LABEL_WIDTH - 8,
                ty=y + 14,
                label=bar.label,
                kind=kind,
                bx=LABEL_WIDTH,
                y=y,
                bw=max(length, 1 if bar.value else 0),
                bh=ROW_HEIGHT - 6,
                vx=LABEL_WIDTH + length + 6,
                value=bar.value,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def day_columns(title: str, days: Sequence[tuple[str, int, int]]) -> Markup:
    """Daily columns of two series (e.g. guard blocks and handoffs): (day, a, b)."""
    if not days:
        return Markup('<p class="empty">{}: nothing to show.</p>').format(title)
    top = max(max(a, b) for _, a, b in days) or 1
    col = 14
    chart_h = 120
    width = len(days) * col + 40
    parts = [
        Markup(
            '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        ).format(w=width, h=chart_h + 30, t=title)
    ]
    for i, (day, a, b) in enumerate(days):
        x = 30 + i * col
        for offset, value, kind in ((0, a, "bar-alert"), (6, b, "bar")):
            h = round(chart_h * value / top)
            parts.append(
                Markup(
                    '<rect class="{k}" x="{x}" y="{y}" width="5" height="{h}">'
                    "<title>{d}: {v}</title></rect>"
                ).format(k=kind, x=x + offset, y=chart_h - h + 5, h=h, d=day, v=value)
            )
    parts.append(
        Markup(
            '<text class="chart-label" x="30" y="{y}">{first}</text>'
            '<text class="chart-label" x="{x}" y="{y}" text-anchor="end">{last}</text>'
            '<text class="chart-value" x="0" y="14">{top}</text>'
        ).format(y=chart_h + 24, first=days[0][0], x=width - 4, last=days[-1][0], top=top)
    )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


__all__ = ["Bar", "day_columns", "escape", "hbar_chart"]
