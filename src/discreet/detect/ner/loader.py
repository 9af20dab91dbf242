"""Build the NER backend a `NerConfig` names.

| backend   | model                                   | loads                               |
|-----------|-----------------------------------------|-------------------------------------|
| builtin   | (ignored)                               | the model shipped in this package   |
| spacy     | installed pipeline name, or a directory | `SpacyBackend`                      |
| hf        | local directory                         | `HuggingFaceBackend` (discreet[hf]) |
| none      | (ignored)                               | nothing: patterns and names only    |
"""

from __future__ import annotations

import threading
from pathlib import Path

from discreet.detect.config import NerConfig
from discreet.detect.ner.base import NerBackend, NerLoadError

BUILTIN_MODEL_DIR = Path(__file__).parent / "model"
"""discreet's own multilingual (en/nl/de/fr) spaCy NER model, built by training/train_ner.py."""


def load_backend(config: NerConfig) -> NerBackend | None:
    """The backend `config` asks for; `NerLoadError` with a fix when it cannot be loaded."""
    if config.backend == "none":
        return None
    if config.backend == "builtin":
        return load_builtin(config)
    if not config.model:
        raise NerLoadError(
            f"NerConfig.backend={config.backend!r} needs NerConfig.model "
            + (
                "(an installed spaCy pipeline name or a directory)"
                if config.backend == "spacy"
                else "(a local Hugging Face model directory)"
            )
        )
    if config.backend == "spacy":
        from discreet.detect.ner.spacy_backend import SpacyBackend

        return SpacyBackend(
            config.model, label_map=config.label_map, min_score=config.floor, name="ner:spacy"
        )
    if config.backend == "hf":
        from discreet.detect.ner.hf_backend import HuggingFaceBackend

        return HuggingFaceBackend(
            config.model, label_map=config.label_map, min_score=config.floor, name="ner:hf"
        )
    raise NerLoadError(f"unknown NER backend {config.backend!r}; use builtin, spacy, hf or none")


# One loaded built-in model per process and settings: every `Detector()` would otherwise
# spend half a second and ~20 MB loading its own copy. Backends are thread-safe to share.
_builtin_cache: dict[tuple[object, ...], NerBackend] = {}
_builtin_lock = threading.Lock()


def load_builtin(config: NerConfig | None = None) -> NerBackend:
    """The shipped model. A missing model is a broken installation, said as much."""
    config = config or NerConfig()
    key = (
        str(BUILTIN_MODEL_DIR),
        config.floor,
        tuple(sorted((k, v.value) for k, v in config.label_map.items())),
        tuple(sorted(config.recall_bias.items())),
        tuple(sorted(config.informal_recall_bias.items())),
    )
    with _builtin_lock:
        backend = _builtin_cache.get(key)
        if backend is None:
            backend = _builtin_cache[key] = _load_builtin(config)
    return backend


def _load_builtin(config: NerConfig) -> NerBackend:
    from discreet.detect.ner.spacy_backend import SpacyBackend

    if not (BUILTIN_MODEL_DIR / "config.cfg").is_file():
        raise NerLoadError(
            f"the built-in NER model is missing from {BUILTIN_MODEL_DIR}; reinstall discreet, "
            "rebuild it with `python training/train_ner.py --out "
            "src/discreet/detect/ner/model`, or set ner.backend to spacy, hf or none"
        )
    from discreet.detect.ner.calibration import Calibration

    return SpacyBackend(
        BUILTIN_MODEL_DIR,
        label_map=config.label_map,
        min_score=config.floor,
        name="ner:builtin",
        plugins=False,
        calibration=Calibration.load(BUILTIN_MODEL_DIR),
        recall_bias=config.recall_bias,
        informal_recall_bias=config.informal_recall_bias,
    )
