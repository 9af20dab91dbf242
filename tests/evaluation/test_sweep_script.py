"""training/sweep_ner.py: the model-size sweep's arguments and its reading of spaCy's log.

The sweep itself trains for minutes and needs the fetched corpora, so it is run by hand
(training/README.md); what a user types and what the table reports are tested here."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TRAINING = Path(__file__).resolve().parents[2] / "training"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TRAINING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sweep() -> ModuleType:
    return _load("sweep_ner")


def test_a_variant_is_a_name_and_a_json_object_of_config_overrides(sweep: ModuleType) -> None:
    name, overrides = sweep.parse_variant('w96={"components.tok2vec.model.encode.width": 96}')
    assert name == "w96"
    assert overrides == {"components.tok2vec.model.encode.width": 96}
    assert sweep.parse_variant("base={}") == ("base", {})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("w96", "expected NAME=JSON"),
        ("w 96={}", "expected NAME=JSON"),
        ("w96={width: 96}", "not JSON"),
        ("w96=[96]", "must be an object"),
    ],
)
def test_a_malformed_variant_is_refused_naming_it(sweep: ModuleType, text: str, says: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=says) as caught:
        sweep.parse_variant(text)
    assert "--variant" in str(caught.value)


def test_the_default_variants_are_valid_overrides_of_the_shipped_config(sweep: ModuleType) -> None:
    from confection import Config

    config = Config().from_disk(TRAINING / "ner.cfg", interpolate=False)
    for name, overrides in sweep.DEFAULT_VARIANTS.items():
        for key in overrides:
            section, _, leaf = key.rpartition(".")
            node = config
            for part in section.split("."):
                node = node[part]
            assert leaf in node, f"{name}: {key} is not in ner.cfg"
    assert sweep.DEFAULT_VARIANTS["base"] == {}


def test_steps_reached_reads_the_last_step_of_spacys_table(
    sweep: ModuleType, tmp_path: Path
) -> None:
    log = tmp_path / "w96.log"
    log.write_text(
        "E    #       LOSS TOK2VEC  LOSS ENTIT...  TAG_ACC  SCORE \n"
        "---  ------  ------------  -------------  -------  ------\n"
        "  0       0          0.00         895.07    63.56    0.64\n"
        "  0     200        334.34       16835.36    91.09    0.91\n"
        "  1    1400       3456.21       10267.69    97.27    0.97\n"
        "Killed\n",
        encoding="utf-8",
    )
    assert sweep.steps_reached(log) == 1400
    log.write_text("=== Initializing pipeline ===\n", encoding="utf-8")
    assert sweep.steps_reached(log) == 0


def test_the_sweep_stops_before_training_when_the_docbins_are_missing(
    sweep: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        sweep.main(["--workdir", str(tmp_path), "--minutes", "0.1"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "train.spacy is missing" in err
    assert "train_ner.py --corpus-only" in err
    assert not (tmp_path / "runs").exists()


def test_train_ner_needs_out_unless_it_only_builds_the_corpus(
    capsys: pytest.CaptureFixture[str],
) -> None:
    train_ner = _load("train_ner")
    with pytest.raises(SystemExit) as stopped:
        train_ner.main(["--n-train", "1"])
    assert stopped.value.code == 2
    assert "--out is required" in capsys.readouterr().err


def test_corpus_only_builds_the_docbins_the_sweep_reads_and_trains_nothing(
    tmp_path: Path,
) -> None:
    train_ner = _load("train_ner")
    argv = ["--corpus-only", "--workdir", str(tmp_path), "--real", "none"]
    assert train_ner.main([*argv, "--n-train", "40", "--n-dev", "8"]) == 0
    from spacy.tokens import DocBin

    assert len(DocBin().from_disk(tmp_path / "train.spacy")) >= 40
    assert len(DocBin().from_disk(tmp_path / "dev.spacy")) == 8
    assert not (tmp_path / "checkpoints").exists()
