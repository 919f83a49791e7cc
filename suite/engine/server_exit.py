"""Imported by the workers' fork server only (first in :data:`suite.engine.warm.PRELOAD`): the server ends
with ``os._exit`` as soon as its interpreter starts to finalize.

The server lives until the verifier exits, then finalizes an interpreter that imported torch, scipy and
the engine: about a second of tearing down modules. It holds the verifier's standard output and error
(its workers write there), so whoever reads them through a pipe (a CI log, ``| tail``,
``subprocess.run``) waits that second after the verifier has finished. The server ran no code of its own
beyond imports and forks and has nothing to flush or clean up; ``atexit`` runs this handler first, before
any teardown. Workers never run it: a forked worker ends with ``os._exit`` as it is."""

from __future__ import annotations

import atexit
import os
import sys


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


atexit.register(_exit_now)
