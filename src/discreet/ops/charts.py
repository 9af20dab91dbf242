"""Small server-side SVG bar charts for the reports (no JavaScript, no chart library: a
report must render the same in a browser, a PDF and an archive opened years later)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#2f6f9f", "#d17a22", "#4f9a4f", "#b0413e", "#7a5ea8")


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    width: int = 640,
    height: int = 240,
) -> str:
    """Grouped bars: one group per label, one bar per series, with a legend."""
    left, bottom, top = 40, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((v for values in series.values() for v in values), default=0) or 1
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" font-size="13" font-family="sans-serif">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end" '
        f'font-family="sans-serif">{peak:g}</text>',
    ]
    for g, label in enumerate(labels):
        x0 = left + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series.items()):
            value = values[g] if g < len(values) else 0
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(name)} {escape(label)}: {value:g}</title></rect>"
            )
        parts.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{top + plot_h + 14}" '
            f'font-size="10" text-anchor="middle" font-family="sans-serif">{escape(label)}</text>'
        )
    for s, name in enumerate(series):
        x = left + s * 150
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{height - 5}" font-size="10" '
            f'font-family="sans-serif">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
