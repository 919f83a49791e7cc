"""Checks only a sharded model needs, and what they say (each names the parameter and the ranks):

* ``shards.distinct``: the shards of one random parameter are not identical and not correlated, judged
  on sketches (the values at the same <= 4096 local positions of every shard, positions of the smallest
  shard), never by moving shards: the same threshold as between parameters (:mod:`suite.audit.cross`).
  Identical shards are the signature of every rank filling its shard from the same RNG state.
* ``replicas.equal``: every rank holding the same box (a ``Replicate()`` placement, or a plain tensor each
  rank holds whole) holds the same bytes (digests compared).
* ``shards.initialized``: each rank's own shard of a random parameter has no values that no initializer
  produces (subnormals, NaN/inf, |x| > 1e8) and is not constant: a shard left as ``to_empty`` memory,
  named with its rank even where the merged statistics alone would only say the law fails.

:func:`local_fan_hints` reads a failing std against the number of shards: a ratio of sqrt(k) with k
shards along a fan dimension is the local shard's fan used for the global tensor.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np

from ..cross import CORRELATED, HUGE, STANDARD_ERRORS, verdict
from ..laws import CALL, NONE
from ..params import Param
from ..sample import SKETCH, digest, sketch_positions
from .reader import local_of

#: Shards smaller than this are compared for identity only (as parameters are in :mod:`suite.audit.cross`).
MIN_CORRELATION = 64
#: A std ratio within this relative distance of sqrt(k) is read as the local fan of k shards.
HINT_TOLERANCE = 0.05


def _ranks(ranks) -> str:
    ranks = sorted(set(ranks))
    return ("rank " if len(ranks) == 1 else "ranks ") + ", ".join(map(str, ranks))


def _random(law, p: Param) -> bool:
    if law.kind == CALL:
        from ..per_param import kind

        return law.random and kind(law) != "sparse"
    return law.kind == NONE and not p.buffer


def across_ranks(reader, label: str, params: list[Param], laws: dict, seed: int) -> list:
    """One gather per tensor (each rank's box, digest and sketch); the verdicts every rank computes alike."""
    failed, compared = [], {"distinct": 0, "replicas": 0, "initialized": 0}
    worst = 0.0
    for p in params:
        law = laws[p.name]
        if law.kind == "ignore" or not p.tensor.numel():
            continue
        shards = reader.shards[p.name]  # (box, own summary) of every rank, from the summary gather
        random = _random(law, p) and p.tensor.is_floating_point()
        local = local_of(p.tensor)
        contributing = [b.numel for b, _ in shards if b.contributes and b.numel]
        m = min(contributing) if contributing else 0
        mine = None
        if random and reader.box(p).contributes and local.numel() and m:
            mine = local.reshape(-1)[sketch_positions(m)].double().numpy()
        parts = reader.gather((digest(local), mine))

        groups: dict[tuple, list[int]] = {}
        for rank, (b, _) in enumerate(shards):
            groups.setdefault((b.offset, b.shape), []).append(rank)
        for members in groups.values():
            if len(members) < 2:
                continue
            compared["replicas"] += 1
            differ = [r for r in members[1:] if parts[r][0] != parts[members[0]][0]]
            if differ:
                failed.append(
                    verdict(
                        label,
                        p.name,
                        "replicas.equal",
                        f"the replicas of {p.name} (one box, {_ranks(members)}) hold the same values",
                        False,
                        seed,
                        law.text,
                        measured=f"{_ranks(differ)} differ from rank {members[0]}",
                        reason="a replicated parameter initialized differently on different ranks",
                    )
                )
        if not random:
            continue
        compared["initialized"] += 1
        bad = [
            rank
            for rank, (b, s) in enumerate(shards)
            if b.numel
            and (
                s.nonfinite
                or s.subnormal
                or (s.count and max(abs(s.low), abs(s.high)) > HUGE)
                or (b.numel >= 2 and s.count == b.numel and s.std == 0)
            )
        ]
        if bad:
            described = "; ".join(_shard_text(r, shards[r][1]) for r in bad)
            failed.append(
                verdict(
                    label,
                    p.name,
                    "shards.initialized",
                    f"every rank's shard of {p.name} holds values its law ({law.text}) can produce",
                    False,
                    seed,
                    law.text,
                    measured=f"{_ranks(bad)}: {described}",
                    reason="a shard left uninitialized (to_empty memory, or an init that skipped it)",
                )
            )
        sketched = [(r, s) for r, (_, s) in enumerate(parts) if s is not None]
        if len(sketched) < 2:
            continue
        compared["distinct"] += 1
        pairs, text = _similar_pairs(sketched)
        worst = max([worst, *(r for _, r in pairs if not math.isinf(r))])
        if text:
            failed.append(
                verdict(
                    label,
                    p.name,
                    "shards.distinct",
                    f"the shards of {p.name} are independent draws (not identical, |r| < threshold)",
                    False,
                    seed,
                    law.text,
                    measured=text,
                    reason="every rank filled its shard from the same generator state (seed it per rank, or "
                    "use an offset-based generator)",
                )
            )
    if not failed:
        failed.append(
            verdict(
                label,
                "(model)",
                "shards.distinct",
                "shards of random parameters are distinct, replicas equal, every shard initialized",
                True,
                seed,
                "",
                measured=f"{compared['distinct']} sharded tensors compared across ranks, "
                f"(largest |r| {worst:.3f}), {compared['replicas']} replica groups, "
                f"{compared['initialized']} tensors' shards checked",
            )
        )
    return failed


def _shard_text(rank: int, s) -> str:
    largest = max(abs(s.low), abs(s.high)) if s.count else 0.0
    if s.nonfinite or s.subnormal or largest > HUGE:
        return f"rank {rank}: {s.subnormal} subnormal, {s.nonfinite} non-finite, max |x| {largest:.3g}"
    return f"rank {rank}: constant {s.low:.6g}"


def _similar_pairs(sketched: list[tuple[int, np.ndarray]]) -> tuple[list, str]:
    """Pairs of shards compared: ((rank a, rank b), |r|) and the text of those identical or correlated."""
    n = sketched[0][1].size
    threshold = max(CORRELATED, STANDARD_ERRORS / math.sqrt(n)) if n >= MIN_CORRELATION else math.inf
    identical, correlated, pairs = [], [], []
    for (ra, a), (rb, b) in itertools.combinations(sketched, 2):
        if np.array_equal(a, b):
            identical.append((ra, rb))
            pairs.append(((ra, rb), math.inf))
            continue
        r = 0.0
        if n >= MIN_CORRELATION and a.std() > 0 and b.std() > 0:
            r = abs(float(np.corrcoef(a, b)[0, 1]))
        pairs.append(((ra, rb), r))
        if r >= threshold:
            correlated.append((ra, rb, r))
    parts = []
    if identical:
        parts.append("identical shards on " + "; ".join(f"ranks {a} and {b}" for a, b in identical))
    if correlated:
        parts.append("correlated shards: " + "; ".join(f"ranks {a} and {b} r = {r:.3f}" for a, b, r in correlated))
    if parts:
        parts.append(f"(sketches of {n} positions per shard, of {min(n, SKETCH)} compared)")
    return pairs, "; ".join(parts)


def local_fan_hints(result) -> None:
    """Add to a failing ``scale`` verdict of a sharded tensor the reading 'std off by sqrt(k): the local
    shard's fan', when the measured-to-claimed std ratio is within 5% of sqrt(k) or 1/sqrt(k), k the
    number of shards along one tensor dimension (or along all)."""
    for report in result.params:
        if report.status != "fail" or not report.placement:
            continue
        counts = [int(k) for k in re.findall(r"=(\d+):Shard\(", report.placement)]
        if not counts:
            continue
        scale = [v for v in report.verdicts if v.check == "scale" and v.status == "fail"]
        if not scale or not isinstance(scale[0].claimed, float) or not scale[0].claimed:
            continue
        ratio = report.summary.std / scale[0].claimed
        for k in sorted({*counts, math.prod(counts)} - {1}):
            near = [
                text
                for value, text in ((math.sqrt(k), f"sqrt({k})"), (1 / math.sqrt(k), f"1/sqrt({k})"))
                if abs(ratio / value - 1) < HINT_TOLERANCE
            ]
            if near:
                hint = (
                    f"{report.name}: measured std / claimed = {ratio:.3f}, about {near[0]}, and it is sharded {k} "
                    f"ways ({report.placement}): looks like the local shard's fan, not the global one"
                )
                scale[0].reason = (scale[0].reason + "; " if scale[0].reason else "") + hint
                result.notes.append(hint)
                break


def per_rank_power(reader, result) -> None:
    """State, per sharded parameter, what one rank's shard alone could detect: the reason the ranks
    combine their samples (the merged sample's power is the unsharded audit's)."""
    from ..per_param import _detectable

    for report in result.params:
        power, param = report.power, reader.params.get(report.name)
        if power is None or power.detectable is None or param is None or report.law.kind != CALL:
            continue
        largest = max((b.numel for b, _ in reader.shards[report.name] if b.contributes), default=0)
        if not largest or largest >= param.tensor.numel():
            continue
        marginal = report.law.claim(param).marginal
        alone = min(power.sample, largest)
        detectable = _detectable(alone, result.check_alpha, round(marginal.kurtosis, 6), marginal.family == "normal")
        power.note += f"; one rank's shard alone ({alone} values) would detect {detectable:.2%}"
