#!/usr/bin/env python
"""Extract the public NER corpora's train and dev files into training/corpus/ (git-ignored).

    python training/fetch_corpora.py                    # every corpus in the catalogue
    python training/fetch_corpora.py --only conll2003-en --mirrors /work/.mirror

The catalogue (`discreet.evaluation.public.CATALOGUE`) names, per corpus, the GitHub
repository, the commit and the exact files. This script reads them from a local git
mirror of that repository (``<mirrors>/<owner>+<name>/repo``, a bare clone, or any clone
given with ``--repo owner/name=PATH``) with ``git show COMMIT:path`` and writes them under
``training/corpus/<corpus>/``. It never reads a test split: every path passes
`check_allowed` first, which refuses anything that looks like one.

A corpus whose mirror or file is missing is reported with the command that brings it
(``git clone https://github.com/OWNER/NAME``), and the script exits 1 when any is missing
unless ``--allow-missing`` is given. Nothing is downloaded here.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from discreet.evaluation.public import (
    CATALOGUE,
    DEFAULT_CORPUS_DIR,
    PublicCorpus,
    check_allowed,
)

DEFAULT_MIRRORS = Path("/work/.mirror")


def files_of(corpus: PublicCorpus) -> list[str]:
    """The repository paths to extract for `corpus` (its train split, if any, and its dev)."""
    return [p for p in (corpus.train, corpus.dev) if p is not None]


def git_dir(repo: str, mirrors: Path, explicit: dict[str, Path]) -> Path | None:
    if repo in explicit:
        return explicit[repo]
    candidate = mirrors / repo.replace("/", "+") / "repo"
    return candidate if candidate.exists() else None


def extract(corpus: PublicCorpus, gitdir: Path, out_root: Path) -> list[tuple[str, int, str]]:
    """Write the allowed files of `corpus`; (path, bytes, sha256) of each."""
    written: list[tuple[str, int, str]] = []
    for path in files_of(corpus):
        check_allowed(path)  # every path, before git is asked for any of them
    for path in files_of(corpus):
        data = subprocess.run(
            ["git", "--git-dir", str(gitdir), "show", f"{corpus.commit}:{path}"],
            capture_output=True,
            check=False,
        )
        if data.returncode != 0:
            raise FileNotFoundError(
                f"{corpus.repo}@{corpus.commit[:10]}:{path} is not in {gitdir} "
                f"(git: {data.stderr.decode(errors='replace').strip()})"
            )
        target = out_root / corpus.name / Path(path).name
        check_allowed(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.stdout)
        written.append((path, len(data.stdout), hashlib.sha256(data.stdout).hexdigest()))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--out", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--only", action="append", default=[], help="corpus name (repeatable)")
    parser.add_argument(
        "--repo",
        action="append",
        default=[],
        metavar="OWNER/NAME=GITDIR",
        help="use this git directory for a repository instead of the mirrors folder",
    )
    parser.add_argument("--allow-missing", action="store_true")
    args = parser.parse_args(argv)
    explicit = {k: Path(v) for k, _, v in (r.partition("=") for r in args.repo)}
    names = args.only or list(CATALOGUE)
    missing: list[str] = []
    for name in names:
        corpus = CATALOGUE[name]
        gitdir = git_dir(corpus.repo, args.mirrors, explicit)
        if gitdir is None:
            missing.append(
                f"{name}: no mirror of {corpus.repo}; bring it with "
                f"`git clone --bare https://github.com/{corpus.repo} "
                f"{args.mirrors / corpus.repo.replace('/', '+') / 'repo'}` "
                f"(commit {corpus.commit})"
            )
            continue
        try:
            for path, size, digest in extract(corpus, gitdir, args.out):
                print(f"{name:16} {path:40} {size:>9} B  sha256 {digest[:16]}")
        except FileNotFoundError as exc:
            missing.append(f"{name}: {exc}")
    for line in missing:
        print(f"MISSING {line}", file=sys.stderr)
    return 1 if missing and not args.allow_missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
