"""The same jobs on a Ray cluster (``--engine ray``), with Ray Data.

Needs the optional ``ray`` extra (``pip install 'discreet[ray]'``); nothing else imports
this module. Partitions are the unit of work, exactly as on one machine: Ray Data maps
the list of pending partition numbers over a pool of actors, each of which builds the
detectors once (:class:`~discreet.export.training.PartitionWorker`) and then anonymises
and writes whole partitions (atomically) into the output directory, which on a cluster
must be storage every node mounts. Workers read transcripts from the data store (its URL
travels in the worker spec) or from a Parquet snapshot; no worker ever receives a vault
key: the anonymiser replaces tokens without their values.

Without ``--address`` a local Ray instance is started with one CPU per worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from discreet.errors import Unavailable


class RayUnavailable(Unavailable, code="ray_unavailable"):
    """Ray is not installed (``pip install 'discreet[ray]'``) or the cluster is unreachable."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailable(
            "--engine ray needs Ray: pip install 'discreet[ray]' (or use the default local engine)"
        ) from None
    return ray


def _init(ray: Any, workers: int, address: str | None) -> bool:
    """Connect (or start a local instance); True when this call started it."""
    if ray.is_initialized():
        return False
    try:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
    except Exception as exc:  # connection errors come in many classes
        raise RayUnavailable(
            f"cannot start or reach the Ray cluster ({type(exc).__name__})"
        ) from None
    ray.data.DataContext.get_current().enable_progress_bars = False
    return True


class _PartitionActor:
    """A Ray Data actor: builds the partition worker (detectors) once, then maps."""

    def __init__(self, spec: Any) -> None:
        from discreet.export.training import PartitionWorker

        self.worker = PartitionWorker(spec)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        return {"result": [json.dumps(self.worker.process(int(p))) for p in batch["partition"]]}


def run_ray(
    spec: Any,
    partitions: Sequence[int],
    workers: int | None,
    address: str | None,
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Anonymise `partitions` on Ray; `on_done` gets each partition's result."""
    ray = _ray()
    size = max(1, min(workers or 2, len(partitions)))
    started = _init(ray, size, address)
    try:
        data = ray.data.from_items(
            [{"partition": p} for p in partitions], override_num_blocks=len(partitions)
        )
        mapped = data.map_batches(
            _PartitionActor,
            fn_constructor_kwargs={"spec": spec},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=size),
            num_cpus=1,
        )
        for row in mapped.iter_rows():
            on_done(json.loads(row["result"]))
    finally:
        if started:
            ray.shutdown()


class _DetectActor:
    def __init__(self, config: dict[str, Any]) -> None:
        from discreet.detect.config import DetectorConfig
        from discreet.detect.detector import Detector

        self.detector = Detector(DetectorConfig.model_validate(config))

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        texts = [str(t) for t in batch["text"]]
        languages = [str(lang) if lang else None for lang in batch["language"]]
        found = self.detector.detect_batch(texts, languages)
        return {
            "index": list(batch["index"]),
            "findings": [
                json.dumps(
                    [[f.start, f.end, f.type.value, f.score, f.recognizer, f.subtype] for f in fs]
                )
                for fs in found
            ],
        }


def detect_ray(
    config: dict[str, Any],
    texts: Sequence[str],
    languages: Sequence[str | None],
    workers: int | None,
    address: str | None,
    batch_size: int = 256,
) -> list[list[Any]]:
    """`discreet scan --engine ray`: findings per text, in input order."""
    from discreet.detect.base import Finding
    from discreet.detect.entities import EntityType

    ray = _ray()
    size = max(1, workers or 2)
    started = _init(ray, size, address)
    try:
        data = ray.data.from_items(
            [
                {"index": i, "text": t, "language": lang or ""}
                for i, (t, lang) in enumerate(zip(texts, languages, strict=True))
            ]
        )
        mapped = data.map_batches(
            _DetectActor,
            fn_constructor_kwargs={"config": config},
            batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(size=size),
            num_cpus=1,
        )
        out: list[list[Any]] = [[] for _ in texts]
        for row in mapped.iter_rows():
            out[int(row["index"])] = [
                Finding(s, e, EntityType(t), float(score), rec, sub)
                for s, e, t, score, rec, sub in json.loads(row["findings"])
            ]
        return out
    finally:
        if started:
            ray.shutdown()
