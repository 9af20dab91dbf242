"""Backup and restore speed: `discreet backup` (copy, AES-256-GCM, SHA-256; restore with
the ledger replay) side by side with the peer, the store's own tool without encryption
(SQLite's online backup API to a file; pg_dump --format=custom / pg_restore).

    .venv/bin/python benchmarks/bench_backup.py --subjects 20000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from bench_vault import CTX, make_records
from common import machine, machine_speed, postgres_settings, sqlite_settings

from discreet.ops.backup import Backups, ErasureLedger, _pg_args
from discreet.settings import Settings
from discreet.store import Database
from discreet.vault import MasterKey, open_vault, upgrade_databases


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(settings: Settings, subjects: int) -> dict[str, float]:
    upgrade_databases(settings)
    master = MasterKey.generate()
    vault = open_vault(settings, master_key=master)
    vault.import_subjects(make_records(subjects), ctx=CTX)
    for i in range(0, subjects, max(subjects // 20, 1)):  # 20 erasures to replay
        vault.erase_subject(f"CUST-{i:08d}", ctx=CTX)
    vault.close()
    data = Database(settings.data_url, name="data store")
    keys = Database(settings.keys_url, name="key store")
    with tempfile.TemporaryDirectory(prefix="discreet-bench-") as scratch:
        root = Path(scratch)
        backups = Backups(
            data=data,
            keys=keys,
            master=master,
            data_dest=root / "data",
            keys_dest=root / "keys",
            ledger=ErasureLedger(root / "ledger.jsonl"),
        )
        made: list = []
        out = {"discreet create s": timed(lambda: made.extend(backups.create()))}
        out["discreet verify s"] = timed(lambda: [backups.verify(b.id, b.store) for b in made])
        out["discreet restore s"] = timed(lambda: backups.restore(made[0].id))
        out["backup MiB"] = sum(b.size for b in made) / 2**20
        peer = root / "peer"
        peer.mkdir()
        if data.sqlite_path is not None:

            def plain() -> None:
                for db, name in ((data, "d"), (keys, "k")):
                    src = sqlite3.connect(db.sqlite_path)  # type: ignore[arg-type]
                    dst = sqlite3.connect(peer / name)
                    src.backup(dst)
                    dst.close()
                    src.close()

            def plain_restore() -> None:
                for db, name in ((data, "d"), (keys, "k")):
                    db.dispose()
                    src = sqlite3.connect(peer / name)
                    dst = sqlite3.connect(db.sqlite_path)  # type: ignore[arg-type]
                    src.backup(dst)
                    dst.close()
                    src.close()
        else:

            def plain() -> None:
                for db, name in ((data, "d"), (keys, "k")):
                    url, schemas = _pg_args(db.url)
                    subprocess.run(
                        [
                            "pg_dump",
                            "--format=custom",
                            *[f"--schema={s}" for s in schemas],
                            f"--file={peer / name}",
                            url,
                        ],
                        check=True,
                    )

            def plain_restore() -> None:
                for db, name in ((data, "d"), (keys, "k")):
                    db.dispose()
                    url, _ = _pg_args(db.url)
                    subprocess.run(
                        [
                            "pg_restore",
                            "--clean",
                            "--if-exists",
                            "--no-owner",
                            "--single-transaction",
                            f"--dbname={url}",
                            str(peer / name),
                        ],
                        check=True,
                    )

        out["peer create s"] = timed(plain)
        out["peer restore s"] = timed(plain_restore)
    data.dispose()
    keys.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--postgres", default=os.environ.get("DISCREET_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"{machine()}; {machine_speed()}")
    print(
        "| backend | subjects | backup size | create (discreet / peer) "
        "| restore incl. replay (discreet / peer) | verify |"
    )
    print("|---|---|---|---|---|---|")
    runs = [("SQLite", sqlite_settings)]
    if args.postgres:
        runs.append(("PostgreSQL", lambda: postgres_settings(args.postgres)))
    for name, make in runs:
        with make() as settings:
            r = measure(settings, args.subjects)
        print(
            f"| {name} | {args.subjects:,} | {r['backup MiB']:.1f} MiB | "
            f"{r['discreet create s']:.2f} s / {r['peer create s']:.2f} s "
            f"({r['discreet create s'] / r['peer create s']:.1f}x) | "
            f"{r['discreet restore s']:.2f} s / {r['peer restore s']:.2f} s "
            f"({r['discreet restore s'] / r['peer restore s']:.1f}x) | "
            f"{r['discreet verify s']:.2f} s |"
        )


if __name__ == "__main__":
    main()
