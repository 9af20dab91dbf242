"""What an assistant can and cannot see, in plain words.

`explain_assistant` builds a structured `Explanation` from the same decisions the gateway
uses (`Policy.hidden_reason`), so the text can never disagree with enforcement.
`render_markup` turns it into Rich markup; printing is left to the CLI (no I/O here).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape

from discreet.detect.entities import EntityType
from discreet.policy.policy import HiddenReason, Policy
from discreet.policy.vocabulary import (
    LEGAL_BASIS_TEXT,
    LegalBasis,
    SpecialCategoryCondition,
)


@dataclass(frozen=True, slots=True)
class PurposeView:
    name: str
    description: str
    legal_basis: LegalBasis
    requires_consent: bool
    special_category_condition: SpecialCategoryCondition | None
    visible: dict[str, tuple[str, ...]]
    """category -> fields visible for this purpose, in policy order."""


@dataclass(frozen=True, slots=True)
class HiddenField:
    field: str
    reason: HiddenReason


@dataclass(frozen=True, slots=True)
class Explanation:
    assistant: str
    description: str
    tenant: str
    source: str
    purposes: tuple[PurposeView, ...]
    hidden: dict[str, tuple[HiddenField, ...]]
    """category -> fields hidden for every purpose, with the reason (first purpose's)."""
    special_categories: tuple[str, ...]
    history_window_days: int
    max_context_messages: int
    idle_timeout_minutes: int
    keep_token_maps_after_close_days: int
    """Policy-wide: how long a closed conversation's values stay restorable."""
    operators: dict[EntityType, str]
    """The effective operator for every entity type."""
    operator_overrides: frozenset[EntityType]
    field_types: dict[str, str]
    """field -> how it enters the context, as declared (`DataCategorySpec.types`):
    an entity type's name, ``plain`` or ``text``."""

    @property
    def same_for_all_purposes(self) -> bool:
        return len({tuple(p.visible.items()) for p in self.purposes}) <= 1

    @property
    def consent_purposes(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.purposes if p.requires_consent)


def explain_assistant(policy: Policy, assistant: str) -> Explanation:
    """Explain `assistant` (raises `UnknownAssistant` if the policy has no such assistant)."""
    spec = policy.assistant(assistant)
    views = []
    for purpose in spec.purposes:
        pspec = policy.purposes[purpose]
        allowed = policy.allowed_fields(assistant, purpose)
        views.append(
            PurposeView(
                name=purpose,
                description=pspec.description,
                legal_basis=pspec.legal_basis,
                requires_consent=pspec.requires_consent,
                special_category_condition=pspec.special_category_condition,
                visible=_by_category(policy, allowed),
            )
        )
    visible_any = {f for p in spec.purposes for f in policy.allowed_fields(assistant, p)}
    hidden: dict[str, tuple[HiddenField, ...]] = {}
    for category, cspec in policy.data_categories.items():
        entries = tuple(
            HiddenField(f, _reason(policy, assistant, spec.purposes, f))
            for f in cspec.fields
            if f not in visible_any
        )
        if entries:
            hidden[category] = entries
    return Explanation(
        assistant=assistant,
        description=spec.description,
        tenant=policy.tenant,
        source=policy.source,
        purposes=tuple(views),
        hidden=hidden,
        special_categories=tuple(n for n, c in policy.data_categories.items() if c.special),
        history_window_days=spec.history_window_days,
        max_context_messages=spec.max_context_messages,
        idle_timeout_minutes=policy.conversation.idle_timeout_minutes,
        keep_token_maps_after_close_days=policy.conversation.keep_token_maps_after_close_days,
        operators={t: policy.operator_for(assistant, t).operator for t in EntityType},
        operator_overrides=frozenset(spec.operators),
        field_types={f: str(t) for f, t in policy.field_types.items()},
    )


def _by_category(policy: Policy, fields: frozenset[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for category, spec in policy.data_categories.items():
        chosen = tuple(f for f in spec.fields if f in fields)
        if chosen:
            out[category] = chosen
    return out


def _reason(policy: Policy, assistant: str, purposes: tuple[str, ...], field: str) -> HiddenReason:
    reason = policy.hidden_reason(assistant, purposes[0], field)
    assert reason is not None, "only called for fields hidden for every purpose"
    return reason


# -- rendering ---------------------------------------------------------------------------------

_REASON_TEXT: dict[HiddenReason, str] = {
    HiddenReason.NOT_GRANTED: "not granted",
    HiddenReason.DENIED: "explicitly denied",
    HiddenReason.SPECIAL_CATEGORY: "special category (GDPR art. 9), no art. 9 condition",
    HiddenReason.OUTSIDE_PURPOSE: "outside its purposes' data categories",
}


def render_markup(ex: Explanation) -> str:
    """The explanation as Rich markup (names and texts from the policy are escaped)."""
    e = escape
    out = [f"[bold]Assistant '{e(ex.assistant)}'[/bold] (tenant {e(ex.tenant)}, {e(ex.source)})"]
    if ex.description:
        out.append(e(ex.description))
    out += ["", "[bold]Serves these purposes[/bold]"]
    for p in ex.purposes:
        line = f"  • {e(p.name)}: legal basis: {LEGAL_BASIS_TEXT[p.legal_basis]}"
        if p.description:
            line += f" [dim]({e(p.description)})[/dim]"
        out.append(line)
        if p.special_category_condition is not None:
            out.append(
                "    special-category data allowed under art. 9(2) condition "
                f"'{p.special_category_condition.value}'"
            )
    out += ["", "[bold]May see[/bold]"]
    if ex.same_for_all_purposes:
        out += _visible_lines(ex.purposes[0].visible, ex.field_types, "  ")
    else:
        for p in ex.purposes:
            out.append(f"  for {e(p.name)}:")
            out += _visible_lines(p.visible, ex.field_types, "    ")
    out += ["", "[bold]May NOT see[/bold] (never sent to it, whatever a prompt asks)"]
    if not ex.hidden:
        out.append("  (nothing is withheld: every field is visible)")
    for category, entries in ex.hidden.items():
        label = (
            f"{e(category)} (special category)"
            if category in ex.special_categories
            else e(category)
        )
        reasons = sorted({h.reason for h in entries}, key=list(HiddenReason).index)
        if len(reasons) == 1:
            fields = ", ".join(e(h.field) for h in entries)
            out.append(f"  {label}: {fields} [dim]— {_REASON_TEXT[reasons[0]]}[/dim]")
        else:
            parts = ", ".join(f"{e(h.field)} ({_REASON_TEXT[h.reason]})" for h in entries)
            out.append(f"  {label}: {parts}")
    out += ["", "[bold]Conversation history[/bold]"]
    if ex.history_window_days == 0:
        out.append("  earlier conversations are not used")
    else:
        out.append(f"  earlier conversations from the last {ex.history_window_days} days")
    out.append(f"  at most {ex.max_context_messages} messages of context per turn")
    out.append(f"  a conversation idle for {ex.idle_timeout_minutes} minutes is closed")
    keep = ex.keep_token_maps_after_close_days
    if keep == 0:
        out.append(
            "  closing forgets the personal values behind a conversation's placeholders "
            "(its token map is destroyed); the stored transcript keeps placeholders only"
        )
    else:
        out.append(
            f"  the personal values behind a closed conversation's placeholders are kept "
            f"{keep} days after closing (keep_token_maps_after_close_days), then destroyed"
        )
    out += ["", "[bold]Pseudonymisation of detected personal data[/bold]"]
    overrides = [t for t in EntityType if t in ex.operator_overrides]
    if overrides:
        out.append("  " + ", ".join(f"{t.value} → {ex.operators[t]}" for t in overrides))
    rest: dict[str, list[str]] = {}
    for t in EntityType:
        if t not in ex.operator_overrides:
            rest.setdefault(ex.operators[t], []).append(t.value)
    # The most common operator reads as "all other types"; the rest are listed by type.
    common = max(rest, key=lambda op: len(rest[op]), default=None)
    for op, types in sorted(rest.items(), key=lambda item: item[0] == common):
        label = "all other types" if op == common else ", ".join(types)
        out.append(f"  {label} → {op} (policy-wide)")
    out += ["", "[bold]Consent[/bold]"]
    if ex.consent_purposes:
        names = ", ".join(e(n) for n in ex.consent_purposes)
        out.append(f"  needs the customer's recorded consent before serving: {names}")
    else:
        out.append("  none of its purposes needs the customer's consent")
    return "\n".join(out)


_TYPE_TEXT = {"plain": "as it is", "text": "free text, detected"}


def _visible_lines(
    visible: dict[str, tuple[str, ...]], types: dict[str, str], indent: str
) -> list[str]:
    """One line per category; each field with how it reaches the assistant: "first_name
    (PERSON)" is replaced whole by a PERSON token, "order_status (as it is)" goes as it is."""
    if not visible:
        return [f"{indent}(no customer-record fields)"]

    def shown(field: str) -> str:
        kind = types.get(field, "text")
        return f"{escape(field)} ({_TYPE_TEXT.get(kind, kind)})"

    return [f"{indent}{escape(c)}: {', '.join(shown(f) for f in fs)}" for c, fs in visible.items()]


def summarize(policy: Policy) -> str:
    """One short paragraph for `discreet policy check`: what the valid policy contains."""
    fields = sum(len(c.fields) for c in policy.data_categories.values())
    special = [n for n, c in policy.data_categories.items() if c.special]
    consent = [n for n, p in policy.purposes.items() if p.requires_consent]
    upstream = (
        f"{policy.upstream.base_url} (model {policy.upstream.model})"
        if policy.upstream
        else "none (embedded assistant)"
    )
    lines = [
        f"{policy.source}: OK — tenant {policy.tenant}",
        f"  {len(policy.data_categories)} data categories, {fields} fields"
        + (f"; special (GDPR art. 9): {', '.join(special)}" if special else ""),
        f"  {len(policy.purposes)} purposes"
        + (f"; need consent: {', '.join(consent)}" if consent else ""),
        f"  {len(policy.assistants)} assistants: {', '.join(policy.assistants) or '(none)'}",
        f"  upstream: {upstream}",
    ]
    return "\n".join(lines)
