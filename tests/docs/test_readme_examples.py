"""The README's examples are true: each one runs, in order, in a fresh directory and a clean
shell, and prints what the README shows. See tests/support/examples.py for the conventions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.support.examples import blocks, free_port, run_session, session

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# Every README block that does not run, in order, with the reason its marker gives: each needs
# something a clean offline shell in an empty directory does not have.
EXPECTED_SKIPS = (
    # Quickstart: creates .venv from a checkout and runs the whole suite.
    "installs into a new virtualenv and runs the whole suite; .ci/run runs exactly this",
    # Measuring detection on public text: Presidio and corpora that are not shipped.
    "needs the bench extra (Presidio) and corpora fetched from git mirrors",
    # Development: the suite, linters, CI and the `bench` extra, from the checkout.
    "runs the test suite itself, from the checkout",
)


@pytest.mark.slow
def test_every_readme_example_runs_and_prints_what_it_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    planned = session(text, "README.md", free_port())
    # Only the install-from-scratch and development blocks are left out (.ci/run runs them);
    # a block skipped anywhere else, or for another reason, fails here.
    skipped = [re.sub(r"^README\.md:\d+: ", "", entry) for entry in planned.skipped]
    assert skipped == list(EXPECTED_SKIPS), planned.skipped
    assert len(planned.steps) > 20
    outcomes = run_session(planned.steps, tmp_path)
    assert len(outcomes) == len(planned.steps)
    shown = 0
    for outcome in outcomes:
        if outcome.step.expected is None:
            continue
        shown += 1
        assert outcome.stdout == outcome.step.expected, (
            f"{outcome.step.where}: the README shows\n{outcome.step.expected}"
            f"but the command printed\n{outcome.stdout}"
        )
    assert shown >= 8


def test_every_fenced_block_is_runnable_or_says_why_not() -> None:
    """A new block in a language the runner does not know would silently go unchecked."""
    for block in blocks(README.read_text(encoding="utf-8")):
        assert block.lang in {"bash", "python", "yaml"}, (
            f"README.md:{block.line}: a `{block.lang}` block is neither run nor shown output"
        )


def test_the_readme_links_only_inside_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert not re.match(r"[a-z]+:", target), f"README links outside: {target}"
        assert (ROOT / target.split("#")[0]).exists(), f"README links a missing file: {target}"
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_a_failing_example_is_reported_with_its_place(tmp_path: Path) -> None:
    """The runner itself can fail: a false `# →` line or a failing command is caught."""
    planned = session("```bash\necho one\n# → two\nfalse\n```\n", "X.md", free_port())
    outcomes = run_session(planned.steps[:1], tmp_path)
    assert outcomes[0].stdout != outcomes[0].step.expected
    with pytest.raises(AssertionError, match=r"X\.md:1, line 4"):
        run_session(planned.steps, tmp_path)
