"""`discreet export training`: who is in it, what is left of them, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.export.conftest import OFFICER, Shop, today_request

from discreet.audit.log import AuditLog
from discreet.export.errors import ExportRejected
from discreet.export.records import ExportRecords
from discreet.export.training import run_training
from discreet.subjectdata import NOTHING_HELD, SubjectScope
from discreet.vault import Vault

USER = "Hello, I am [PERSON_1], mail me at [EMAIL_ADDRESS_1] or jan.devries@example.nl"
ANSWER = "Thank you [PERSON_1], I will write to [EMAIL_ADDRESS_1]."


def rows(out: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in sorted(out.glob("part-*.parquet")):
        found.extend(pq.read_table(path).to_pylist())
    return found


def chats(out: Path) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted(out.glob("part-*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_only_consenting_unlimited_subjects_leave(shop: Shop, tmp_path: Path) -> None:
    for subject in ("s-granted", "s-withdrawn", "s-restricted", "s-objected", "s-never", "s-all"):
        shop.conversation(f"c-{subject}", subject, [(f"Question from {subject}", "An answer")])
    shop.conversation("c-anonymous", None, [("Question from nobody", "An answer")])
    for subject in ("s-granted", "s-withdrawn", "s-restricted", "s-objected", "s-all"):
        shop.grant(subject)
    shop.withdraw("s-withdrawn")
    shop.restrict("s-restricted")
    shop.object("s-objected")
    shop.object("s-all", purpose=None)  # objects to all processing

    result = run_training(shop.db, today_request(tmp_path / "out"), ctx=OFFICER)

    texts = [m["content"] for chat in chats(tmp_path / "out") for m in chat["messages"]]
    assert texts == ["Question from s-granted", "An answer"]
    selection = result.card["selection"]
    assert selection["selected"] == 1
    assert selection["excluded_no_consent_or_limited"] == 5
    assert selection["excluded_anonymous"] == 1


def test_output_holds_no_source_or_vault_value_and_no_joinable_id(
    shop: Shop, vault: Vault, tmp_path: Path
) -> None:
    values = {"name": "Jan de Vries", "email": "jan.devries@example.nl"}
    subject = vault.put_subject("CUST-1001", values, ctx=OFFICER)
    shop.conversation("conv-1", subject, [(USER, ANSWER)] * 2)
    shop.conversation("conv-2", subject, [(USER, ANSWER)])
    shop.grant(subject)

    result = run_training(shop.db, today_request(tmp_path / "out"), ctx=OFFICER)

    out = tmp_path / "out"
    blob = b"".join(p.read_bytes() for p in sorted(out.iterdir()) if p.is_file())
    text = blob.decode("utf-8", errors="replace")
    for forbidden in (*values.values(), "CUST-1001", subject, "conv-1", "conv-2", "[PERSON_1]"):
        assert forbidden not in text
    found = rows(out)
    assert len(found) == 2
    # Surrogates: the same token, the same surrogate within a conversation...
    for row in found:
        messages = row["messages"]
        assert isinstance(messages, list)
        first_user = messages[0]["content"]
        name = first_user.removeprefix("Hello, I am ").split(",")[0]
        assert name and name in messages[1]["content"]
    # ... and different ones across conversations, so they cannot be linked.
    names = {
        r["messages"][0]["content"].removeprefix("Hello, I am ").split(",")[0]  # type: ignore[index]
        for r in found
    }
    assert len(names) == 2
    # Ids are fresh and random, times rounded to the week (the default).
    assert {r["id"] for r in found}.isdisjoint({"conv-1", "conv-2", subject})
    times = {m["time"] for r in found for m in r["messages"]}  # type: ignore[attr-defined]
    assert all(t is None or len(t) == 10 for t in times)
    assert result.card["replaced"]["tokens"]["PERSON"] == 6
    assert result.card["replaced"]["detections"]["EMAIL_ADDRESS"] == 3
    # The OpenAI fine-tuning format: messages with role and content only.
    chat = chats(out)[0]
    assert set(chat) == {"messages"}
    assert {tuple(sorted(m)) for m in chat["messages"]} == {("content", "role")}


def test_residual_findings_above_the_rate_fail_the_export(shop: Shop, tmp_path: Path) -> None:
    shop.conversation("c1", "s1", [("My IBAN is NL91ABNA0417164300, thanks", "Noted.")])
    shop.grant("s1")
    # An anonymiser told to handle names only leaves the IBAN; the second pass sees it.
    request = today_request(
        tmp_path / "out",
        detector={"ner": {"backend": "none"}, "entities": ["PERSON"]},
        max_residual_rate=0.0,
    )
    with pytest.raises(ExportRejected, match="1 of 2 messages"):
        run_training(shop.db, request, ctx=OFFICER)
    out = tmp_path / "out"
    assert not list(out.glob("part-*"))
    assert not (out / "dataset_card.json").exists()
    failed = json.loads((out / "FAILED.json").read_text())
    assert failed["residual_scan"]["findings_by_type"] == {"IBAN": 1}
    last = list(AuditLog(shop.db).entries())[-1]
    assert (last.action, last.outcome) == ("export.training", "rejected")
    assert "NL91ABNA0417164300" not in json.dumps(last.as_dict())


def test_the_same_gate_passes_when_the_anonymiser_sees_every_type(
    shop: Shop, tmp_path: Path
) -> None:
    shop.conversation("c1", "s1", [("My IBAN is NL91ABNA0417164300, thanks", "Noted.")])
    shop.grant("s1")
    result = run_training(
        shop.db, today_request(tmp_path / "out", max_residual_rate=0.0), ctx=OFFICER
    )
    assert result.card["residual_scan"]["passed"] is True
    assert "NL91ABNA0417164300" not in json.dumps(chats(tmp_path / "out"))


def test_small_groups_are_generalised_until_they_reach_k(shop: Shop, tmp_path: Path) -> None:
    for i in range(4):
        shop.conversation(f"en-{i}", f"s-en-{i}", [("Where is my parcel please?", "On its way.")])
    shop.conversation(
        "nl-0",
        "s-nl-0",
        [("Waar is mijn pakket? Ik wacht al een week op de bezorging.", "Onderweg.")],
    )
    shop.conversation(
        "long", "s-long", [("Where is my parcel please?", "On its way.")] * 5, assistant="billing"
    )
    for subject in ("s-en-0", "s-en-1", "s-en-2", "s-en-3", "s-nl-0", "s-long"):
        shop.grant(subject)

    result = run_training(shop.db, today_request(tmp_path / "out", k=3), ctx=OFFICER)

    report = result.card["k_anonymity"]
    # The Dutch and the long billing conversation stand out; turns, language and
    # assistant are generalised for everyone until no group is smaller than 3.
    assert (report["rows"], report["dropped"], report["groups"]) == (6, 0, 1)
    found = rows(tmp_path / "out")
    assert len(found) == 6
    assert {(r["language"], r["assistant"], r["turns"]) for r in found} == {("*", "*", "*")}


def test_rows_left_alone_are_dropped_when_within_the_suppression_limit(
    shop: Shop, tmp_path: Path
) -> None:
    for i in range(4):
        shop.conversation(f"en-{i}", f"s-en-{i}", [("Where is my parcel please?", "On its way.")])
    shop.conversation(
        "nl-0",
        "s-nl-0",
        [("Waar is mijn pakket? Ik wacht al een week op de bezorging.", "Onderweg.")],
    )
    for subject in ("s-en-0", "s-en-1", "s-en-2", "s-en-3", "s-nl-0"):
        shop.grant(subject)
    result = run_training(
        shop.db, today_request(tmp_path / "out", k=3, max_suppressed=0.2), ctx=OFFICER
    )
    report = result.card["k_anonymity"]
    assert (report["generalised"], report["dropped"]) == (0, 1)
    assert {r["language"] for r in rows(tmp_path / "out")} == {"en"}


def test_generalised_rows_are_kept_when_their_group_reaches_k(shop: Shop, tmp_path: Path) -> None:
    for i in range(3):
        shop.conversation(f"a-{i}", f"s-a-{i}", [("Where is my parcel please?", "Coming.")])
    for i in range(2):
        shop.conversation(f"b-{i}", f"s-b-{i}", [("Where is my parcel?", "Coming.")] * 2)
    for subject in ("s-a-0", "s-a-1", "s-a-2", "s-b-0", "s-b-1"):
        shop.grant(subject)
    result = run_training(
        shop.db,
        today_request(tmp_path / "out", k=3, quasi_identifiers=["turns", "language"]),
        ctx=OFFICER,
    )
    report = result.card["k_anonymity"]
    assert (report["generalised"], report["dropped"]) == (5, 0)
    assert {r["turns"] for r in rows(tmp_path / "out")} == {"*"}


def test_export_is_audited_and_recorded_for_the_subject(shop: Shop, tmp_path: Path) -> None:
    shop.conversation("c1", "s1", [("Hello there", "Hi")])
    shop.grant("s1")
    result = run_training(shop.db, today_request(tmp_path / "out"), ctx=OFFICER)
    last = list(AuditLog(shop.db).entries())[-1]
    assert (last.action, last.outcome, last.actor) == ("export.training", "ok", "dpo-1")
    assert last.details["conversations"] == 1
    records = ExportRecords(shop.db)
    scope = SubjectScope("default", "s1")
    listed = records.export(scope)
    assert [(r["export"], r["state"]) for r in listed] == [(result.run_id, "done")]
    assert records.erase(scope, NOTHING_HELD) == 1
    assert records.export(scope) == []
    assert (tmp_path / "out" / "DATASET_CARD.md").read_text().startswith("# Dataset card")
