"""Assemble one chat transcript or e-mail from a language pack's templates.

The structure mirrors real support traffic: e-mails have a greeting, one to four body
sentences, a closing and a signature block (customer address lines, or an agent's name and
shop); chats are short alternating turns, often lowercase and sometimes with typos.
"""

from __future__ import annotations

import random
from typing import Literal

from discreet.evaluation.render import Segment, TextContext, add_typo, lowercase, render
from discreet.evaluation.templates.base import LanguagePack

Kind = Literal["chat", "email"]

NEGATIVE_LINE_RATE = 0.4
"""Share of texts that get a dedicated hard-negative sentence (products, prices, ...)."""


def _lit(text: str) -> Segment:
    return Segment(text)


def _customer_body(pack: LanguagePack, rng: random.Random, count: int) -> list[str]:
    lines = rng.sample(pack.customer_lines, count)
    if rng.random() < NEGATIVE_LINE_RATE:
        lines.insert(rng.randint(0, len(lines)), rng.choice(pack.negative_lines))
    return lines


def _email(
    pack: LanguagePack, ctx: TextContext, rng: random.Random, max_lines: int
) -> list[Segment]:
    segs: list[Segment] = []
    from_customer = rng.random() < 0.6
    if from_customer:
        greeting = rng.choice(pack.email_greetings_customer)
        body = _customer_body(pack, rng, min(max_lines, rng.choice((1, 1, 2, 2, 3))))
        closing, signature = (
            rng.choice(pack.closings_customer),
            rng.choice(pack.signatures_customer),
        )
    else:
        greeting = rng.choice(pack.email_greetings_agent)
        body = rng.sample(pack.agent_lines, min(max_lines, rng.choice((1, 2, 2, 3))))
        closing, signature = rng.choice(pack.closings_agent), rng.choice(pack.signatures_agent)
    if from_customer and rng.random() < 0.25:
        segs += render(rng.choice(pack.email_subjects), ctx)
        segs.append(_lit("\n\n"))
    segs += render(greeting, ctx)
    segs.append(_lit("\n\n"))
    paragraph_break = rng.random() < 0.4
    for i, line in enumerate(body):
        if i:
            segs.append(_lit("\n\n" if paragraph_break else " "))
        rendered = render(line, ctx)
        if from_customer and rng.random() < 0.06:
            rendered = add_typo(rendered, rng.randrange)
        segs += rendered
    segs.append(_lit("\n\n" if rng.random() < 0.8 else "\n"))
    segs += render(closing, ctx)
    segs.append(_lit("\n"))
    segs += render(signature, ctx)
    return segs


def _chat(
    pack: LanguagePack, ctx: TextContext, rng: random.Random, max_lines: int
) -> list[Segment]:
    customer_role, agent_role = rng.choice(pack.chat_roles)
    casual = rng.random() < 0.4  # this customer types in lowercase
    casual_values = rng.random() < 0.5
    turns: list[list[Segment]] = []
    if rng.random() < 0.3:
        turns.append([_lit(agent_role), *render(pack.chat_agent_lines[0], ctx)])
    n_customer_turns = min(max_lines, rng.choice((1, 1, 1, 2, 2, 2, 3)))
    lines_per_turn = [1 if rng.random() < 0.85 else 2 for _ in range(n_customer_turns)]
    # Sampled without replacement so no sentence repeats within one chat.
    body = _customer_body(pack, rng, sum(lines_per_turn))
    lines_per_turn[-1] += len(body) - sum(lines_per_turn)  # room for a hard-negative line
    # chat_agent_lines[0] is the agent's greeting; later turns never repeat it.
    agent_pool = [*pack.chat_agent_lines[1:], *pack.agent_lines]
    agent_replies = rng.sample(agent_pool, n_customer_turns)
    for turn, count in enumerate(lines_per_turn):
        parts: list[str] = []
        has_opener = turn == 0 and rng.random() < 0.6
        if has_opener:
            parts.append(rng.choice(pack.chat_openers))
        parts += body[:count]
        body = body[count:]
        segs: list[Segment] = []
        for i, part in enumerate(parts):
            if i:
                # Openers ("hi", "hallo, met Anna") carry no punctuation of their own.
                opener_gap = has_opener and i == 1
                segs.append(_lit(rng.choice(("\n", ". ", "! ", "\n")) if opener_gap else " "))
            segs += render(part, ctx)
        if casual:
            segs = lowercase(segs, casual_values)
        if rng.random() < 0.2:
            segs = add_typo(segs, rng.randrange)
        turns.append([_lit(customer_role), *segs])
        if turn < n_customer_turns - 1 or rng.random() < 0.3:
            turns.append([_lit(agent_role), *render(agent_replies[turn], ctx)])
    out: list[Segment] = []
    for i, turn_segs in enumerate(turns):
        if i:
            out.append(_lit("\n"))
        out += turn_segs
    return out


def compose(
    pack: LanguagePack, ctx: TextContext, rng: random.Random, kind: Kind, max_lines: int
) -> list[Segment]:
    """Segments of one text; ``max_lines`` bounds the body so texts stay under 800 chars."""
    if kind == "email":
        return _email(pack, ctx, rng, max_lines)
    return _chat(pack, ctx, rng, max_lines)
