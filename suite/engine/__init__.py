"""The engine: targets, calling code under test, checks, verdicts, the decision function, ledgers and
the verification run."""
