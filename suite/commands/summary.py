"""The terminal summary and the JSON record (initcheck.verify/1) of a verification run."""

from __future__ import annotations

from collections import Counter, defaultdict

from suite.engine import environment
from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS
from suite.engine.verification import Outcome

SCHEMA = "initcheck.verify/1"


def replay_command(outcome: Outcome, only: str | None = None) -> str:
    command = f"python -m suite verify --target {outcome.target} --seed {outcome.seed} --budget {outcome.budget}"
    if outcome.alpha != 1e-3:
        command += f" --alpha {outcome.alpha:g}"
    return command + (f" --only {only}" if only else "")


def initializer_rows(outcome: Outcome) -> list[dict]:
    groups: dict[str, list] = defaultdict(list)
    for v in outcome.verdicts:
        groups[v.initializer].append(v)
    rows = []
    for name, verdicts in groups.items():
        counts = Counter(v.status for v in verdicts)
        status = FAIL if counts[FAIL] else (DEVIATION if counts[DEVIATION] else PASS)
        rows.append(
            {
                "name": name,
                "status": status,
                "verdicts": len(verdicts),
                "failed": counts[FAIL],
                "deviations": counts[DEVIATION],
                "fixed_deviations": counts[DEVIATION_FIXED],
            }
        )
    rows += [
        {
            "name": n,
            "status": "not-provided",
            "verdicts": 0,
            "failed": 0,
            "deviations": 0,
            "fixed_deviations": 0,
        }
        for n in outcome.not_provided
    ]
    return rows


def verdict_line(outcome: Outcome) -> str:
    """What the exit status means for this run; a run without verdicts never reads as a pass."""
    if outcome.failed:
        return "a claim is violated"
    if not outcome.verdicts:
        return "nothing was verified (no verdicts): no claim was checked"
    return "every claim holds" + (
        " (known deviations aside)" if any(v.status == DEVIATION for v in outcome.verdicts) else ""
    )


def time_line(outcome: Outcome) -> str:
    """Where the checks' time went, summed over their parts (whichever process ran them): the target's
    own calls, drawing the calls from their strategies, and the suite's checks and statistics. Not in the
    JSON, which is the same for the same seed whatever the machine and the number of workers."""
    spent = outcome.spent
    own = max(0.0, spent.seconds - spent.calls - spent.drawing)
    return (
        f"The checks' time, summed over their parts: {spent.seconds:.1f} s; {spent.calls:.1f} s in {outcome.target}'s "
        f"calls, {spent.drawing:.1f} s drawing the calls (Hypothesis), {own:.1f} s in the suite's checks and statistics"
    )


def summary(outcome: Outcome) -> str:
    rows = initializer_rows(outcome)
    counts = Counter(v.status for v in outcome.verdicts)
    lines = ["", f"{'initializer':<24}{'verdicts':>9}{'failed':>8}{'known dev.':>11}  status", "-" * 62]
    for row in rows:
        if row["status"] == "not-provided":
            continue  # listed once, below
        lines.append(f"{row['name']:<24}{row['verdicts']:>9}{row['failed']:>8}{row['deviations']:>11}  {row['status']}")
    lines.append("-" * 62)
    tested = sum(v.statistical for v in outcome.verdicts)
    lines.append(
        f"{len(outcome.verdicts)} verdicts ({tested} statistical, Holm at family-wise alpha {outcome.alpha:g}): "
        f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[DEVIATION]} known deviations, "
        f"{counts[DEVIATION_FIXED]} ledgered but passing; {outcome.seconds:.1f} s"
    )
    lines.append(time_line(outcome))
    failed = outcome.failed
    if failed:
        lines += ["", "FAILED (claimed vs measured; the seed replays the draw):"]
        first: dict[tuple[str, int], str] = {}  # a case's checks share one draw: its diagnosis is printed once
        for v in failed:
            text = v.describe()
            if v.diagnosis and (v.initializer, v.case) in first:
                text = text.replace(v.diagnosis["text"], f"as for {first[v.initializer, v.case]} above")
            elif v.diagnosis:
                first[v.initializer, v.case] = v.id
            lines.append(text)
        names = ",".join(sorted({v.initializer for v in failed}))
        lines.append(f"\nReplay: {replay_command(outcome, names)}")
    fixed = [v for v in outcome.verdicts if v.status == DEVIATION_FIXED]
    if fixed:
        lines += ["", "Ledgered deviations that now pass (remove them from the ledger?):"]
        lines += [f"  {v.id}: {v.reason}" for v in fixed]
    deviations = [v for v in outcome.verdicts if v.status == DEVIATION]
    if deviations and outcome.ledger is not None:
        ledger = outcome.ledger.to_json()
        lines += ["", f"Known deviations ({ledger['path']}), each with the verdicts it covers:"]
        for entry in outcome.ledger.entries:
            covered = sorted({v.id for v in deviations if outcome.ledger.match(v) is entry})
            if covered:
                lines.append(
                    f"  {', '.join(entry.check)}"
                    + (f" [{entry.call}]" if entry.call != "*" else "")
                    + f": {entry.reason}"
                )
                lines.append(
                    f"      {len(covered)} verdicts: {', '.join(covered[:4])}{', ...' if len(covered) > 4 else ''}"
                )
    if outcome.not_provided:
        lines.append(f"\nNot provided by {outcome.target}: {', '.join(outcome.not_provided)}")
    lines.append(f"\nExit status {outcome.exit_code}: {verdict_line(outcome)}")
    return "\n".join(lines)


def to_json(outcome: Outcome) -> dict:
    counts = Counter(v.status for v in outcome.verdicts)
    return {
        "schema": SCHEMA,
        "suite_version": environment.SUITE_VERSION,
        "target": outcome.target,
        "seed": outcome.seed,
        "budget": outcome.budget,
        "alpha": outcome.alpha,
        "environment": environment.describe(),
        "ledger": outcome.ledger.to_json() if outcome.ledger else None,
        "initializers": initializer_rows(outcome),
        "verdicts": [v.to_json() for v in outcome.verdicts],
        "summary": {
            "verdicts": len(outcome.verdicts),
            "passed": counts[PASS],
            "failed": counts[FAIL],
            "deviations": counts[DEVIATION],
            "fixed_deviations": counts[DEVIATION_FIXED],
            "not_provided": outcome.not_provided,
            "exit_code": outcome.exit_code,
            "replay": replay_command(outcome),
        },
    }
