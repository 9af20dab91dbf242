"""Public human-annotated NER corpora: readers, the catalogue, and the no-test-split rule.

discreet measures itself on text it did not write. This module turns the token-per-line
formats those corpora come in into the project's own `LabelledText` (exact character
offsets, taxonomy types), so the benchmark and the trainer score and learn from them like
any generated text:

* ``conll``: CoNLL-2002/2003 columns, token first, NER tag last, ``-DOCSTART-`` between
  articles; IOB1 (``I-`` may open an entity) and IOB2 (``B-`` always does) both read right.
* ``wikineural``: WikiNEuRal's ``index<TAB>token<TAB>tag``.
* ``conllu``: CoNLL-U-like files with an NER column (Universal NER's ``.iob2``: ``id``,
  ``token``, ``tag``, ...), whose ``# text =`` comment gives the sentence as written;
  tokens are placed on that text, so the spacing is the author's, not a reconstruction.
* ``germeval``: GermEval 2014's ``index<TAB>token<TAB>outer tag<TAB>inner tag`` (outer
  level used); each sentence comes from another article (its ``#`` line names the source),
  so each is a text of its own.
* ``wnut``: WNUT-17's ``token<TAB>tag`` with lower-case kinds (``B-person``); each sentence
  is one tweet, comment or post, so each is a text of its own.
* ``wikiann``: WikiANN's columns as WikiNEuRal's; each sentence is a fragment of another
  Wikipedia page (no article marks), so each is a text of its own.

A file whose Latin-1 text was once decoded with the wrong codec (CoNLL-2003 German's train
file reads "Mьnchen", "Straяe": Mac Cyrillic) names that codec in its catalogue entry, and
`repair_text` turns it back before anything is read.

Types: PER → PERSON, LOC → LOCATION, ORG → ORGANIZATION (WNUT-17: person → PERSON,
location → LOCATION). Everything else (MISC, OTH, GermEval's ``deriv``/``part`` kinds such
as "deutsche" or "EU-Kommission", WNUT-17's group, corporation, product and creative-work)
is not a person, a place or an organisation in discreet's sense and is left unlabelled.

**The rule.** Test splits are kept for an external check: nothing here reads a file whose
name looks like one (``test``, ``testa``, ``testb``, ``*-test.*``), nor presidio-research's
evaluation data. `check_allowed` raises `TestSplitRefused` for such a path before anything
is opened; the fetch script and every reader call it. Train splits train, dev splits
measure and choose.

Runtime code never imports this module (see ARCHITECTURE.md: evaluation/ is not imported
by runtime code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from discreet.detect.entities import EntityType
from discreet.errors import InvalidInput, NotFound
from discreet.evaluation.corpus import LabelledSpan, LabelledText

Format = Literal["conll", "wikineural", "conllu", "germeval", "wnut", "wikiann"]
FORMATS: tuple[Format, ...] = ("conll", "wikineural", "conllu", "germeval", "wnut", "wikiann")
_SENTENCE_IS_A_TEXT: frozenset[Format] = frozenset({"germeval", "wnut", "wikiann"})
"""Formats whose sentences are unrelated to each other (sampled from many articles, or one
post each): joining them would give a name the context of a stranger's text."""

TAG_TYPES: dict[str, EntityType] = {
    "PER": EntityType.PERSON,
    "PERSON": EntityType.PERSON,
    "LOC": EntityType.LOCATION,
    "ORG": EntityType.ORGANIZATION,
    "person": EntityType.PERSON,  # WNUT-17
    "location": EntityType.LOCATION,
}
"""Corpus entity kinds → taxonomy. Kinds not here (MISC, OTH, LOCderiv, ...) stay unlabelled."""

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[3] / "training" / "corpus"
"""Where `training/fetch_corpora.py` puts the extracted files (git-ignored)."""

# A path component that names a test split: "test", "testa", "testb", "eng.testb",
# "en_ewt-ud-test.iob2", "test.conllu", "NER-de-test.tsv". "contest" or "latest" do not
# match: "test" must stand at the start of the name or after a separator.
_TEST_NAME = re.compile(r"(?:^|[._\-/\\ ])test(?:[ab])?(?:$|[._\-/\\ \d])", re.IGNORECASE)
_TEST_FOLDERS = frozenset({"test", "testa", "testb", "tests", "testing"})
_FORBIDDEN_SOURCES = re.compile(r"presidio[-_]?(?:research|evaluator)", re.IGNORECASE)


class TestSplitRefused(InvalidInput):
    """A path that looks like a test split (or presidio-research's data) was asked for."""

    code = "test_split_refused"
    __test__ = False  # a name pytest would otherwise try to collect


class CorpusFormatError(InvalidInput, code="corpus_format"):
    """A corpus file does not have the shape its format says; the message names file and line."""


class CorpusMissing(NotFound, code="corpus_missing"):
    """A catalogue corpus has not been fetched into the corpus directory."""


def looks_like_test_split(path: str | Path) -> bool:
    """True for a path whose file name or folder looks like a test split, or that points
    into presidio-research's data. Only the last two names are looked at: a split lives in
    a file ("eng.testb") or a folder ("test/part1.txt"), while the folders above belong to
    whoever keeps the corpus (and may well be called "tests")."""
    parts = Path(path).parts
    folder = parts[-2].lower() if len(parts) > 1 else ""
    return bool(
        (parts and _TEST_NAME.search(parts[-1]))
        or folder in _TEST_FOLDERS
        or _FORBIDDEN_SOURCES.search(str(path))
    )


def check_allowed(path: str | Path) -> None:
    """Refuse test splits before anything is opened (the project's no-test-split rule)."""
    if looks_like_test_split(path):
        raise TestSplitRefused(
            f"refused: {path} looks like a test split (or presidio-research's data); "
            "test splits are kept for an external check and never read by the project"
        )


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    """One IOB tag per token, as in the file ("B-PER", "I-LOC", "O")."""
    text: str | None = None
    """The sentence as written (CoNLL-U's ``# text =``), when the file gives it."""
    doc_start: bool = False
    """The first sentence of a new article (after ``-DOCSTART-`` or ``# newdoc``)."""


def _columns(fmt: Format) -> tuple[int, int]:
    """(token column, tag column) of a format; -1 is the last column."""
    return {
        "conll": (0, -1),
        "wikineural": (1, 2),
        "wikiann": (1, 2),
        "conllu": (1, 2),
        "germeval": (1, 2),
        "wnut": (0, -1),
    }[fmt]


def read_sentences(
    lines: Iterable[str], fmt: Format, *, source: str = "<text>"
) -> Iterator[Sentence]:
    """Sentences of a token-per-line file. Errors name `source` and the line, never a token."""
    if fmt not in FORMATS:
        raise CorpusFormatError(f"unknown corpus format {fmt!r}; one of {', '.join(FORMATS)}")
    token_col, tag_col = _columns(fmt)
    tokens: list[str] = []
    tags: list[str] = []
    text: str | None = None
    new_doc = True
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if tokens:
                yield Sentence(tuple(tokens), tuple(tags), text, new_doc)
                new_doc = fmt in _SENTENCE_IS_A_TEXT
            tokens, tags, text = [], [], None
            continue
        if line.startswith("#") and fmt in ("conllu", "germeval"):
            if line.startswith("# text = ") and fmt == "conllu":
                text = line[len("# text = ") :]
            elif line.startswith("# newdoc"):
                new_doc = True
            continue
        # WNUT-17 is tab-separated like the others: a tweet's token may hold a space.
        cols = line.split("\t") if fmt != "conll" else line.split()
        if len(cols) < 2 or (tag_col >= 0 and len(cols) <= tag_col):
            raise CorpusFormatError(f"{source}: line {lineno}: expected a token and a tag column")
        if cols[token_col] == "-DOCSTART-":  # an article boundary, not a token
            if tokens:
                yield Sentence(tuple(tokens), tuple(tags), text, new_doc)
                tokens, tags, text = [], [], None
            new_doc = True
            continue
        if fmt == "conllu" and not cols[0].isdigit():
            continue  # multi-word token ranges ("3-4") and empty nodes ("3.1")
        tag = cols[tag_col].strip()
        if tag != "O" and not re.fullmatch(r"[BIES]-\S+", tag):
            raise CorpusFormatError(f"{source}: line {lineno}: not an IOB tag")
        tokens.append(cols[token_col])
        tags.append(tag)
    if tokens:
        yield Sentence(tuple(tokens), tuple(tags), text, new_doc)


def entity_tokens(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, kind) of each entity, for IOB1 and IOB2 alike.

    ``B-X`` always opens an entity; ``I-X`` opens one unless it continues an entity of kind
    X (IOB1 files use ``I-`` for most entities, ``B-`` only between two adjacent ones).
    ``E-``/``S-`` (IOBES) close one.
    """
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    kind = ""
    for i, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix == "O" or (prefix in ("B", "S")) or (prefix in ("I", "E") and label != kind):
            if start is not None:
                out.append((start, i, kind))
            start, kind = (None, "") if prefix == "O" else (i, label)
        if prefix in ("E", "S") and start is not None:
            out.append((start, i + 1, kind))
            start, kind = None, ""
    if start is not None:
        out.append((start, len(tags), kind))
    return out


_NO_SPACE_BEFORE = frozenset({",", ".", ":", ";", "!", "?", ")", "]", "}", "%", "'s", "n't", "'"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "€", "£"})


def _place_tokens(sentence: Sentence) -> tuple[str, list[tuple[int, int]]]:
    """The sentence's text and each token's (start, end) in it.

    With the author's text (CoNLL-U), tokens are found in it left to right; otherwise the
    text is rebuilt with the usual spacing (none before "," "." ")" and after "(").
    """
    if sentence.text is not None:
        offsets: list[tuple[int, int]] = []
        pos = 0
        for tok in sentence.tokens:
            at = sentence.text.find(tok, pos)
            if at < 0:
                break
            offsets.append((at, at + len(tok)))
            pos = at + len(tok)
        else:
            return sentence.text, offsets
    parts: list[str] = []
    offsets = []
    length = 0
    prev = ""
    for tok in sentence.tokens:
        if parts and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER:
            parts.append(" ")
            length += 1
        offsets.append((length, length + len(tok)))
        parts.append(tok)
        length += len(tok)
        prev = tok
    return "".join(parts), offsets


def sentence_spans(sentence: Sentence) -> tuple[str, list[LabelledSpan]]:
    text, offsets = _place_tokens(sentence)
    spans = [
        LabelledSpan(offsets[a][0], offsets[b - 1][1], TAG_TYPES[kind])
        for a, b, kind in entity_tokens(sentence.tags)
        if kind in TAG_TYPES
    ]
    return text, spans


def to_texts(
    sentences: Iterable[Sentence],
    *,
    language: str,
    prefix: str,
    max_chars: int = 400,
) -> list[LabelledText]:
    """Consecutive sentences of one article joined into texts of up to `max_chars`.

    About the length of a customer message, and the context around a name is the article's
    own. A sentence longer than `max_chars` is a text by itself.
    """
    out: list[LabelledText] = []
    buf: list[str] = []
    spans: list[LabelledSpan] = []
    length = 0

    def flush() -> None:
        nonlocal buf, spans, length
        if buf:
            out.append(
                LabelledText(
                    id=f"{prefix}-{len(out)}",
                    text=" ".join(buf),
                    language=language,
                    kind="corpus",
                    spans=tuple(spans),
                )
            )
        buf, spans, length = [], [], 0

    for sentence in sentences:
        text, sent_spans = sentence_spans(sentence)
        if not text.strip():
            continue
        if sentence.doc_start or (buf and length + 1 + len(text) > max_chars):
            flush()
        offset = length + 1 if buf else 0
        buf.append(text)
        spans.extend(LabelledSpan(s.start + offset, s.end + offset, s.type) for s in sent_spans)
        length = offset + len(text)
    flush()
    return out


def read_file(
    path: str | Path, fmt: Format, *, language: str, max_chars: int = 400
) -> list[LabelledText]:
    """Read one corpus file (never a test split: `check_allowed` runs first)."""
    check_allowed(path)
    p = Path(path)
    with p.open(encoding="utf-8") as fh:
        return to_texts(
            read_sentences(fh, fmt, source=p.name),
            language=language,
            prefix=p.stem,
            max_chars=max_chars,
        )


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicCorpus:
    """One language of one public corpus, as `training/fetch_corpora.py` extracts it."""

    name: str
    language: str
    domain: str
    fmt: Format
    repo: str
    commit: str
    licence: str
    train: str | None
    """Path in the repository of the train split; None where the mirror lacks it."""
    dev: str
    """Path in the repository of the dev/validation split."""
    carve_train: float = 0.0
    """Where the train file is missing from every mirror: the share of the dev file's
    sentences (the leading ones, whole articles kept together) used for training instead;
    the rest stays the dev split. 0: the dev file is only measured on."""
    misdecoded: str | None = None
    """The codec the files' Latin-1 text was wrongly decoded with on its way into the
    repository (see `repair_text`); None: the text is as written."""
    silver: bool = False
    """Annotated by a program, not by people (WikiANN: from Wikipedia's links). Trained on
    only when asked (`--real`); measured by `benchmarks/bench_public.py --only NAME`, never
    by default, and never used to fit the score calibration: its labels miss and misplace
    too many names to say what a right finding is."""
    permissive: bool = False
    """Its licence lets anyone, companies included, use a model trained on it (CC BY,
    CC BY-SA: attribution, and for BY-SA share-alike), unlike research-only or NC data.
    `training/train_ner.py --licence permissive` trains on these alone."""

    def local(self, split: Literal["train", "dev"], root: Path = DEFAULT_CORPUS_DIR) -> Path:
        source = self.dev if split == "dev" or self.carve_train else self.train
        if source is None:
            raise CorpusMissing(f"{self.name} has no train split in its source")
        return root / self.name / Path(source).name


_WN = "Babelscape/wikineural"
_WN_COMMIT = "d2e28c770cba2b285e742529ae18ed849e336c65"
_UNER = "UniversalNER/UNER_English-EWT"
_UNER_COMMIT = "8ed072de2fd24022cc62458997fe96a8fe191ea4"
_WNUT = "leondz/emerging_entities_17"
_WNUT_COMMIT = "e52a2d2a71ac1a051ca2d532eef28653c5c02603"
_GERMEVAL = "viniciusrpb/cloud_image_classification"
_GERMEVAL_COMMIT = "48fd5685a974f4e6fb457e178ebceb2862605545"
_GERMEVAL_LICENCE = (
    "CC BY 4.0 (GermEval 2014 shared task); the copy's repository states no licence for "
    "the data (its LICENSE, GPL-3.0, is for its own code)"
)
_WN_LICENCE = "CC BY-NC-SA 4.0 (research use; not redistributed here)"
_WIKIANN_LICENCE = (
    "WikiANN (Pan et al., 2017; the XTREME split): annotated automatically from Wikipedia "
    "links, text CC BY-SA; the copy's repository states no licence of its own for it"
)
_CONLL_LICENCE = (
    "CoNLL-2002/2003 shared-task data: research use only (Reuters / ECI / De Morgen texts)"
)

CATALOGUE: dict[str, PublicCorpus] = {
    c.name: c
    for c in (
        PublicCorpus(
            "conll2003-en", "en", "news (Reuters)", "wikineural", _WN, _WN_COMMIT,
            _CONLL_LICENCE, "data/conll/en/train.conllu", "data/conll/en/val.conllu",
        ),
        PublicCorpus(
            "conll2003-de", "de", "news (Frankfurter Rundschau)", "wikineural", _WN, _WN_COMMIT,
            _CONLL_LICENCE, "data/conll/de/train.conllu", "data/conll/de/val.conllu",
            # The train file's umlauts read "ь д ц я" (Mac Cyrillic); the dev file lost them
            # ("Mnchen"): that cannot be undone, and the dev figures carry it.
            misdecoded="mac_cyrillic",
        ),
        PublicCorpus(
            "conll2002-nl", "nl", "news (De Morgen)", "wikineural", _WN, _WN_COMMIT,
            _CONLL_LICENCE, "data/conll/nl/train.conllu", "data/conll/nl/val.conllu",
        ),
        PublicCorpus(
            "wikineural-en", "en", "Wikipedia", "wikineural", _WN, _WN_COMMIT, _WN_LICENCE,
            None, "data/wikineural/en/val.conllu", carve_train=0.7,
        ),
        PublicCorpus(
            "wikineural-de", "de", "Wikipedia", "wikineural", _WN, _WN_COMMIT, _WN_LICENCE,
            None, "data/wikineural/de/val.conllu", carve_train=0.7,
        ),
        PublicCorpus(
            "wikineural-nl", "nl", "Wikipedia", "wikineural", _WN, _WN_COMMIT, _WN_LICENCE,
            None, "data/wikineural/nl/val.conllu", carve_train=0.7,
        ),
        PublicCorpus(
            "wikineural-fr", "fr", "Wikipedia", "wikineural", _WN, _WN_COMMIT, _WN_LICENCE,
            None, "data/wikineural/fr/val.conllu", carve_train=0.7,
        ),
        *(
            PublicCorpus(
                f"wikiann-{lang}", lang, "Wikipedia fragments (silver: annotated from links)",
                "wikiann", _WN, _WN_COMMIT, _WIKIANN_LICENCE,
                f"data/wikiann/{lang}/train.conllu", f"data/wikiann/{lang}/val.conllu",
                silver=True,
            )
            for lang in ("en", "de", "nl")
        ),
        PublicCorpus(
            "uner-en-ewt", "en", "web text (e-mail, reviews, Q&A, blogs)", "conllu", _UNER,
            _UNER_COMMIT, "CC BY-SA 4.0 (the repository's LICENSE.txt)", None,
            "en_ewt-ud-dev.iob2", permissive=True,
        ),
        PublicCorpus(
            "wnut17-en", "en", "social media (tweets, Reddit, YouTube, StackOverflow)",
            "wnut", _WNUT, _WNUT_COMMIT, "CC BY 4.0 (the repository's README)",
            "wnut17train.conll", "emerging.dev.conll", permissive=True,
        ),
        PublicCorpus(
            "germeval2014-de", "de", "Wikipedia + news (GermEval 2014)", "germeval",
            _GERMEVAL, _GERMEVAL_COMMIT, _GERMEVAL_LICENCE, None, "NER-de-dev.tsv",
            permissive=True,
        ),
    )
}  # fmt: skip


def repair_text(text: str, misdecoded: str | None, *, source: str = "<text>") -> str:
    """`text` as its author wrote it, where its Latin-1 bytes were once decoded with the
    codec `misdecoded` ("Mьnchen" -> "München" for ``mac_cyrillic``); unchanged for None.

    Both codecs map one byte to one character, so the round trip is exact: ASCII stays as
    it is, and a character the wrong codec cannot have produced means the file is not what
    the catalogue says (an error naming the file and the line, never the text).
    """
    if misdecoded is None:
        return text
    try:
        return text.encode(misdecoded).decode("latin-1")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise CorpusFormatError(
            f"{source}: line {line}: a character {misdecoded} cannot encode; the file is "
            "not Latin-1 text misread as the catalogue says"
        ) from None


def get_corpus(name: str) -> PublicCorpus:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise CorpusMissing(
            f"unknown corpus {name!r}; known: {', '.join(sorted(CATALOGUE))}"
        ) from None


def _carve(sentences: list[Sentence], share: float) -> tuple[list[Sentence], list[Sentence]]:
    """Split at the first article start after `share` of the sentences (no article in both)."""
    cut = int(len(sentences) * share)
    while cut < len(sentences) and not sentences[cut].doc_start:
        cut += 1
    if cut >= len(sentences):  # no article marks: cut at the sentence
        cut = int(len(sentences) * share)
    return sentences[:cut], sentences[cut:]


def load_split(
    name: str,
    split: Literal["train", "dev"],
    *,
    root: Path = DEFAULT_CORPUS_DIR,
    max_chars: int = 400,
) -> list[LabelledText]:
    """A catalogue corpus's train or dev split as LabelledTexts (fetched beforehand)."""
    corpus = get_corpus(name)
    path = corpus.local(split, root)
    check_allowed(path)
    if not path.exists():
        raise CorpusMissing(
            f"{name} is not fetched ({path} is missing); run: python training/fetch_corpora.py"
        )
    lines = repair_text(path.read_text(encoding="utf-8"), corpus.misdecoded, source=path.name)
    # Split on "\n" alone, as reading the file did: a repaired Latin-1 text may hold
    # characters (NEL, U+0085) that `str.splitlines` would also break at.
    sentences = list(read_sentences(lines.split("\n"), corpus.fmt, source=path.name))
    if corpus.carve_train:
        train, dev = _carve(sentences, corpus.carve_train)
        sentences = train if split == "train" else dev
    return to_texts(
        sentences, language=corpus.language, prefix=f"{name}-{split}", max_chars=max_chars
    )


def human_annotated() -> list[str]:
    """Catalogue corpora whose labels people wrote (not `PublicCorpus.silver`): the ones
    the benchmark measures by default and the calibration is fitted on."""
    return [c.name for c in CATALOGUE.values() if not c.silver]


def trainable(*, permissive_only: bool = False) -> list[str]:
    """Catalogue corpora with a train split (their own, or one carved from the dev file);
    with `permissive_only`, only those whose licence allows commercial use of the model."""
    return [
        c.name
        for c in CATALOGUE.values()
        if (c.train is not None or c.carve_train) and (c.permissive or not permissive_only)
    ]
