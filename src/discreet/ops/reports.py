"""The record of processing activities (GDPR art. 30) and a DPIA draft (art. 35), as HTML
and PDF, generated from the policy and the measured facts.

* **RoPA** (art. 30(1)): the controller (the policy's tenant), each assistant as a
  processing activity with its purposes and legal bases, the data categories and fields
  it may see (special categories marked), the recipients (the upstream LLM provider as a
  processor, or none with the embedded assistant), retention per record kind, and the
  technical and organisational measures discreet applies (art. 32).
* **DPIA** (art. 35(7)): (a) the processing described from the policy, (b) necessity and
  proportionality from the minimisation rules, (c) risks and (d) the measures, with the
  measured facts of a period (turns, guard decisions, withheld values, retention runs,
  incidents, data-subject requests and detection quality from the last benchmark run).
  What only a person can assess is marked ``TO COMPLETE`` (highlighted in the document).

HTML is built with escaping for every policy-supplied string. PDF uses WeasyPrint, an
optional extra (``pip install 'discreet[reports]'``; its Debian packages are installed by
``.ci/run``); without it, asking for PDF says so and HTML still works.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from discreet.errors import Unavailable
from discreet.ops.charts import bar_chart
from discreet.ops.facts import Period
from discreet.policy import Policy

TODO = '<span class="todo">TO COMPLETE: {}</span>'
STYLE = """
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; font-size: 10.5pt;
       margin: 2em; color: #222; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.todo { background: #fff3b0; border: 1px dashed #c9a400; padding: 0 3px; }
.meta { color: #666; font-size: 9pt; }
@page { size: A4; margin: 18mm; }
"""

SECURITY_MEASURES = (
    "Pseudonymisation before the model: detected personal data and customer-record fields "
    "are replaced by conversation-scoped tokens; raw values never go upstream (fail closed).",
    "Encryption at rest: each customer's fields encrypted with AES-256-GCM under their own "
    "data key, wrapped by a master key; keyed blind indexes (HMAC) instead of plaintext "
    "look-ups.",
    "Crypto-shredding on erasure: the customer's data key is destroyed and their rows "
    "deleted; the key store lives apart from the data store so backups cannot resurrect it.",
    "Output guard on the final answer: other customers' values found by blind index in "
    "normalised form are blocked and recorded as an incident.",
    "Purpose and data minimisation per assistant: only the policy's fields for the purpose, "
    "a bounded history window, consent checked for consent-based purposes.",
    "Tamper-evident audit log: every access to customer data recorded (who, which subject "
    "pseudonym, fields, purpose, legal basis), HMAC/hash-chained and verifiable.",
    "Retention enforced by scheduled jobs with legal holds; data-subject requests tracked "
    "against their deadlines.",
    "Monitoring: anomaly alerts on bulk reads, exports, guard bursts and refused requests; "
    "an incident register with the 72-hour notification clock.",
)


def _e(value: object) -> str:
    return escape(str(value))


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(title: str, body: str, subtitle: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{_e(title)}</h1>"
        f'<p class="meta">{_e(subtitle)}</p>{body}</body></html>'
    )


def _recipients(policy: Policy) -> list[list[str]]:
    if policy.upstream is None:
        return [["Embedded assistant (runs inside discreet)", "none: no recipient", "-"]]
    host = urlsplit(policy.upstream.base_url).hostname or policy.upstream.base_url
    return [
        [
            f"Upstream LLM at {_e(host)} (model {_e(policy.upstream.model)})",
            "processor (art. 28): receives pseudonymised text only",
            TODO.format("processor agreement reference; third-country transfer safeguards"),
        ]
    ]


def _activities(policy: Policy) -> str:
    rows = []
    for name, spec in policy.assistants.items():
        purposes = "<br>".join(
            f"{_e(p)} ({_e(policy.purpose(p).legal_basis)})"
            + (f": {_e(policy.purpose(p).description)}" if policy.purpose(p).description else "")
            for p in spec.purposes
        )
        fields = sorted({f for p in spec.purposes for f in policy.allowed_fields(name, p)})
        categories = sorted({policy.category_of(f) for f in fields})
        special = [
            c
            for c in categories
            if c in policy.data_categories and policy.data_categories[c].special
        ]
        rows.append(
            [
                f"<b>{_e(name)}</b><br>{_e(spec.description)}",
                purposes,
                _e(", ".join(categories) or "none")
                + (f"<br><b>special (art. 9):</b> {_e(', '.join(special))}" if special else ""),
                _e(", ".join(fields) or "none"),
                f"{spec.history_window_days} days of history",
            ]
        )
    return _table(
        [
            "processing activity (assistant)",
            "purposes (legal basis)",
            "data categories",
            "fields",
            "context",
        ],
        rows,
    )


def _retention(policy: Policy) -> str:
    if not policy.retention:
        return "<p>No retention rules: the built-in shortest defaults apply.</p>"
    return _table(
        ["record", "category", "days", "reason"],
        [
            [_e(r.record), _e(r.category or "all"), str(r.days), _e(r.reason or "")]
            for r in policy.retention
        ],
    )


def ropa_html(policy: Policy, *, now: datetime | None = None) -> str:
    """The art. 30(1) record for `policy`."""
    moment = now or datetime.now(UTC)
    categories = _table(
        ["category", "fields", "sensitivity", "special (art. 9)", "description"],
        [
            [
                _e(n),
                _e(", ".join(c.fields)),
                _e(c.sensitivity),
                "yes" if c.special else "no",
                _e(c.description),
            ]
            for n, c in policy.data_categories.items()
        ],
    )
    body = (
        "<h2>1. Controller</h2>"
        f"<p>Tenant <b>{_e(policy.tenant)}</b>. Name and contact of the controller and of the "
        f"data protection officer: {TODO.format('name, address, DPO contact')}</p>"
        "<h2>2. Processing activities, purposes and legal bases</h2>"
        f"{_activities(policy)}"
        "<h2>3. Categories of data subjects and of personal data</h2>"
        "<p>Data subjects: customers contacting customer service.</p>"
        f"{categories}"
        "<h2>4. Recipients</h2>"
        + _table(["recipient", "role", "safeguards"], _recipients(policy))
        + "<h2>5. Retention</h2>"
        + _retention(policy)
        + "<h2>6. Technical and organisational security measures (art. 32)</h2><ul>"
        + "".join(f"<li>{_e(m)}</li>" for m in SECURITY_MEASURES)
        + "</ul>"
    )
    return _page(
        "Record of processing activities (GDPR art. 30)",
        body,
        f"generated {moment:%Y-%m-%d %H:%M} UTC by discreet from policy {policy.source}",
    )


def detection_figures(path: Path | None) -> dict[str, Any] | None:
    """Overall precision/recall/F2 of discreet from a benchmark JSON report."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        overall = data["systems"]["discreet"]["all_types"]["span_overlap"]["overall"]
        return {
            "source": str(data.get("corpus", {}).get("source", path.name)),
            "date": str(data.get("machine", {}).get("date", "")),
            "precision": overall["precision"],
            "recall": overall["recall"],
            "f2": overall["f2"],
        }
    except (KeyError, TypeError, ValueError):
        return None


def guard_chart(audit: dict[str, Any], weeks: list[str]) -> str:
    weekly = audit["guard_decisions_per_week"]
    names = sorted({d for counts in weekly.values() for d in counts})
    series: dict[str, Sequence[float]] = {
        n: [float(weekly.get(w, {}).get(n, 0)) for w in weeks] for n in names
    }
    return bar_chart("Guard decisions per week", [w[-3:] for w in weeks], series or {"none": []})


def requests_chart(requests: dict[str, Any]) -> str:
    months = list(requests["per_month"])
    return bar_chart(
        "Data-subject requests per month, and median days to close",
        months,
        {
            "received": [float(requests["per_month"][m]["received"]) for m in months],
            "median days": [
                float(requests["per_month"][m]["median_days_to_close"] or 0) for m in months
            ],
        },
    )


def dpia_html(
    policy: Policy,
    period: Period,
    *,
    audit: dict[str, Any],
    requests: dict[str, Any],
    retention_runs: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    detection: dict[str, Any] | None,
    weeks: list[str],
    now: datetime | None = None,
) -> str:
    """A DPIA draft for `policy` with the facts measured over `period`."""
    moment = now or datetime.now(UTC)
    deleted = sum(
        int(c.get("deleted", 0))
        for run in retention_runs
        if not run["dry_run"]
        for c in run["counts"].values()
        if isinstance(c, dict)
    )
    facts = _table(
        ["fact", "value"],
        [
            ["chat turns served", str(audit["turns"])],
            ["turns refused (policy, consent, failures)", str(audit["refused_turns"])],
            ["answers blocked as cross-subject leaks", str(audit["guard_blocks"])],
            ["values withheld by the output guard", str(audit["values_withheld"])],
            ["handoffs to a human", str(sum(audit["handoffs"].values()))],
            ["retention runs / rows deleted", f"{len(retention_runs)} / {deleted}"],
            ["incidents (aware in or open during the period)", str(len(incidents))],
            [
                "data-subject requests received / closed / on time",
                f"{requests['received']} / {requests['closed']} / {requests['closed_on_time']}",
            ],
            [
                "detection quality (last benchmark)",
                (
                    f"precision {detection['precision']:.3f}, recall {detection['recall']:.3f}, "
                    f"F2 {detection['f2']:.3f} ({_e(detection['source'])}, {_e(detection['date'])})"
                )
                if detection
                else TODO.format("run `discreet bench --json FILE` and pass --bench-json"),
            ],
        ],
    )
    recall = _e(detection["recall"]) if detection else "n/a"
    risks = _table(
        ["risk to data subjects", "measures in place", "residual risk"],
        [
            [
                "Customer data disclosed to the LLM provider",
                "pseudonymisation before upstream; fail closed when detection fails; minimal "
                f"fields per assistant; detection recall measured ({recall})",
                TODO.format("likelihood / severity"),
            ],
            [
                "One customer's data shown to another",
                f"conversation bound to one subject; output guard by blind index "
                f"({audit['guard_blocks']} blocks in the period)",
                TODO.format("likelihood / severity"),
            ],
            [
                "Data kept longer than necessary",
                f"retention rules ({len(policy.retention)}) enforced by {len(retention_runs)} runs",
                TODO.format("likelihood / severity"),
            ],
            [
                "Misuse of access (stolen key, insider)",
                "role-separated API keys, audit log, anomaly alerts, access review",
                TODO.format("likelihood / severity"),
            ],
            [
                "Rights not honoured in time",
                f"request deadlines tracked ({requests['closed_on_time']} of "
                f"{requests['closed']} closed on time)",
                TODO.format("likelihood / severity"),
            ],
        ],
    )
    body = (
        "<h2>1. Systematic description of the processing (art. 35(7)(a))</h2>"
        f"{_activities(policy)}"
        f"<p>Recipients: {'; '.join(r[0] for r in _recipients(policy))}.</p>"
        "<p>Context and nature: "
        + TODO.format("volume of customers, channels, who operates the assistants")
        + "</p>"
        "<h2>2. Necessity and proportionality (art. 35(7)(b))</h2>"
        "<p>Each assistant sees only the fields its purpose allows (above); history is "
        "limited per assistant; retention:</p>"
        f"{_retention(policy)}"
        f"<p>Assessment: {TODO.format('why these fields and periods are necessary')}</p>"
        f"<h2>3. Measured facts, {_e(period.label)}</h2>{facts}"
        f"<figure>{guard_chart(audit, weeks)}</figure>"
        f"<figure>{requests_chart(requests)}</figure>"
        "<h2>4. Risks and measures (art. 35(7)(c), (d))</h2>"
        f"{risks}<ul>" + "".join(f"<li>{_e(m)}</li>" for m in SECURITY_MEASURES) + "</ul>"
        "<h2>5. Opinion and sign-off</h2>"
        f"<p>Advice of the data protection officer: {TODO.format('DPO advice (art. 35(2))')}</p>"
        f"<p>Views of data subjects: {TODO.format('art. 35(9), where appropriate')}</p>"
        f"<p>Decision and date: {TODO.format('accepted by, date')}</p>"
    )
    return _page(
        "Data protection impact assessment (draft, GDPR art. 35)",
        body,
        f"period {period.label}; generated {moment:%Y-%m-%d %H:%M} UTC by discreet from "
        f"policy {policy.source}",
    )


class PdfUnavailable(Unavailable):
    """PDF rendering needs WeasyPrint: pip install 'discreet[reports]'."""


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: its system libraries are missing
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and its system libraries "
            f"(pip install 'discreet[reports]'; {type(exc).__name__})"
        ) from None
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
