"""Cross-reference checks: everything a policy names must exist and fit together.

Pydantic checks each part on its own; these checks need the whole policy (an assistant's
category must be defined under `data_categories`, a field may belong to one category only,
...). Each problem is reported with the key path of the offending entry so the loader can
add its line number.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import TYPE_CHECKING

from discreet.policy.errors import PolicyIssue
from discreet.policy.models import resolve_retention
from discreet.policy.vocabulary import (
    DEFAULT_RETENTION_DAYS,
    LegalBasis,
    RecordKind,
    SpecialCategoryCondition,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from discreet.policy.policy import AccessGrant, Policy

_MAX_LISTED = 12


def unknown_name(kind: str, name: str, known: Collection[str]) -> str:
    """``unknown data category 'helth' (known: contact, health, ...)`` with a suggestion."""
    message = f"unknown {kind} '{name}'"
    close = get_close_matches(name, list(known), n=1)
    if close:
        message += f"; did you mean '{close[0]}'?"
    if not known:
        return message + f" (no {kind}s are defined)"
    names = sorted(known)
    listed = ", ".join(names[:_MAX_LISTED]) + (", ..." if len(names) > _MAX_LISTED else "")
    return f"{message} (known: {listed})"


def field_categories(policy: Policy) -> dict[str, str]:
    """field -> the one category it belongs to (the first, if the policy is invalid)."""
    index: dict[str, str] = {}
    for category, spec in policy.data_categories.items():
        for field in spec.fields:
            index.setdefault(field, category)
    return index


def check_references(policy: Policy) -> list[PolicyIssue]:
    """Every cross-reference problem in `policy`, in file order of the sections."""
    issues: list[PolicyIssue] = []
    issues += _check_categories(policy)
    issues += _check_purposes(policy)
    issues += _check_retention(policy)
    issues += _check_assistants(policy)
    issues += _check_conversation(policy)
    return issues


def check_field_types(policy: Policy, grants: Iterable[AccessGrant]) -> list[PolicyIssue]:
    """A field some assistant may see must declare its type (`DataCategorySpec.types`):
    without one the gateway would have to guess it from the value, which is how "shipped"
    once became a person. One issue per field, naming the first assistant that sees it."""
    seen_by: dict[str, str] = {}
    for grant in grants:
        for field in sorted(grant.fields):
            seen_by.setdefault(field, grant.assistant)
    issues: list[PolicyIssue] = []
    for category, spec in policy.data_categories.items():
        for i, field in enumerate(spec.fields):
            if field in seen_by and field not in spec.types:
                issues.append(
                    PolicyIssue(
                        ("data_categories", category, "fields", i),
                        f"field '{field}' is visible to assistant '{seen_by[field]}' but has "
                        f"no declared type: add it to `types` of category '{category}' as an "
                        "entity type (PERSON, PHONE_NUMBER, ORDER_ID, ...), plain (sent as it "
                        "is) or text (free text, detection runs on it)",
                    )
                )
    return issues


def _check_categories(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    owner: dict[str, str] = {}
    for category, spec in policy.data_categories.items():
        for i, field in enumerate(spec.fields):
            path = ("data_categories", category, "fields", i)
            if field in owner:
                where = "this category" if owner[field] == category else f"'{owner[field]}'"
                issues.append(PolicyIssue(path, f"field '{field}' is already listed in {where}"))
            else:
                owner[field] = category
    return issues


def _check_purposes(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    for name, spec in policy.purposes.items():
        for i, category in enumerate(spec.categories or ()):
            if category not in policy.data_categories:
                issues.append(
                    PolicyIssue(
                        ("purposes", name, "categories", i),
                        unknown_name("data category", category, policy.data_categories),
                    )
                )
        if (
            spec.special_category_condition is SpecialCategoryCondition.EXPLICIT_CONSENT
            and spec.legal_basis is not LegalBasis.CONSENT
        ):
            issues.append(
                PolicyIssue(
                    ("purposes", name, "special_category_condition"),
                    "explicit_consent needs legal_basis: consent "
                    f"(this purpose's basis is {spec.legal_basis.value})",
                )
            )
    return issues


def _check_retention(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    seen: dict[tuple[RecordKind, str | None], int] = {}
    for i, rule in enumerate(policy.retention):
        if rule.category is not None and rule.category not in policy.data_categories:
            issues.append(
                PolicyIssue(
                    ("retention", i, "category"),
                    unknown_name("data category", rule.category, policy.data_categories),
                )
            )
        key = (rule.record, rule.category)
        if key in seen:
            scope = f" for category '{rule.category}'" if rule.category else ""
            issues.append(
                PolicyIssue(
                    ("retention", i),
                    f"a second rule for {rule.record.value}{scope} "
                    f"(the first is retention[{seen[key]}])",
                )
            )
        else:
            seen[key] = i
    return issues


def _check_assistants(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    owner = field_categories(policy)
    special = {name for name, spec in policy.data_categories.items() if spec.special}
    kept = resolve_retention(policy.retention, RecordKind.CONVERSATION_MESSAGES)
    message_days = kept.days if kept else DEFAULT_RETENTION_DAYS[RecordKind.CONVERSATION_MESSAGES]
    for name, spec in policy.assistants.items():
        base = ("assistants", name)
        known_purposes = [p for p in spec.purposes if p in policy.purposes]
        for i, purpose in enumerate(spec.purposes):
            if purpose not in policy.purposes:
                issues.append(
                    PolicyIssue(
                        (*base, "purposes", i), unknown_name("purpose", purpose, policy.purposes)
                    )
                )
        conditioned = [p for p in known_purposes if policy.purposes[p].special_category_condition]
        special_hint = (
            f"none of this assistant's purposes ({', '.join(known_purposes)}) has a "
            "special_category_condition (GDPR art. 9(2)), e.g. explicit_consent"
        )
        for i, category in enumerate(spec.categories):
            path = (*base, "categories", i)
            if category not in policy.data_categories:
                known = policy.data_categories
                issues.append(PolicyIssue(path, unknown_name("data category", category, known)))
            elif category in special and known_purposes and not conditioned:
                issues.append(
                    PolicyIssue(path, f"'{category}' is a special category; {special_hint}")
                )
        for key in ("fields", "deny_fields"):
            for i, field in enumerate(getattr(spec, key)):
                path = (*base, key, i)
                if field not in owner:
                    issues.append(PolicyIssue(path, unknown_name("field", field, owner)))
                elif (
                    key == "fields"
                    and owner[field] in special
                    and known_purposes
                    and not conditioned
                ):
                    issues.append(
                        PolicyIssue(
                            path,
                            f"'{field}' is in special category '{owner[field]}'; {special_hint}",
                        )
                    )
        if spec.history_window_days > message_days:
            issues.append(
                PolicyIssue(
                    (*base, "history_window_days"),
                    f"{spec.history_window_days} days is longer than conversation messages are "
                    f"kept ({message_days} days, see retention)",
                )
            )
    return issues


def _check_conversation(policy: Policy) -> list[PolicyIssue]:
    keep = policy.conversation.keep_token_maps_after_close_days
    rule = resolve_retention(policy.retention, RecordKind.TOKEN_MAPS)
    map_days = rule.days if rule else DEFAULT_RETENTION_DAYS[RecordKind.TOKEN_MAPS]
    if keep > map_days:
        # The retention run would destroy the map earlier anyway (unused that long), so
        # the setting would promise more than is kept.
        return [
            PolicyIssue(
                ("conversation", "keep_token_maps_after_close_days"),
                f"{keep} days is longer than token maps are kept ({map_days} days, see retention)",
            )
        ]
    return []
