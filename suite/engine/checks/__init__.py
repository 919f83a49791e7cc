"""The checks: each takes a case context and the target's output and returns verdicts."""
