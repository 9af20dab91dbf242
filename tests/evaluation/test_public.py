"""Readers of public NER corpora, on small files written here in each format; the
no-test-split rule; and scoring of such text against counts worked out by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from discreet.detect.base import Finding
from discreet.detect.entities import EntityType
from discreet.errors import InvalidInput
from discreet.evaluation.bench import (
    PUBLIC_TYPES,
    by_language,
    public_sample,
    split_corpus_argument,
)
from discreet.evaluation.corpus import LabelledSpan, LabelledText
from discreet.evaluation.metrics import Counts, Span, evaluate
from discreet.evaluation.public import (
    CATALOGUE,
    CorpusFormatError,
    CorpusMissing,
    PublicCorpus,
    TestSplitRefused,
    check_allowed,
    entity_tokens,
    human_annotated,
    load_split,
    looks_like_test_split,
    read_file,
    repair_text,
    trainable,
)

P, L, ORG = EntityType.PERSON, EntityType.LOCATION, EntityType.ORGANIZATION


def _values(text: LabelledText) -> list[tuple[str, EntityType]]:
    return [(text.text[s.start : s.end], s.type) for s in text.spans]


# --- readers, one fixture per format ---------------------------------------------------------

CONLL_IOB1 = """\
-DOCSTART- -X- O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER
visited VBD I-VP O
Paris NNP I-NP I-LOC
, , O O
France NNP I-NP B-LOC
( ( O O
EU NNP I-NP I-ORG
) ) O O
. . O O

-DOCSTART- -X- O O

German JJ I-NP I-MISC
Anna NNP I-NP I-PER
's POS O O
car NN I-NP O
. . O O
"""


def test_conll_iob1_columns(tmp_path: Path) -> None:
    path = tmp_path / "eng.train"  # pytest's folder test_...: not a split
    path.write_text(CONLL_IOB1, encoding="utf-8")
    first, second = read_file(path, "conll", language="en")
    # IOB1: I- opens an entity; B- separates two adjacent ones of a kind ("Paris , France"
    # has a comma, but B-LOC must still open a new one). -DOCSTART- starts a new text.
    assert first.text == "Peter Blackburn visited Paris, France (EU)."
    assert _values(first) == [("Peter Blackburn", P), ("Paris", L), ("France", L), ("EU", ORG)]
    # MISC is not labelled; "'s" attaches to its word.
    assert second.text == "German Anna's car."
    assert _values(second) == [("Anna", P)]
    assert first.language == "en" and first.kind == "corpus"


def test_iob2_and_iobes_decoding() -> None:
    assert entity_tokens(["B-PER", "I-PER", "B-PER", "O", "I-LOC"]) == [
        (0, 2, "PER"),
        (2, 3, "PER"),
        (4, 5, "LOC"),
    ]
    assert entity_tokens(["B-ORG", "I-LOC"]) == [(0, 1, "ORG"), (1, 2, "LOC")]
    assert entity_tokens(["S-PER", "B-LOC", "E-LOC", "O"]) == [(0, 1, "PER"), (1, 3, "LOC")]


WIKINEURAL = (
    "0\tJan\tB-PER\n1\tde\tI-PER\n2\tVries\tI-PER\n3\twoont\tO\n4\tin\tO\n"
    "5\tUtrecht\tB-LOC\n6\t.\tO\n\n0\tKLM\tB-ORG\n1\tvliegt\tO\n2\t.\tO\n"
)


def test_wikineural_columns_join_sentences_of_a_text(tmp_path: Path) -> None:
    path = tmp_path / "val.conllu"
    path.write_text(WIKINEURAL, encoding="utf-8")
    (text,) = read_file(path, "wikineural", language="nl")
    assert text.text == "Jan de Vries woont in Utrecht. KLM vliegt."
    assert _values(text) == [("Jan de Vries", P), ("Utrecht", L), ("KLM", ORG)]
    # A small max_chars puts each sentence in its own text, offsets rebased.
    _one, two = read_file(path, "wikineural", language="nl", max_chars=10)
    assert _values(two) == [("KLM", ORG)] and two.spans[0].start == 0


CONLLU = """\
# newdoc id = reviews-1
# sent_id = reviews-1-0001
# text = ask nina at Joe's in new york, she's great!
1\task\tO\t-\t-
2\tnina\tB-PER\t-\t-
3\tat\tO\t-\t-
4\tJoe\tB-ORG\t-\t-
5\t's\tI-ORG\t-\t-
6\tin\tO\t-\t-
7\tnew\tB-LOC\t-\t-
8\tyork\tI-LOC\t-\t-
9\t,\tO\t-\t-
10-11\tshe's\t_\t_\t_
10\tshe\tO\t-\t-
11\t's\tO\t-\t-
12\tgreat\tO\t-\t-
13\t!\tO\t-\t-
"""


def test_conllu_keeps_the_authors_text(tmp_path: Path) -> None:
    path = tmp_path / "en_ewt-ud-dev.iob2"
    path.write_text(CONLLU, encoding="utf-8")
    (text,) = read_file(path, "conllu", language="en")
    # The "# text" line is the text (its own spacing: "Joe's", "york,"); the multi-word
    # token line "10-11" is skipped.
    assert text.text == "ask nina at Joe's in new york, she's great!"
    assert _values(text) == [("nina", P), ("Joe's", ORG), ("new york", L)]


GERMEVAL = """\
#\thttp://de.wikipedia.org/wiki/Beispiel\t[2010-01-01]\t
1\tAngela\tB-PER\tO
2\tMerkel\tI-PER\tO
3\tbesuchte\tO\tO
4\tdeutsche\tB-LOCderiv\tO
5\tFirmen\tO\tO
6\tin\tO\tO
7\tBerlin\tB-LOC\tB-ORG
8\t.\tO\tO

#\thttp://www.example.de/artikel/1.html\t[2010-07-04]\t
1\tDie\tO\tO
2\tEU-Kommission\tB-ORGpart\tB-LOC
3\ttagte\tO\tO
4\tin\tO\tO
5\tBrüssel\tB-LOC\tO
6\t.\tO\tO
"""


def test_germeval_outer_level_and_derived_kinds_unlabelled(tmp_path: Path) -> None:
    path = tmp_path / "NER-de-dev.tsv"
    path.write_text(GERMEVAL, encoding="utf-8")
    # Each GermEval sentence comes from another article: one text each, never joined.
    first, second = read_file(path, "germeval", language="de")
    assert first.text == "Angela Merkel besuchte deutsche Firmen in Berlin."
    # The outer column: "Berlin" is a place (its inner ORG is ignored), LOCderiv is not.
    assert _values(first) == [("Angela Merkel", P), ("Berlin", L)]
    # ORGpart is not an organisation; the inner LOC inside it is not read either.
    assert second.text == "Die EU-Kommission tagte in Brüssel."
    assert _values(second) == [("Brüssel", L)]


WNUT = (
    "@paulwalk\tO\nsaw\tO\nEmpire\tB-location\nState\tI-location\nBuilding\tI-location\n"
    "with\tO\nnina\tB-person\n,\tO\nlove\tO\nmy\tO\niPhone\tB-product\n\t\n"
    "ask\tO\nthe\tO\nBeatles\tB-group\n\t\n"
    "#\tO\nla la\tO\nmoved\tO\nto\tO\nlondon\tB-location\n"
)


def test_wnut_lower_case_kinds_and_one_text_per_post(tmp_path: Path) -> None:
    path = tmp_path / "wnut17train.conll"
    path.write_text(WNUT, encoding="utf-8")
    first, second, third = read_file(path, "wnut", language="en")
    # A tab-only line ends a post, as in WNUT-17's train file; posts are never joined.
    assert first.text == "@paulwalk saw Empire State Building with nina, love my iPhone"
    # person and location are labelled; product, group (and corporation, creative-work)
    # are not discreet's kinds.
    assert _values(first) == [("Empire State Building", L), ("nina", P)]
    assert _values(second) == []
    # A hashtag "#" is a token here, not a comment; a token may hold a space.
    assert third.text == "# la la moved to london"
    assert _values(third) == [("london", L)]


def test_malformed_lines_are_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text("Anna B-PER\njustonecolumn\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"train\.txt: line 2"):
        read_file(path, "conll", language="en")
    path.write_text("Anna PERSON-B\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="line 1: not an IOB tag") as err:
        read_file(path, "conll", language="en")
    assert "Anna" not in str(err.value)  # never a corpus value in an error


# --- the no-test-split rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "data/wikineural/en/test.conllu",
        "eng.testa",
        "eng.testb",
        "ned.testb",
        "en_ewt-ud-test.iob2",
        "NER-de-test.tsv",
        "NER-de-test-unlabeled.tsv",
        "emerging.test",
        "emerging.test.conll",
        "emerging.test.annotated",
        "source/redd.tok.test",
        "source/stacko.test",
        "source/yt_test",
        "corpus/test/part1.txt",
        "TEST.CONLL",
        "presidio-research/data/synth_dataset_v2.json",
    ],
)
def test_test_split_paths_are_refused(path: str, tmp_path: Path) -> None:
    assert looks_like_test_split(path)
    with pytest.raises(TestSplitRefused):
        check_allowed(path)
    # The readers refuse before opening: the file does not even need to exist.
    with pytest.raises(TestSplitRefused):
        read_file(tmp_path / path, "conll", language="en")


@pytest.mark.parametrize(
    "path",
    [
        "data/conll/en/train.conllu",
        "val.conllu",
        "en_ewt-ud-dev.iob2",
        "ned.train",
        "latest.txt",
        "wnut17train.conll",
        "emerging.dev.conll",
        "NER-de-dev.tsv",
    ],
)
def test_train_and_dev_paths_are_allowed(path: str) -> None:
    assert not looks_like_test_split(path)
    check_allowed(path)


def test_the_catalogue_names_no_test_split() -> None:
    for corpus in CATALOGUE.values():
        for path in (corpus.train, corpus.dev):
            if path is not None:
                check_allowed(path)
    assert {"conll2003-en", "conll2002-nl", "wikineural-fr", "wnut17-en"} <= set(trainable())
    # GermEval 2014's only public copy lacks its train file: measured, never trained on.
    assert "germeval2014-de" not in trainable()


def _load_script(name: str) -> object:
    path = Path(__file__).resolve().parents[2] / "training" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_fetch_script() -> object:
    return _load_script("fetch_corpora")


def test_permissive_corpora_are_the_cc_by_ones() -> None:
    permissive = {c.name for c in CATALOGUE.values() if c.permissive}
    assert permissive == {"wnut17-en", "uner-en-ewt", "germeval2014-de"}
    for corpus in CATALOGUE.values():
        # Research-only (CoNLL) and non-commercial (WikiNEuRal) data is never "permissive".
        assert corpus.permissive == (
            corpus.licence.startswith("CC BY") and "NC" not in corpus.licence
        )
    # Of those, only WNUT-17 has a train split within reach.
    assert trainable(permissive_only=True) == ["wnut17-en"]


def test_training_with_permissive_licence_refuses_other_corpora() -> None:
    train_ner = _load_script("train_ner")
    choose = train_ner.choose_corpora  # type: ignore[attr-defined]
    assert choose(None, "permissive") == ["wnut17-en"]
    # The default rebuilds the shipped model: its corpora, all of them trainable.
    assert choose(None, "any") == list(train_ner.SHIPPED_CORPORA)  # type: ignore[attr-defined]
    assert set(choose(None, "any")) <= set(trainable())
    assert choose(["none"], "permissive") == []
    with pytest.raises(SystemExit, match="conll2003-en is CoNLL"):
        choose(["wnut17-en", "conll2003-en"], "permissive")
    with pytest.raises(SystemExit, match="--real conll2003-xx: no such corpus; one of"):
        choose(["conll2003-xx"], "any")
    with pytest.raises(SystemExit, match="--real uner-en-ewt: has no train split within"):
        choose(["uner-en-ewt"], "any")
    meta_licence = train_ner.weights_licence  # type: ignore[attr-defined]
    assert "commercial use allowed" in meta_licence([CATALOGUE["wnut17-en"]])
    assert "not for commercial use" in meta_licence(
        [CATALOGUE["wnut17-en"], CATALOGUE["conll2003-en"]]
    )


def test_silver_corpora_are_measured_and_trained_on_only_when_named() -> None:
    silver = {c.name for c in CATALOGUE.values() if c.silver}
    assert silver == {"wikiann-en", "wikiann-de", "wikiann-nl"}
    # Not in the default benchmark nor the calibration data; still trainable when named.
    assert not silver & set(human_annotated())
    assert set(human_annotated()) | silver == set(CATALOGUE)
    train_ner = _load_script("train_ner")
    assert not silver & set(train_ner.choose_corpora(None, "any"))  # type: ignore[attr-defined]
    assert silver <= set(trainable())


def test_training_on_a_sample_of_a_corpus() -> None:
    train_ner = _load_script("train_ner")
    parse = train_ner.parse_samples  # type: ignore[attr-defined]
    real = ["conll2003-en", "wikiann-de"]
    assert parse(["wikiann-de=4000"], real) == {"wikiann-de": 4000}
    assert parse([], real) == {}
    with pytest.raises(SystemExit, match="not trained on; add --real wikiann-nl"):
        parse(["wikiann-nl=10"], real)
    for bad in ("wikiann-de", "wikiann-de=", "wikiann-de=0", "wikiann-de=many"):
        with pytest.raises(SystemExit, match="expected NAME=N"):
            parse([bad], real)


def test_training_docs_carry_the_lexeme_feature_the_model_embeds() -> None:
    # ner.cfg embeds LANG; the training run computes it as the detector will.
    import spacy
    from spacy.util import registry
    from thinc.api import Config

    from discreet.detect.ner import lexeme_features

    train_ner = _load_script("train_ner")
    config = Config().from_disk(train_ner.CONFIG)  # type: ignore[attr-defined]
    attrs = config["components"]["tok2vec"]["model"]["embed"]["attrs"]
    assert lexeme_features.embeds_it(attrs)
    prepare = registry.callbacks.get(config["initialize"]["before_init"]["@callbacks"])
    nlp = prepare()(spacy.blank("xx"))
    doc = nlp.make_doc("Anna woont in de Stadt Zwolle")
    assert [t.lang_ for t in doc] == [lexeme_features.signature(t.text) for t in doc]


def test_fetch_script_refuses_a_test_split_before_asking_git(tmp_path: Path) -> None:
    fetch = _load_fetch_script()
    sneaky = PublicCorpus(
        "sneaky", "en", "news", "conll", "owner/repo", "0" * 40, "?",
        "data/train.txt", "data/test.txt",
    )  # fmt: skip
    # The git directory does not exist: only the rule can stop it before git fails.
    with pytest.raises(TestSplitRefused):
        fetch.extract(sneaky, tmp_path / "no-such-git-dir", tmp_path / "out")  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_fetch_script_extracts_from_a_git_mirror(tmp_path: Path) -> None:
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.txt").write_text("Anna B-PER\n", encoding="utf-8")
    (repo / "dev.txt").write_text("Berlin B-LOC\n", encoding="utf-8")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    commit = git("rev-parse", "HEAD")
    fetch = _load_fetch_script()
    corpus = PublicCorpus("tiny", "en", "news", "conll", "o/r", commit, "?", "train.txt", "dev.txt")
    written = fetch.extract(corpus, repo / ".git", tmp_path / "out")  # type: ignore[attr-defined]
    assert [w[0] for w in written] == ["train.txt", "dev.txt"]
    assert (tmp_path / "out" / "tiny" / "dev.txt").read_text(encoding="utf-8") == "Berlin B-LOC\n"


# --- catalogue splits --------------------------------------------------------------------------


def test_load_split_reads_a_fetched_corpus_and_says_when_it_is_missing(tmp_path: Path) -> None:
    corpus = CATALOGUE["conll2003-en"]
    target = corpus.local("dev", tmp_path)
    with pytest.raises(CorpusMissing, match="fetch_corpora"):
        load_split("conll2003-en", "dev", root=tmp_path)
    target.parent.mkdir(parents=True)
    target.write_text("0\tAnna\tB-PER\n1\tsmiles\tO\n", encoding="utf-8")
    (text,) = load_split("conll2003-en", "dev", root=tmp_path)
    assert _values(text) == [("Anna", P)]
    with pytest.raises(CorpusMissing, match="unknown corpus"):
        load_split("conll2003-xx", "dev", root=tmp_path)


def test_a_misdecoded_train_file_is_read_as_written(tmp_path: Path) -> None:
    # CoNLL-2003 German's train file in the WikiNEuRal repository: Latin-1 text once decoded
    # as Mac Cyrillic ("Mьnchen", "Straяe", "FRANKFURT-S№D", "ƒgide").
    corpus = CATALOGUE["conll2003-de"]
    assert corpus.misdecoded == "mac_cyrillic"
    written = "München Straße FRANKFURT-SÜD Ägide Öl Café Jürgen"
    garbled = written.encode("latin-1").decode("mac_cyrillic")
    assert garbled == "Mьnchen Straяe FRANKFURT-S№D ƒgide ÷l Cafй Jьrgen"
    assert repair_text(garbled, "mac_cyrillic") == written
    assert repair_text("Mnchen", "mac_cyrillic") == "Mnchen"  # ASCII stays as it is
    assert repair_text(garbled, None) == garbled
    path = corpus.local("train", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("0\tJьrgen\tB-PER\n1\twohnt\tO\n2\tin\tO\n3\tMьnchen\tB-LOC\n")
    (text,) = load_split("conll2003-de", "train", root=tmp_path)
    assert _values(text) == [("Jürgen", P), ("München", L)]
    # A character the wrong codec cannot have written: the file is not what the catalogue
    # says, and the error names the file and line, not the text.
    path.write_text("0\tAnna\tB-PER\n\n0\t東京\tB-LOC\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"train\.conllu: line 3: a character") as err:
        load_split("conll2003-de", "train", root=tmp_path)
    assert "東京" not in str(err.value)


def test_wikiann_fragments_are_one_text_each(tmp_path: Path) -> None:
    path = tmp_path / "train.conllu"
    path.write_text(
        "0\tAtlantic\tB-LOC\n1\tCity\tI-LOC\n2\t,\tO\n3\tNew\tB-LOC\n4\tJersey\tI-LOC\n\n"
        "0\tWEITERLEITUNG\tO\n1\tAntonina\tB-PER\n2\tKriwoschapka\tI-PER\n",
        encoding="utf-8",
    )
    first, second = read_file(path, "wikiann", language="en", max_chars=400)
    assert first.text == "Atlantic City, New Jersey"
    assert _values(first) == [("Atlantic City", L), ("New Jersey", L)]
    assert _values(second) == [("Antonina Kriwoschapka", P)]


@pytest.mark.parametrize(
    "name", ["wikineural-en", "wikineural-de", "wikineural-nl", "wikineural-fr"]
)
def test_carved_train_and_dev_do_not_share_sentences(tmp_path: Path, name: str) -> None:
    corpus = CATALOGUE[name]
    assert corpus.train is None and 0 < corpus.carve_train < 1
    path = corpus.local("dev", tmp_path)
    path.parent.mkdir(parents=True)
    sentences = [f"0\tMot{i}\tO\n1\tParis\tB-LOC\n" for i in range(10)]
    path.write_text("\n".join(sentences), encoding="utf-8")
    train = load_split(name, "train", root=tmp_path, max_chars=1)
    dev = load_split(name, "dev", root=tmp_path, max_chars=1)
    train_words = {t.text.split()[0] for t in train}
    dev_words = {t.text.split()[0] for t in dev}
    assert len(train) == int(10 * corpus.carve_train) and len(train) + len(dev) == 10
    assert not train_words & dev_words


def test_corpus_argument_is_a_name_or_a_path(tmp_path: Path) -> None:
    assert split_corpus_argument("uner-en-ewt") == ("uner-en-ewt", None)
    mine = tmp_path / "my.jsonl"
    mine.write_text("", encoding="utf-8")
    assert split_corpus_argument(str(mine)) == (None, mine)
    assert split_corpus_argument(None) == (None, None)
    # Neither: a clear error that lists the names (not a traceback from open()).
    with pytest.raises(InvalidInput, match=r"--corpus 'conll2003-xx' is neither .*wnut17-en"):
        split_corpus_argument("conll2003-xx")


# --- scoring public text, counted by hand ------------------------------------------------------


def test_scoring_names_and_places_against_a_hand_computed_example(tmp_path: Path) -> None:
    path = tmp_path / "val.conllu"
    path.write_text(
        "0\tAnna\tB-PER\n1\tBakker\tI-PER\n2\tof\tO\n3\tShell\tB-ORG\n4\tflew\tO\n"
        "5\tto\tO\n6\tOslo\tB-LOC\n7\t.\tO\n",
        encoding="utf-8",
    )
    (text,) = read_file(path, "wikineural", language="en")
    assert text.text == "Anna Bakker of Shell flew to Oslo."
    #                    0    5      12 15    21   26 29  33
    predicted = [
        Span(5, 11, "PERSON"),  # "Bakker": 6 of the name's 11 characters, span overlap 6/11
        Span(15, 20, "PERSON"),  # "Shell": ORG text is not scored, so ignored, not wrong
        Span(26, 28, "LOCATION"),  # "to": 2 wrong characters
        # "Oslo" missed
    ]
    ev = evaluate([list(text.spans)], [predicted], types=PUBLIC_TYPES)
    assert ev.char.per_type["PERSON"] == Counts(tp=6, fp=0, fn=5)
    assert ev.char.per_type["LOCATION"] == Counts(tp=0, fp=2, fn=4)
    assert ev.char.overall == Counts(tp=6, fp=2, fn=9)
    assert ev.char.overall.f2 == pytest.approx(5 * 0.75 * 0.4 / (4 * 0.75 + 0.4))
    assert ev.span_overlap.overall == Counts(tp=1, fp=1, fn=1)  # 6/11 >= 0.5
    assert ev.ignored_predictions == {"PERSON": 1}

    # The per-language table counts the same way.
    other = LabelledText("x", "Lyon", "fr", "corpus", (LabelledSpan(0, 4, L),))
    table = by_language(
        [text, other],
        {"sys": [[Finding(s.start, s.end, EntityType(s.type), 0.9, "t") for s in predicted], []]},
        PUBLIC_TYPES,
    )
    assert table["en"]["sys"]["char"]["tp"] == 6 and table["en"]["sys"]["char"]["fn"] == 9
    assert table["fr"]["sys"]["char"] == {**table["fr"]["sys"]["char"], "tp": 0, "fn": 4}


def test_held_out_texts_are_none_of_the_measured_ones() -> None:
    measured = public_sample(1000, 400, seed=0)
    held_out = public_sample(1000, 400, seed=0, held_out=600)
    assert len(measured) == 400 and len(held_out) == 600
    assert not set(measured) & set(held_out)
    assert public_sample(1000, 400, seed=0) == measured  # the same texts every run
    # Fewer texts than asked for: all the others, and no limit measures everything.
    assert public_sample(500, 400, seed=0, held_out=600) == sorted(
        set(range(500)) - set(public_sample(500, 400, seed=0))
    )
    assert public_sample(300, 400, seed=0) == list(range(300))
    assert public_sample(300, None, seed=0, held_out=50) == []
