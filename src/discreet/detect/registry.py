"""The recognizer registry: which recognizers a `Detector` runs.

Built-in recognizers register themselves with `@builtin` in their own module under
`discreet.detect.recognizers`; every module there is imported on first use, so adding a
recognizer touches exactly one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from discreet.detect.base import Recognizer
from discreet.detect.entities import EntityType

RecognizerFactory = Callable[[], Recognizer]
F = TypeVar("F", bound=RecognizerFactory)

_BUILTIN_FACTORIES: list[RecognizerFactory] = []
_discovered = False


def builtin(factory: F) -> F:
    """Register a zero-argument factory (usually the class itself) as a built-in recognizer."""
    _BUILTIN_FACTORIES.append(factory)
    return factory


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    import discreet.detect.recognizers as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    _discovered = True


class RecognizerRegistry:
    def __init__(self, recognizers: Iterable[Recognizer] = ()) -> None:
        self._recognizers: dict[str, Recognizer] = {}
        for recognizer in recognizers:
            self.add(recognizer)

    @classmethod
    def default(cls) -> RecognizerRegistry:
        """All built-in recognizers (the NER backend is added by the `Detector`)."""
        _discover()
        # By module name, then in the order a module defines them: the order must not depend
        # on which module some other code happened to import first, since findings that tie
        # in a merge keep the first recognizer's name (and "known_subject" must win there).
        ordered = sorted(enumerate(_BUILTIN_FACTORIES), key=lambda p: (p[1].__module__, p[0]))
        return cls(factory() for _, factory in ordered)

    def add(self, recognizer: Recognizer) -> None:
        if not recognizer.name:
            raise ValueError(f"{type(recognizer).__name__} has no name")
        if recognizer.name in self._recognizers:
            raise ValueError(f"a recognizer named {recognizer.name!r} is already registered")
        self._recognizers[recognizer.name] = recognizer

    def remove(self, name: str) -> None:
        if name not in self._recognizers:
            raise KeyError(f"no recognizer named {name!r}; have: {', '.join(self.names())}")
        del self._recognizers[name]

    def get(self, name: str) -> Recognizer:
        return self._recognizers[name]

    def names(self) -> list[str]:
        return sorted(self._recognizers)

    def for_language(
        self, language: str, entity_types: frozenset[EntityType] | None = None
    ) -> list[Recognizer]:
        return [
            r
            for r in self._recognizers.values()
            if r.supports(language) and (entity_types is None or r.entity_types & entity_types)
        ]

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self._recognizers.values())

    def __len__(self) -> int:
        return len(self._recognizers)
