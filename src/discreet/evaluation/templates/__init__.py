"""Per-language template packs for the synthetic customer-service corpus."""

from __future__ import annotations

from discreet.evaluation.templates.base import LanguagePack
from discreet.evaluation.templates.de import PACK as DE
from discreet.evaluation.templates.en import PACK as EN
from discreet.evaluation.templates.fr import PACK as FR
from discreet.evaluation.templates.nl import PACK as NL

PACKS: dict[str, LanguagePack] = {"en": EN, "nl": NL, "de": DE, "fr": FR}

__all__ = ["PACKS", "LanguagePack"]
