"""Running the audit on a model sharded over several processes (``python -m suite audit --world-size N``).

The processes are torch's own: :func:`torch.distributed.launcher.api.elastic_launch` (what ``torchrun``
runs) starts N ranks on this machine with a c10d rendezvous on a free local port; inside a ``torchrun``
job (its environment variables set) the command runs as the rank it already is. Each rank joins the
process group (gloo on CPU, NCCL where there are GPUs), builds the device mesh (``--mesh``, default one
dimension of N), calls the factory with ``mesh=`` when it takes one, and runs the ordinary audit with a
:class:`~suite.audit.distributed.reader.ShardedReader`; rank 0's result comes back.

A rank that crashes or hangs does not lose the run: every collective waits at most ``timeout`` seconds
(the process group's timeout), a watchdog stops a rank that runs longer, the launcher stops the others
when one fails, and the parent turns what each rank left (its error file) into a failing
``ranks.complete`` verdict in an otherwise ordinary result, written out like any other.
"""

from __future__ import annotations

import faulthandler
import inspect
import json
import os
import tempfile
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..run import AuditError, AuditResult, FactoryFailed, build_seed
from ..spec import SpecError


@dataclass
class Job:
    """Everything a rank needs, by value (it is pickled to spawned ranks)."""

    model: str  # MODULE:FACTORY, loaded in each rank
    spec: str | None
    mesh: tuple[int, ...]
    timeout: float
    options: dict = field(default_factory=dict)  # seed, builds, budget, alpha
    expect: str | None = None
    errors: str | None = None  # folder for each rank's error record


def in_torchrun() -> bool:
    """True inside a job started by ``torchrun`` (or another launcher setting torch's variables)."""
    return all(k in os.environ for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"))


def mesh_names(mesh: tuple[int, ...]) -> tuple[str, ...]:
    """The mesh's dimension names: ``dp`` for one dimension; ``dp``, ``tp`` for two; ``d0``, ... beyond."""
    return {1: ("dp",), 2: ("dp", "tp")}.get(len(mesh), tuple(f"d{i}" for i in range(len(mesh))))


def _load(text: str):
    from suite.audit.factory import load_callable

    return load_callable(text, "--model")


def run_rank(job: Job, stack=None) -> AuditResult:
    """This process as one rank: process group, mesh, factory, the audit (every rank returns the same
    result; rank 0's is the one written)."""
    return run_ranks([job], stack)[0]


def run_ranks(jobs: list[Job], stack=None) -> list[AuditResult]:
    """Several audits in one process group (tests launch the ranks once for a battery of models)."""
    import torch
    import torch.distributed as dist

    # the watchdog of a rank that hangs: its stack to ``stack`` (default stderr), then exit
    timeout = sum(job.timeout for job in jobs)
    faulthandler.dump_traceback_later(timeout, exit=True, **({"file": stack} if stack else {}))
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    device = "cuda" if backend == "nccl" else "cpu"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend, timeout=timedelta(seconds=max(job.timeout for job in jobs)))
    try:
        world = dist.get_world_size()
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
        return [_audit(job, world, device, backend) for job in jobs]
    finally:
        faulthandler.cancel_dump_traceback_later()
        dist.destroy_process_group()


def _audit(job: Job, world: int, device: str, backend: str) -> AuditResult:
    """One audit in the running process group: its mesh, the factory called with it, the sharded reader."""
    from torch.distributed.device_mesh import init_device_mesh

    from .. import spec as specs
    from ..run import audit
    from .reader import ShardedReader

    mesh = init_device_mesh(device, job.mesh or (world,), mesh_dim_names=mesh_names(job.mesh or (world,)))
    factory = _load(job.model)
    takes_mesh = "mesh" in inspect.signature(factory).parameters

    def build():
        return factory(mesh=mesh) if takes_mesh else factory()

    build.__qualname__ = getattr(factory, "__qualname__", job.model)
    ledger = None
    if job.expect:
        from suite.engine.ledger import Ledger

        ledger = Ledger.read(job.expect)
    spec = specs.load(job.spec) if job.spec else None
    result = audit(build, spec, name=job.model, ledger=ledger, reader=ShardedReader(), **job.options)
    result.notes.append(
        f"sharded over {world} ranks ({backend}), mesh {tuple(mesh.shape)} {mesh.mesh_dim_names}; every read "
        "of a tensor combines the ranks' shards (a few collectives per tensor)"
    )
    return result


def _worker(jobs: list[Job]):
    """A spawned rank: the audit, or a record of why it failed (read by the parent), then the failure."""
    rank = int(os.environ.get("RANK", 0))
    stack = open(Path(jobs[0].errors) / f"rank-{rank}.stack", "w") if jobs[0].errors else None  # noqa: SIM115
    try:
        results = run_ranks(jobs, stack)
    except BaseException as error:
        if jobs[0].errors:
            usage = isinstance(error, (AuditError, SpecError)) or (
                isinstance(error, ValueError) and str(error).startswith("--")
            )
            kind = "factory" if isinstance(error, FactoryFailed) else "usage" if usage else "crash"
            record = {
                "kind": kind,
                "message": f"{type(error).__name__}: {error}" if kind == "crash" else str(error),
                "traceback": traceback.format_exc(),
            }
            (Path(jobs[0].errors) / f"rank-{rank}.json").write_text(json.dumps(record))
        raise
    return results if rank == 0 else None


def launch(job: Job, world_size: int) -> AuditResult:
    """Start ``world_size`` ranks with torch's elastic launcher on this machine; rank 0's result, or,
    when a rank failed, a result whose ``ranks.complete`` verdict says which and why. A usage error or a
    factory that failed (the same on every rank) is raised as :class:`AuditError` or :class:`FactoryFailed`."""
    return launch_all([job], world_size)[0]


def launch_all(jobs: list[Job], world_size: int) -> list[AuditResult]:
    """:func:`launch` of several audits in one set of ranks (one start-up: torch's import dominates);
    when a rank fails, every job's result is the failure."""
    import logging

    from torch.distributed.elastic.multiprocessing import DefaultLogsSpecs
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)  # failures become the verdict
    with tempfile.TemporaryDirectory(prefix="initcheck-ranks-") as folder:
        for job in jobs:
            job.errors = folder
        config = LaunchConfig(
            min_nodes=1,
            max_nodes=1,
            nproc_per_node=world_size,
            run_id=f"initcheck-{uuid.uuid4().hex[:8]}",
            rdzv_backend="c10d",
            rdzv_endpoint="localhost:0",
            max_restarts=0,
            monitor_interval=0.1,
            start_method="spawn",
            logs_specs=DefaultLogsSpecs(log_dir=str(Path(folder) / "logs")),
        )
        try:
            results = elastic_launch(config, _worker)(jobs)
        except ChildFailedError:
            return [_failed(job, world_size, Path(folder)) for job in jobs]
        return results[0]


def _failed(job: Job, world_size: int, folder: Path) -> AuditResult:
    from ..cross import verdict

    seed = job.options.get("seed", 0)
    records = {}
    for rank in range(world_size):
        path = folder / f"rank-{rank}.json"
        if path.is_file():
            records[rank] = json.loads(path.read_text())
        else:
            stack = folder / f"rank-{rank}.stack"
            text = stack.read_text().strip() if stack.is_file() else ""
            records[rank] = {
                "kind": "stopped",
                "message": "stopped without a result (hung past the timeout, killed, or stopped when another "
                "rank failed)" + (f"; last stack: {text.splitlines()[-1].strip()}" if text else ""),
            }
    kinds, messages = {r["kind"] for r in records.values()}, {r["message"] for r in records.values()}
    raised = {"usage": AuditError, "factory": FactoryFailed}
    if len(kinds) == 1 and len(messages) == 1 and (kind := kinds.pop()) in raised:  # every rank, the same error
        raise raised[kind](messages.pop())
    builds = job.options.get("builds", 2)
    result = AuditResult(
        job.model,
        seed,
        job.options.get("budget", "default"),
        job.options.get("alpha", 1e-3),
        [build_seed(seed, k) for k in range(builds)],
        job.spec,
    )
    failed = sorted(r for r, rec in records.items() if rec["kind"] != "stopped")
    result.model_verdicts.append(
        verdict(
            job.model,
            "(model)",
            "ranks.complete",
            f"all {world_size} ranks finish the audit",
            False,
            seed,
            "",
            measured="; ".join(f"rank {r}: {rec['message']}" for r, rec in records.items()),
            reason=f"rank(s) {', '.join(map(str, failed)) or 'unknown'} failed first; no verdicts on the parameters",
        )
    )
    result.model_verdicts[-1].status = "fail"
    for r, rec in records.items():
        if rec.get("traceback"):
            result.notes.append(f"rank {r} traceback: {rec['traceback'].strip().splitlines()[-1]}")
    result.ranks = [{"rank": r, "error": rec["message"]} for r, rec in records.items()]
    return result


def compare_world_sizes(job: Job, sizes: list[int], same_values: bool = False) -> tuple[list[AuditResult], list]:
    """The model at several world sizes (each launched alone): one audit per size, and the verdicts
    across sizes. ``world_sizes.same_law``: every parameter's law checks reach the same statuses at every
    size (a law that holds at 2 ranks and fails at 4, or the reverse, depends on the sharding).
    ``world_sizes.same_values`` (when the framework promises it, ``same_values=True``): every parameter
    holds the same values at its sketch's global positions at every size; otherwise the parameters whose
    values differ are listed in a note of the first result."""
    from ..cross import verdict

    results = [launch(Job(job.model, job.spec, (n,), job.timeout, dict(job.options), job.expect), n) for n in sizes]
    seed = job.options.get("seed", 0)
    verdicts = []
    if any(r.fingerprints is None for r in results):
        return results, verdicts  # a failed launch: its ranks.complete verdict says why
    sharded_only = ("shards.", "replicas.", "ranks.")
    for name in [p.name for p in results[0].params]:
        statuses = []
        for r in results:
            report = next(p for p in r.params if p.name == name)
            law = sorted((v.check, v.case, v.status) for v in report.verdicts if not v.check.startswith(sharded_only))
            statuses.append(law)
        if any(s != statuses[0] for s in statuses[1:]):
            verdicts.append(
                verdict(
                    job.model,
                    name,
                    "world_sizes.same_law",
                    f"{name}'s law checks reach the same verdicts at world sizes {sizes}",
                    False,
                    seed,
                    "",
                    measured="; ".join(
                        f"{n} ranks: {sum(s == 'fail' for *_, s in st)} failed"
                        for n, st in zip(sizes, statuses, strict=True)
                    ),
                    reason="the initialization depends on how the model is sharded",
                )
            )
        prints = {r.fingerprints.get(name) for r in results}
        if len(prints) > 1:
            if same_values:
                verdicts.append(
                    verdict(
                        job.model,
                        name,
                        "world_sizes.same_values",
                        f"{name} holds the same values at world sizes {sizes}",
                        False,
                        seed,
                        "",
                        measured=f"{len(prints)} different value fingerprints over {len(sizes)} world sizes",
                    )
                )
            else:
                results[0].notes.append(f"{name}: its values differ between world sizes {sizes} (law compared only)")
    if not verdicts:
        verdicts.append(
            verdict(
                job.model,
                "(model)",
                "world_sizes.same_law",
                f"every parameter's law checks reach the same verdicts at world sizes {sizes}"
                + (" and the same values" if same_values else ""),
                True,
                seed,
                "",
            )
        )
    for v in verdicts:
        v.status = "pass" if v.passed else "fail"
    return results, verdicts
