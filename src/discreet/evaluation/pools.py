"""Value pools that are split between training and evaluation.

A model that has memorised names from its training corpus looks better on an evaluation
corpus drawn from the same pool than it will on real customers. So names, street names and
cities whose stable hash falls in one fifth of the hash space never appear in the training
split; the evaluation split draws from everything, so about 20% of its values are unseen.
The hash is ``zlib.crc32`` of the lowercased value: stable across processes and Python
versions (unlike ``hash()``).
"""

from __future__ import annotations

import zlib
from typing import Literal

Split = Literal["train", "eval"]

HELD_OUT_MODULUS = 5
"""One in this many pool values is reserved for evaluation."""


def is_held_out(value: str) -> bool:
    """True when ``value`` is reserved for the evaluation split (never used in training)."""
    return zlib.crc32(value.strip().lower().encode("utf-8")) % HELD_OUT_MODULUS == 0


def allowed(value: str, split: Split) -> bool:
    """Whether a pool value may appear in a corpus of the given split."""
    return split == "eval" or not is_held_out(value)
