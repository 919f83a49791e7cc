"""Imported by the workers' fork server only, first (:data:`suite.engine.warm.PRELOAD`): the server's
imports run without automatic garbage collections (:func:`suite.engine.heap.pause`; a fifth of their time
otherwise) and without what the workers never use (:func:`suite.engine.lean_imports.prepare`). The
server itself only forks; each worker freezes what it inherited and collects again once
it has loaded the target (:func:`suite.engine.heap.freeze`)."""

from __future__ import annotations

from suite.engine import heap, lean_imports

heap.pause()
lean_imports.prepare()
