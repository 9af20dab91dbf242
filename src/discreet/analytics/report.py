"""The analytics report as one self-contained HTML page: a bar chart per release, with
each bar's confidence interval drawn as a whisker (inline SVG; no script, no fetches)."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

_WIDTH = 640
_BAR = 16


def _chart(release: dict[str, Any]) -> str:
    totals: dict[str, float] = defaultdict(float)
    half = float(release["ci_half_width"])
    for cell in release["cells"]:
        totals[str(cell["value"])] += max(0, int(cell["count"]))
    top = max([*totals.values(), half, 1.0]) + half
    rows = []
    for i, (value, count) in enumerate(totals.items()):
        y = i * (_BAR + 6)
        width = int((_WIDTH - 260) * count / top)
        low = int((_WIDTH - 260) * max(0.0, count - half) / top)
        high = int((_WIDTH - 260) * (count + half) / top)
        rows.append(
            f'<text x="0" y="{y + 12}" font-size="12">{html.escape(value)}</text>'
            f'<rect x="200" y="{y}" width="{width}" height="{_BAR}" fill="#4c78a8"/>'
            f'<line x1="{200 + low}" x2="{200 + high}" y1="{y + 8}" y2="{y + 8}" '
            'stroke="#222" stroke-width="1.5"/>'
            f'<text x="{210 + high}" y="{y + 12}" font-size="11">{int(count)}</text>'
        )
    height = max(1, len(totals)) * (_BAR + 6)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'role="img" aria-label="{html.escape(release["query"])}">{"".join(rows)}</svg>'
    )


def render_html(report: dict[str, Any]) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>discreet: differentially private analytics</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto}"
        "table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;"
        "text-align:left}</style></head><body>",
        "<h1>Customer-service analytics (differentially private)</h1>",
        f"<p>Tenant <b>{html.escape(report['tenant'])}</b>, dataset "
        f"<b>{html.escape(report['dataset'])}</b>, {html.escape(report['period']['since'])} to "
        f"{html.escape(report['period']['until'])}. Every figure has noise added "
        "(OpenDP); bars show totals over all groups with their confidence interval.</p>",
    ]
    for release in report["releases"]:
        parts.append(f"<h2>{html.escape(release['query'].replace('_', ' '))}</h2>")
        parts.append(
            f"<p>epsilon {release['epsilon']:.4g}"
            + (f", delta {release['delta']:.3g}" if release["delta"] else "")
            + f", {release.get('noise', 'laplace')} noise of scale {release['noise_scale']:.4g}, "
            f"at most {release['max_contributions_per_subject']} conversations per customer, "
            f"{int(release['confidence'] * 100)}% interval ±{release['ci_half_width']:.1f} "
            "per cell.</p>"
        )
        parts.append(_chart(release))
        for rate in release.get("rates", []):
            label = (
                " / ".join(str(rate[d]) for d in ("assistant", "language") if d in rate) or "all"
            )
            values = ", ".join(
                f"{name.replace('_', ' ')} {rate[name]:.0%}"
                for name in ("handoff_rate", "guard_block_rate", "resolution_without_handoff")
                if rate.get(name) is not None
            )
            if values:
                parts.append(f"<p>{html.escape(label)}: {html.escape(values)}</p>")
    budget = report["budget"]
    parts.append(
        f"<h2>Privacy budget</h2><p>spent epsilon {budget['spent_epsilon']:.4g} of "
        f"{budget['epsilon']:.4g}, left {budget['left_epsilon']:.4g}; spent delta "
        f"{budget['spent_delta']:.3g} of {budget['delta']:.3g}, left "
        f"{budget['left_delta']:.3g}.</p></body></html>"
    )
    return "\n".join(parts)
