"""The engine: targets, calling code under test, checks, verdicts, the decision function, ledgers and
the verification run.

Importing it sets ``OMP_WAIT_POLICY=PASSIVE`` unless the environment sets it (:mod:`suite.engine.threads`:
torch's idle threads sleep instead of spinning; the same values, far less CPU on a busy machine), before
any engine module imports torch, so that every command and the pytest driver get it, and so do the
processes they start."""

from suite.engine import threads

threads.sleep_when_idle()
