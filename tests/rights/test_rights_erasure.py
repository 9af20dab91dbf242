"""Erasure: everything goes, holds block what they cover, a crash is finished by rerunning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.conftest import StoreEnv
from tests.rights.conftest import (
    ALICE,
    ANSWER_TEXT,
    BOB,
    T0,
    USER_TEXT,
    add_conversations,
    verified,
)

from discreet.audit import AccessContext
from discreet.consent import ConsentState, LimitKind
from discreet.conversations.models import ConversationMessage
from discreet.conversations.transcripts import TranscriptStore
from discreet.rights import RequestKind, RequestState, RightsRequest, RightsService
from discreet.store.governance_models import ErasureJobRow
from discreet.store.keystore_models import WrappedKey
from discreet.store.models import table_of
from discreet.vault import SubjectNotFound

_J = table_of(ErasureJobRow)
_K = table_of(WrappedKey)
_T = table_of(ConversationMessage)
UNBOUND = "chat-unbound-1"
"""A conversation never bound in the vault, with messages attributed to Alice."""


@pytest.fixture
def alice_with_history(rights: RightsService, officer: AccessContext) -> list[str]:
    """Alice with three conversations (and the transcript of a fourth, never bound),
    consent history and an objection on record."""
    conversations = add_conversations(rights.vault, ALICE, officer, 3)
    add_conversations(rights.vault, BOB, officer, 1)
    TranscriptStore(rights.db, rights.vault.tenant).append(
        UNBOUND,
        [("user", "hello, it is [PERSON_1] again")],
        T0,
        subject=rights.vault.subject_id(ALICE, ctx=officer),
    )
    for state in (ConsentState.GRANTED, ConsentState.WITHDRAWN):
        rights.consent.record(
            ALICE, "analytics", state, notice_version="v1", channel="web", ctx=officer
        )
    alice = rights.vault.subject_id(ALICE, ctx=officer)
    rights.consent.limits.set(
        alice, LimitKind.OBJECTION, purpose="billing", reason="objection", ctx=officer
    )
    return conversations


def _assert_alice_gone(
    rights: RightsService,
    officer: AccessContext,
    store_env: StoreEnv,
    alice: str,
    conversations: list[str],
    sample_subjects: dict[str, dict[str, str]],
) -> None:
    vault = rights.vault
    with pytest.raises(SubjectNotFound):
        vault.get_subject(ALICE, ctx=officer)
    for conversation_id in conversations:
        assert vault.conversation_subject(conversation_id, ctx=officer) is None
        assert vault.load_token_map(conversation_id, ctx=officer) == {}
    assert rights.consent.registry.history(alice) == []
    assert rights.consent.limits.history(alice) == []
    with store_env.keys_db().begin() as conn:
        owners = set(conn.execute(select(_K.c.owner_id)).scalars())
    assert alice not in owners
    assert not owners & set(conversations)
    # No stored message of Alice is left, by attribution or by conversation; Bob's stay.
    assert _messages_of(rights, alice, [*conversations, UNBOUND]) == 0
    bob = vault.subject_id(BOB, ctx=officer)
    assert _messages_of(rights, bob, []) == 2
    # Audit records keep the pseudonym only, and the chain is intact.
    assert any(e.subject == alice for e in vault.audit_log.entries())
    assert vault.audit_log.verify().ok
    # Bob is untouched.
    assert vault.get_subject(BOB, ctx=officer).fields == sample_subjects[BOB]
    # No plaintext of Alice anywhere in the stores' files (or the PostgreSQL dump).
    dump = store_env.raw_dump()
    for value in [ALICE, *sample_subjects[ALICE].values(), "mvo0@voorbeeld.nl"]:
        assert value.encode() not in dump, "plaintext left after erasure"


def _messages_of(rights: RightsService, subject: str, conversations: list[str]) -> int:
    """conversation_messages rows attributed to `subject` or in `conversations`."""
    where = _T.c.subject_id == subject
    if conversations:
        where = where | _T.c.conversation_id.in_(conversations)
    with rights.db.begin() as conn:
        return len(conn.execute(select(_T.c.id).where(where)).all())


def test_erasure_removes_all_of_the_subjects_data(
    rights: RightsService,
    officer: AccessContext,
    store_env: StoreEnv,
    alice_with_history: list[str],
    sample_subjects: dict[str, dict[str, str]],
) -> None:
    alice = rights.vault.subject_id(ALICE, ctx=officer)
    request = verified(rights, ALICE, RequestKind.ERASURE, officer)
    done = rights.execute(request.id, ALICE, ctx=officer)

    assert done.request.state is RequestState.COMPLETED
    result = done.request.result
    assert result is not None and result["completed"] is True
    steps = result["steps"]
    assert steps["subject_records"] == {"erased": len(sample_subjects[ALICE]), "kept_for_holds": 0}
    assert steps["conversation_bindings"] == {"erased": 3, "kept_for_holds": 0}
    assert steps["consent_records"] == {"erased": 2, "kept_for_holds": 0}
    assert steps["processing_limits"] == {"erased": 1, "kept_for_holds": 0}
    assert steps["transcripts"] == {"erased": 7, "kept_for_holds": 0}
    # What the law makes us keep stays: the request and its erasure job.
    assert steps["rights_requests"] == {"erased": 0, "kept_for_holds": 0}
    _assert_alice_gone(rights, officer, store_env, alice, alice_with_history, sample_subjects)
    # Running it again is harmless and reports the same job.
    again = rights.execute(request.id, ALICE, ctx=officer)
    assert again.erasure is not None and again.erasure.completed
    assert again.erasure.job_id == done.erasure.job_id  # type: ignore[union-attr]


def test_a_hold_on_the_subject_blocks_erasure_and_says_which(
    rights: RightsService, officer: AccessContext, alice_with_history: list[str]
) -> None:
    hold = rights.hold_subject(ALICE, "litigation 2027-114", ctx=officer)
    request = verified(rights, ALICE, RequestKind.ERASURE, officer)
    done = rights.execute(request.id, ALICE, ctx=officer)

    assert done.erasure is not None and not done.erasure.completed
    assert [h.id for h in done.erasure.blocked_by] == [hold.id]
    assert done.erasure.blocked_by[0].reason == "litigation 2027-114"
    # Not "in progress" for ever: blocked by the hold, and listed as such.
    assert done.request.state is RequestState.BLOCKED_BY_HOLD
    blocked = rights.book.find(state=RequestState.BLOCKED_BY_HOLD)
    assert [r.id for r in blocked] == [request.id]
    assert rights.vault.get_subject(ALICE, ctx=officer).fields  # nothing erased
    assert len(rights.consent.registry.history(done.erasure.subject_id)) == 2

    # Released: the blocked erasure resumes by itself and completes.
    rights.release(hold.id, ctx=officer)
    assert rights.book.get(request.id).state is RequestState.COMPLETED
    with pytest.raises(SubjectNotFound):
        rights.vault.get_subject(ALICE, ctx=officer)
    finished = rights.execute(request.id, ALICE, ctx=officer)  # repeating changes nothing
    assert finished.request.state is RequestState.COMPLETED


def test_a_blocked_erasure_waits_for_the_last_hold_on_the_subject(
    rights: RightsService, officer: AccessContext, alice_with_history: list[str]
) -> None:
    first = rights.hold_subject(ALICE, "litigation 2027-114", ctx=officer)
    second = rights.hold_subject(ALICE, "tax audit", ctx=officer)
    request = verified(rights, ALICE, RequestKind.ERASURE, officer)
    rights.execute(request.id, ALICE, ctx=officer)

    rights.release(first.id, ctx=officer)
    assert rights.book.get(request.id).state is RequestState.BLOCKED_BY_HOLD
    assert rights.vault.get_subject(ALICE, ctx=officer).fields  # still nothing erased
    rights.release(second.id, ctx=officer)
    assert rights.book.get(request.id).state is RequestState.COMPLETED
    with pytest.raises(SubjectNotFound):
        rights.vault.get_subject(ALICE, ctx=officer)


def test_a_held_conversation_survives_the_rest_is_erased(
    rights: RightsService, officer: AccessContext, alice_with_history: list[str]
) -> None:
    held, *others = alice_with_history
    rights.hold_conversation(held, "complaint under investigation", ctx=officer)
    request = verified(rights, ALICE, RequestKind.ERASURE, officer)
    done = rights.execute(request.id, ALICE, ctx=officer)

    assert done.request.state is RequestState.COMPLETED
    assert done.request.result is not None
    assert done.request.result["kept_under_legal_hold"] == [held]
    vault = rights.vault
    assert vault.get_subject(ALICE, ctx=officer).fields == {}
    assert vault.load_token_map(held, ctx=officer)["[EMAIL_1]"] == "mvo0@voorbeeld.nl"
    for conversation_id in others:
        assert vault.load_token_map(conversation_id, ctx=officer) == {}
    # The held conversation keeps its transcript; the others' (and the unbound one's) go.
    assert done.request.result["steps"]["transcripts"] == {"erased": 5, "kept_for_holds": 1}
    transcripts = TranscriptStore(rights.db, vault.tenant)
    assert [m.text for m in transcripts.messages(held)] == [USER_TEXT, ANSWER_TEXT]
    assert _messages_of(rights, "no-such-subject", [*others, UNBOUND]) == 0


CRASH_EXIT_CODE = 86
CRASH_AFTER = "TEST_CRASH_AFTER_STEP"
# The CLI in a process that is killed (os._exit: no clean-up, no "done" record) right
# after the named erasure step did its work -- from the test's side, not the product's.
CRASHING_CLI = f"""
import os
from discreet.rights.erasure import Eraser
from discreet.cli import main
step, run = os.environ.get("{CRASH_AFTER}"), Eraser._run_step

def crashing(self, name, job, ctx):
    counts = run(self, name, job, ctx)
    if name == step:
        os._exit({CRASH_EXIT_CODE})
    return counts

Eraser._run_step = crashing
main()
"""


def _run_cli(store_env: StoreEnv, cwd: Path, *args: str, crash_after: str | None = None) -> int:
    env = {**os.environ, **store_env.environ()}
    env.pop("DISCREET_POLICY", None)
    if crash_after is not None:
        env[CRASH_AFTER] = crash_after
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_CLI, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode


@pytest.mark.parametrize(
    "step", ["plan", "consent_records", "transcripts", "conversation_bindings", "subject_records"]
)
def test_a_crash_mid_erasure_is_finished_by_running_it_again(
    step: str,
    rights: RightsService,
    officer: AccessContext,
    store_env: StoreEnv,
    alice_with_history: list[str],
    sample_subjects: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    alice = rights.vault.subject_id(ALICE, ctx=officer)
    request: RightsRequest = verified(rights, ALICE, RequestKind.ERASURE, officer)
    code = _run_cli(
        store_env, tmp_path, "rights", "execute", request.id, "--ref", ALICE, crash_after=step
    )
    assert code == CRASH_EXIT_CODE

    # The job row says how far it got: the crashed step is recorded as started.
    with rights.db.begin() as conn:
        job = conn.execute(select(_J).where(_J.c.request_id == request.id)).one()
    assert (job.state, job.current_step) == ("running", step)
    assert rights.book.get(request.id).state is RequestState.IN_PROGRESS

    assert _run_cli(store_env, tmp_path, "rights", "execute", request.id, "--ref", ALICE) == 0
    assert rights.book.get(request.id).state is RequestState.COMPLETED
    with rights.db.begin() as conn:
        job = conn.execute(select(_J).where(_J.c.request_id == request.id)).one()
    assert (job.state, job.current_step) == ("completed", None)
    _assert_alice_gone(rights, officer, store_env, alice, alice_with_history, sample_subjects)
