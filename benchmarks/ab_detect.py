"""Detection speed of this tree against another commit's, in one process (an A/B).

    git archive main src | tar -x -C /tmp/base                      # the code to compare with
    python benchmarks/ab_detect.py --base /tmp/base/src --sets generated,conll2003-en --texts 800

On a shared machine two processes timed one after the other see different loads; here both
detectors live in one process and take turns on the same chunks of 64 texts (who goes first
alternating), timed in CPU seconds, so a busy spell reaches both alike. The other tree's
`discreet` package is copied under the name `discreet_base` (its imports renamed) so the two
can be imported side by side. Each chunk's findings are compared too: a speed-up that changes
a finding is reported as such. Public corpora need `python training/fetch_corpora.py`.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_IMPORT = re.compile(r"\bdiscreet(?=\.)|(?<=from )discreet(?= import)|(?<=^import )discreet$", re.M)


def _base_package(src: Path, into: Path) -> None:
    """`src`/discreet copied to `into`/discreet_base with its own imports pointing at itself."""
    target = into / "discreet_base"
    shutil.copytree(src / "discreet", target)
    for path in target.rglob("*.py"):
        path.write_text(_IMPORT.sub("discreet_base", path.read_text(encoding="utf-8")))


def _texts(name: str, n: int) -> list[str]:
    from discreet.evaluation import corpus

    if name == "generated":
        return [t.text for t in corpus.generate_corpus(n, seed=5, split="eval")]
    from discreet.evaluation.public import load_split

    texts = [t.text for t in load_split(name, "dev")]
    keep = sorted(random.Random(0).sample(range(len(texts)), min(n, len(texts))))
    return [texts[i] for i in keep]


def _key(found: list[list[Any]]) -> list[list[tuple[object, ...]]]:
    return [
        [(f.start, f.end, f.type.value, round(f.score, 9), f.recognizer) for f in fs]
        for fs in found
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other tree's src folder")
    parser.add_argument("--sets", default="generated", help="generated and/or public corpus names")
    parser.add_argument("--texts", type=int, default=800, help="texts per set")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ab_detect_"))
    _base_package(args.base, work)
    sys.path.insert(0, str(work))
    from discreet_base.detect.detector import Detector as Old  # type: ignore[import-not-found]

    from discreet.detect.detector import Detector as New

    new, old = New(), Old()
    for name in args.sets.split(","):
        texts = _texts(name, args.texts)
        for text in texts[:10]:  # warm both up
            new.detect(text)
            old.detect(text)
        total = {"old": 0.0, "new": 0.0}
        ratios: list[float] = []
        same = True
        for k, i in enumerate(range(10, len(texts), 64)):
            chunk = texts[i : i + 64]
            seconds: dict[str, float] = {}
            found: dict[str, Any] = {}
            turns = [("old", old), ("new", new)]
            for label, detector in turns if k % 2 == 0 else turns[::-1]:
                t0 = time.process_time()
                found[label] = detector.detect_batch(chunk)
                seconds[label] = time.process_time() - t0
                total[label] += seconds[label]
            same = same and _key(found["old"]) == _key(found["new"])
            ratios.append(seconds["old"] / seconds["new"] if seconds["new"] else float("inf"))
        n = len(texts) - 10
        print(
            f"{name:16s} texts {n}  base {total['old'] / n * 1e3:.3f} ms/text  "
            f"this tree {total['new'] / n * 1e3:.3f}  speed-up {total['old'] / total['new']:.3f}x  "
            f"per-chunk median {statistics.median(ratios):.3f} "
            f"({min(ratios):.2f}-{max(ratios):.2f})  same findings: {same}",
            flush=True,
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
