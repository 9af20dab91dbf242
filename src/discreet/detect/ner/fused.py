"""The built-in entity tagger's forward pass in a few array operations.

The shipped model is small (a hash embedding of five token attributes, three windowed
maxout layers 64 wide, a softmax over 15 tags), so on a chat message thinc's general
machinery costs far more than the arithmetic: each of its ~25 layers is a Python call
that also builds a backward-pass closure, and the layer norms go through NumPy's generic
mean and variance. This module reads the weights out of the loaded spaCy pipeline and
runs the same operations, in the same order and with thinc's own kernels where thinc has
them (hashing, embedding sums, windowing), on whole batches at once.

It only takes over for a pipeline whose layers match that architecture exactly, and only
after it has given the same tags as spaCy on probe texts when it is built; any other
pipeline, or a thinc release that computes differently, keeps spaCy's own path (see
`FusedTagger.from_pipeline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Texts the equivalence check at load time runs through both paths: names, addresses,
# places and companies in the four languages, tokens, digits, and an empty text.
_PROBES = (
    "Hello, my name is Annemarie de Vries and I live at Dorpsstraat 12, 3511 AB Utrecht.",
    "Mijn naam is Pieter Bakker, Kerkweg 3 in Zwolle. Bestelling bij Bol.com.",
    "Ich heiße Jürgen Müller und wohne in der Hauptstraße 5, 10115 Berlin.",
    "Je m'appelle Élodie Martin, 12 rue Victor Hugo, 33000 Bordeaux. Merci!",
    "Thanks [PERSON_1], your order [ORDER_ID_1] ships to [STREET_ADDRESS_1] on Friday.",
    "ok",
    "",
)


BOOSTED_LABELS = ("-PERSON", "-LOCATION")
"""The tags (any of B, I, L, U) a recall bias raises: names and places, the values that
leak; organisations are not personal data and street addresses have their recognizer."""

_CACHED_TOKENS = 1 << 15
"""Distinct tokens whose first-layer output is kept (8 MB at width 64)."""


@dataclass(frozen=True, slots=True)
class _HashEmbed:
    """One attribute's hash embedding, already multiplied by its block of the first
    maxout layer's weights: that layer is linear in the summed embedding rows, so
    summing projected rows gives its product without computing it (the largest of the
    model's matrix products, 40 % of its arithmetic)."""

    column: int
    seed: int
    projected: Any  # (rows, pieces * width) float32


@dataclass(frozen=True, slots=True)
class _Maxout:
    """thinc's Maxout(normalize=True): an affine map to `pieces` candidates per output,
    their maximum, then a layer norm. The weights are stored piece-major, so that the
    maximum runs over contiguous column blocks (NumPy's max over a trailing axis of
    2-3 elements was a third of the whole pass)."""

    weights: Any  # (pieces * width, inputs): piece p's rows at [p * width, (p + 1) * width)
    bias: Any  # (pieces * width,)
    width: int
    pieces: int
    gain: Any  # layer norm scale (width,)
    shift: Any  # layer norm shift (width,)

    def __call__(self, x: Any) -> Any:
        return self.activate(x @ self.weights.T)

    def activate(self, y: Any) -> Any:
        """The rest of the layer after the matrix product `y` (modified in place)."""
        y += self.bias
        w = self.width
        best = y[:, :w]
        for piece in range(1, self.pieces):
            best = np.maximum(best, y[:, piece * w : (piece + 1) * w])
        # thinc's layer norm (mean, variance + 1e-8, scale, shift), with the same sums:
        # NumPy's mean and var are add.reduce and a division inside, at twice the cost.
        mu = np.add.reduce(best, axis=1, keepdims=True)
        mu /= w
        centred = best - mu
        var = np.add.reduce(centred * centred, axis=1, keepdims=True)
        var /= w
        var += 1e-08
        centred *= var ** (-1.0 / 2.0)
        centred *= self.gain
        centred += self.shift
        return centred


class FusedTagger:
    """Tag indices per token for spaCy docs, computed as the pipeline's tok2vec and
    entity tagger would, without going through thinc's layers. Build it with
    `from_pipeline`; not thread-safe on its own (the backend runs one batch at a time)."""

    def __init__(
        self,
        ops: Any,
        columns: list[Any],
        embeds: list[_HashEmbed],
        reduce: _Maxout,
        layers: list[_Maxout],
        window: int,
        pad: int,
        softmax: tuple[Any, Any],
        labels: Sequence[str],
    ) -> None:
        self.labels = tuple(labels)
        self.columns: tuple[str, ...] = tuple(columns)
        """The token attributes the pass reads from each doc (`Doc.to_array`)."""
        self._ops = ops
        self._columns = columns
        self._embeds = embeds
        self._reduce = reduce
        self._layers = layers
        self._window = window
        self._pad = pad
        self._softmax_w, self._softmax_b = softmax
        # The tags a recall bias favours: names' and places' (see `predict`).
        self._boosted = np.array(
            [i for i, label in enumerate(self.labels) if label.endswith(BOOSTED_LABELS)],
            dtype="int64",
        )
        self._cache: dict[tuple[int, ...], int] = {}
        self._store = np.zeros((_CACHED_TOKENS, reduce.width), dtype=reduce.gain.dtype)

    @classmethod
    def from_pipeline(cls, nlp: Any, tok2vec: str, tagger: str) -> FusedTagger | None:
        """A fused tagger for `nlp`'s `tok2vec` and `tagger` components, or None when
        their architecture is not the one this module implements or its tags differ from
        spaCy's on the probe texts (spaCy's own path is then used)."""
        try:
            labels = nlp.get_pipe(tagger).labels
            fused = cls._extract(nlp.get_pipe(tok2vec).model, nlp.get_pipe(tagger).model, labels)
        except (KeyError, ValueError, AttributeError, TypeError, IndexError):
            return None
        if fused is None:
            return None
        docs = [nlp(text) for text in _PROBES]
        for doc, tags in zip(docs, fused.tag(docs), strict=True):
            if [labels[i] for i in tags] != [t.tag_ for t in doc]:
                return None
        return fused

    @classmethod
    def _extract(cls, tok2vec: Any, tagger: Any, labels: Sequence[str]) -> FusedTagger | None:
        """Read the weights if the layers are exactly: extract_features >> list2ragged
        >> with_array(concatenate of hashembeds) >> with_array(maxout >> layernorm >>
        dropout) >> ragged2list >> with_array(residual(expand_window >> maxout >>
        layernorm >> dropout) x depth, pad); tagger: tok2vec-listener >> with_array(softmax)."""
        if len(tok2vec.layers) != 2:
            return None
        embed, encode = tok2vec.layers
        parts = embed.layers
        if [p.name for p in parts[:2]] != ["extract_features", "list2ragged"]:
            return None
        if len(parts) != 5 or parts[4].name != "ragged2list":
            return None
        columns = list(parts[0].attrs["columns"])
        reduce = _maxout(parts[3].layers[0])
        embeds: list[_HashEmbed] = []
        offset = 0
        for branch in parts[2].layers[0].layers:
            getitem, hashembed = branch.layers
            if (getitem.name, hashembed.name) != ("ints-getitem", "hashembed"):
                return None
            table = hashembed.get_param("E")
            block = reduce.weights[:, offset : offset + table.shape[1]]
            offset += table.shape[1]
            embeds.append(
                _HashEmbed(
                    int(hashembed.attrs["column"]),
                    int(hashembed.attrs["seed"]),
                    np.ascontiguousarray(table @ block.T),
                )
            )
        if len(embeds) != len(columns) or offset != reduce.weights.shape[1]:
            return None
        if encode.name.split("(", 1)[0] != "with_array":
            return None
        pad = int(encode.attrs["pad"])
        layers: list[_Maxout] = []
        window: int | None = None
        for residual in encode.layers[0].layers:
            if residual.name.split("(", 1)[0] != "residual":
                return None
            block = residual.layers[0].layers
            if len(block) != 2 or block[0].name != "expand_window":
                return None
            expand, rest = block
            size = int(expand.attrs["window_size"])
            if window not in (None, size):
                return None
            window = size
            layers.append(_maxout(rest))
        if window is None or not layers:
            return None
        listener, softmax_layer = tagger.layers
        if listener.name != "tok2vec-listener" or softmax_layer.name != "with_array(softmax)":
            return None
        softmax = softmax_layer.layers[0]
        return cls(
            tok2vec.ops,
            columns,
            embeds,
            reduce,
            layers,
            window,
            pad,
            (softmax.get_param("W"), softmax.get_param("b")),
            labels,
        )

    def _embed(self, features: Any) -> Any:
        """The first layer's output for rows of token features: embedding sums, maxout,
        layer norm. Each row depends on its own features only."""
        product = None
        for e in self._embeds:
            keys = self._ops.hash(np.ascontiguousarray(features[:, e.column]), e.seed)
            rows = self._ops.gather_add(e.projected, keys % e.projected.shape[0])
            product = rows if product is None else product + rows
        return self._reduce.activate(product)

    def _embedded(self, features: Any) -> Any:
        """`_embed` of every row, computed once per distinct feature tuple and kept: a
        token's features (its norm, prefix, suffix, shape and lexeme feature) repeat across
        texts ("the", "order", "Dear"), and a hash-table gather per attribute and token was
        the largest single cost of the pass. The cache is emptied when full."""
        keys = list(zip(*features.T.tolist(), strict=True))  # tuples built in C
        cache = self._cache
        new: dict[tuple[int, ...], int] = {}
        for i, key in enumerate(keys):
            if key not in cache and key not in new:
                new[key] = i
        if len(cache) + len(new) > len(self._store):
            cache.clear()
            new = {}
            for i, key in enumerate(keys):
                new.setdefault(key, i)
            if len(new) > len(self._store):
                return self._embed(features)
        if new:
            fresh = self._embed(features[list(new.values())])
            first = len(cache)
            self._store[first : first + len(new)] = fresh
            cache.update(zip(new, range(first, first + len(new)), strict=True))
        return self._store[[cache[key] for key in keys]]

    def _choose(self, logits: Any, lengths: Sequence[int], biases: Sequence[float] | None) -> Any:
        """Each row's tag: the largest logit, names' and places' raised by their doc's
        bias. The probabilities reported stay the model's own (the bias only decides
        which tag is chosen), so calibration maps the same numbers whatever the bias."""
        if biases is None or not any(biases) or not len(self._boosted):
            return logits.argmax(axis=1)
        leaning = logits.copy()
        row = self._pad
        for n, bias in zip(lengths, biases, strict=True):
            if not n:
                continue
            if bias:
                leaning[row : row + n, self._boosted] += bias
            row += n + self._pad
        return leaning.argmax(axis=1)

    def tag(self, docs: Sequence[Any]) -> list[Any]:
        """One array of tag indices (into the tagger's `labels`) per doc."""
        return [tags for tags, _ in self.predict(docs)]

    def predict(
        self, docs: Sequence[Any], biases: Sequence[float] | None = None
    ) -> list[tuple[Any, Any]]:
        """Per doc: the tag indices (into the tagger's `labels`) and each tag's softmax
        probability (what the tagger gives the tag it chose: a token-level confidence).

        `biases`, one per doc (default none): log-odds added to the PERSON and LOCATION
        tags' scores before each token's tag is chosen (see `_choose`).
        The tagger was trained to be as often right as wrong on its own; where a missed
        name leaks and an extra placeholder costs little, the choice may lean towards
        names (see `NerConfig.recall_bias`)."""
        lengths = [len(doc) for doc in docs]
        present = [doc for doc, n in zip(docs, lengths, strict=True) if n]
        empty = (np.zeros(0, dtype="int64"), np.zeros(0, dtype="float32"))
        if not present:
            return [empty for _ in docs]
        ops = self._ops
        features = np.concatenate(
            [np.asarray(doc.to_array(self._columns), dtype="uint64") for doc in present]
        )
        hidden = self._embedded(features)
        # The encoder sees the docs one after another with `pad` zero rows around each,
        # as thinc's with_array(pad=...) lays them out; the padding rows go through the
        # layers too and reach the edge tokens through the windows, so they must be there.
        pad = self._pad
        width = hidden.shape[1]
        blocks: list[Any] = []
        offset = 0
        for n in (n for n in lengths if n):
            blocks.append(np.zeros((pad, width), dtype=hidden.dtype))
            blocks.append(hidden[offset : offset + n])
            offset += n
        blocks.append(np.zeros((pad, width), dtype=hidden.dtype))
        flat = np.concatenate(blocks)
        for layer in self._layers:
            flat = flat + layer(ops.seq2col(flat, self._window))
        logits = flat @ self._softmax_w.T
        logits += self._softmax_b
        best = self._choose(logits, lengths, biases)
        # The chosen tag's probability, exp(its logit - max logit) / sum(exp(logit - max
        # logit)), without the full softmax: its other 14 columns are never read.
        logits -= logits.max(axis=1, keepdims=True)
        chosen = np.exp(logits[np.arange(len(best)), best]) / np.exp(logits).sum(axis=1)
        out: list[tuple[Any, Any]] = []
        row = pad
        for n in lengths:
            if not n:
                out.append(empty)
                continue
            out.append((best[row : row + n], chosen[row : row + n]))
            row += n + pad
        return out


def _in_order(chain: Any) -> list[Any]:
    """The leaf layers of nested thinc chains, in the order they run."""
    if ">>" not in chain.name:
        return [chain]
    return [leaf for layer in chain.layers for leaf in _in_order(layer)]


def _maxout(chain: Any) -> _Maxout:
    """A maxout >> layernorm >> dropout chain (thinc's Maxout with normalize=True)."""
    nodes = _in_order(chain)
    names = [node.name for node in nodes]
    if names != ["maxout", "layernorm", "dropout"]:
        raise ValueError(f"unexpected maxout block {names}")
    maxout, norm, _dropout = nodes
    width, pieces, inputs = maxout.get_param("W").shape
    # thinc's W is (width, pieces, inputs); piece-major order puts each piece's rows together.
    weights = maxout.get_param("W").transpose(1, 0, 2).reshape((pieces * width, inputs))
    bias = maxout.get_param("b").T.reshape((pieces * width,))
    return _Maxout(
        np.ascontiguousarray(weights),
        np.ascontiguousarray(bias),
        width,
        pieces,
        norm.get_param("G"),
        norm.get_param("b"),
    )


__all__ = ["FusedTagger"]
