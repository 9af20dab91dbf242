"""NER with a Hugging Face token-classification model from a local directory.

Two runtimes, one decoder: if the directory holds `model.onnx` (or `onnx/model.onnx`), ONNX
Runtime runs it (no PyTorch needed); otherwise transformers loads the model (PyTorch). Either
way the fast tokenizer gives character offsets and the same code turns per-token labels
(IOB2: B-PER, I-PER, O, or plain PER) into spans, like transformers' "simple" aggregation.
Nothing is downloaded: every file is read from the directory (`local_files_only=True`).

Needs the optional extra: ``pip install 'discreet[hf]'``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.detect.ner.base import NerBackend, NerLoadError
from discreet.detect.ner.labels import build_label_map

_EXTRA_HINT = "install the optional extra: pip install 'discreet[hf]'"
_MAX_TOKENS = 512
_STRIDE = 64

LogitsFn = Callable[[Mapping[str, Any]], Any]


class HuggingFaceBackend(NerBackend):
    """A local token-classification model (BERT, RoBERTa, XLM-R, DistilBERT, ...).

    Scores are the mean softmax probability of a span's tokens, so `min_score` is a real
    confidence cut-off here (unlike spaCy's fixed scores).
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        label_map: Mapping[str, EntityType] | None = None,
        min_score: float = 0.5,
        batch_size: int = 16,
        name: str = "ner:hf",
    ) -> None:
        self.name = name
        self.model_dir = Path(model_dir).expanduser()
        self.label_map = build_label_map(label_map)
        self.min_score = min_score
        self.batch_size = batch_size
        if not self.model_dir.is_dir():
            raise NerLoadError(f"Hugging Face model directory {self.model_dir} does not exist")
        self.id2label = _read_id2label(self.model_dir)
        self._lock = threading.Lock()
        self._np = _import("numpy")
        transformers = _import("transformers")
        try:
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(
                str(self.model_dir), local_files_only=True
            )
        except (OSError, ValueError) as exc:
            raise NerLoadError(
                f"no usable tokenizer in {self.model_dir}: {type(exc).__name__}"
            ) from exc
        if not getattr(self._tokenizer, "is_fast", False):
            raise NerLoadError(
                f"the tokenizer in {self.model_dir} is not a fast tokenizer (tokenizer.json); "
                "character offsets need one"
            )
        onnx_path = _find_onnx(self.model_dir)
        self.runtime = "onnx" if onnx_path else "transformers"
        self._logits = (
            _onnx_logits(onnx_path) if onnx_path else _torch_logits(transformers, self.model_dir)
        )

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = [[] for _ in texts]
        with self._lock:
            for begin in range(0, len(texts), self.batch_size):
                batch = list(texts[begin : begin + self.batch_size])
                for i, found in enumerate(self._predict_batch(batch)):
                    out[begin + i].extend(found)
        return out

    def _predict_batch(self, texts: list[str]) -> list[list[Finding]]:
        np = self._np
        enc = self._tokenizer(
            texts,
            return_offsets_mapping=True,
            return_overflowing_tokens=True,  # long texts become several windows
            stride=_STRIDE,
            truncation=True,
            max_length=_MAX_TOKENS,
            padding=True,
            return_tensors="np",
        )
        offsets = enc.pop("offset_mapping")
        windows = enc.pop("overflow_to_sample_mapping", None)
        logits = np.asarray(self._logits(enc), dtype=np.float32)
        logits -= logits.max(axis=-1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=-1, keepdims=True)
        out: list[list[Finding]] = [[] for _ in texts]
        for w in range(probs.shape[0]):
            sample = int(windows[w]) if windows is not None else w
            out[sample].extend(
                self._decode(probs[w], offsets[w], enc["attention_mask"][w], texts[sample])
            )
        return out

    def _decode(self, probs: Any, offsets: Any, mask: Any, text: str) -> list[Finding]:
        """Per-token tags → spans. IOB2/BIOES: B-/S- start a span, I-/E- continue one of the
        same type; plain labels ("PER") continue. A word piece glued to the previous token
        always continues it ("Jan" + "##sen")."""
        spans: list[tuple[int, int, str, list[float]]] = []
        for t in range(len(mask)):
            start, end = int(offsets[t][0]), int(offsets[t][1])
            if not mask[t] or start == end:  # padding and special tokens
                continue
            label_id = int(probs[t].argmax())
            tag = self.id2label.get(label_id, "O")
            if tag.upper() == "O":
                continue
            prefix, sep, kind = tag.partition("-")
            if not sep:
                prefix, kind = "I", tag
            score = float(probs[t][label_id])
            if spans:
                p_start, p_end, p_kind, p_scores = spans[-1]
                gap = text[p_end:start]
                continues = prefix.upper() in ("I", "E") or gap == ""
                if p_kind == kind and continues and gap.strip() == "":
                    spans[-1] = (p_start, end, kind, [*p_scores, score])
                    continue
            spans.append((start, end, kind, [score]))
        found: list[Finding] = []
        for start, end, kind, scores in spans:
            etype = self.label_map.get(kind.upper())
            score = sum(scores) / len(scores)
            if etype is not None and score >= self.min_score:
                found.append(Finding(start, end, etype, score, self.name))
        return found


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise NerLoadError(
            f"the Hugging Face NER backend needs the {module!r} package; {_EXTRA_HINT}"
        ) from exc


def _read_id2label(model_dir: Path) -> dict[int, str]:
    config_path = model_dir / "config.json"
    if not config_path.is_file():
        raise NerLoadError(f"{model_dir} has no config.json (it holds the label names)")
    try:
        raw = json.loads(config_path.read_text(encoding="utf-8")).get("id2label") or {}
        return {int(k): str(v) for k, v in raw.items()}
    except (ValueError, AttributeError) as exc:
        raise NerLoadError(f"{config_path}: id2label is unreadable ({exc})") from None


def _find_onnx(model_dir: Path) -> Path | None:
    for candidate in (model_dir / "model.onnx", model_dir / "onnx" / "model.onnx"):
        if candidate.is_file():
            return candidate
    return None


def _onnx_logits(path: Path) -> LogitsFn:
    ort = _import("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    input_names = [i.name for i in session.get_inputs()]

    def run(enc: Mapping[str, Any]) -> Any:
        feed = {name: enc[name].astype("int64") for name in input_names if name in enc}
        return session.run(None, feed)[0]

    return run


def _torch_logits(transformers: Any, model_dir: Path) -> LogitsFn:
    try:
        torch = importlib.import_module("torch")
    except ImportError as exc:  # the [hf] extra brings ONNX Runtime, not PyTorch
        raise NerLoadError(
            f"{model_dir} has no model.onnx, so running it needs PyTorch (pip install torch); "
            "or export it to ONNX (e.g. with optimum) and ONNX Runtime runs it"
        ) from exc
    try:
        model = transformers.AutoModelForTokenClassification.from_pretrained(
            str(model_dir), local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise NerLoadError(
            f"no token-classification model in {model_dir} (and no model.onnx): "
            f"{type(exc).__name__}"
        ) from exc
    model.eval()
    # Not every architecture takes token_type_ids (DistilBERT, RoBERTa): pass what it names.
    accepted = set(inspect.signature(model.forward).parameters)

    def run(enc: Mapping[str, Any]) -> Any:
        with torch.no_grad():
            inputs = {k: torch.from_numpy(v) for k, v in enc.items() if k in accepted}
            return model(**inputs).logits.numpy()

    return run
