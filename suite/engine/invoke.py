"""Calling a target's initializer robustly: a function that raises, hangs, returns garbage or a new
tensor gets a failure reason, never a crash of the suite."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import signal
import threading
import time
from collections.abc import Iterable, Iterator

import torch

from suite.engine import spent
from suite.spec.strategies import Call


class CallFailed(Exception):
    """The target's function did not complete a call; ``str()`` says why, ``error`` is what it raised
    (``None`` when it ran past the time limit)."""

    def __init__(self, reason: str, error: BaseException | None = None):
        super().__init__(reason)
        self.error = error


class TimedOut(BaseException):
    """Raised inside the target's code by the timer (a BaseException, so the target's own
    ``except Exception`` cannot swallow it)."""


class UnitTimedOut(BaseException):
    """The unit of work (one initializer's checks) ran past its time limit: raised where the next call of
    the target would start (a BaseException, so neither the target's nor a check's ``except Exception``
    stops it; :mod:`suite.engine.workers` turns it into the unit's one failing verdict)."""


#: ``time.monotonic()`` after which no further call of the target starts in the current unit of work
#: (None: no unit time limit); set by :func:`unit_time_limit`.
unit_deadline: float | None = None


@contextlib.contextmanager
def unit_time_limit(seconds: float | None):
    """The block is one unit of work that may run ``seconds`` (None: no limit): every timed call of the
    target (:func:`time_limit`) that would start later raises :class:`UnitTimedOut` instead. A unit
    stuck in a single call is the per-call limit's business, or (in a worker) the parent's, which kills
    the worker when the unit's time has passed."""
    global unit_deadline
    previous = unit_deadline
    unit_deadline = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        unit_deadline = previous


class time_limit:
    """Interrupt the block after ``seconds`` with SIGALRM, which raises :class:`TimedOut` in it (main
    thread on Unix only; elsewhere no limit). In this process the timer is ``ITIMER_REAL``, wall-clock
    time; in a worker process the :data:`monitor` tells the parent the limit instead, and the parent
    sends SIGALRM when the call has run ``seconds`` of the worker's own time (time the machine gave
    to other processes, or the worker spent stopped, does not count: :mod:`suite.engine.workers`), and
    kills the worker if the call is stuck inside C and so never hears it. Past the unit's deadline
    (:func:`unit_time_limit`, or the parent's word in a worker) the block does not start:
    :class:`UnitTimedOut`. A class rather than a generator-based context manager: it runs around every
    call of the target (hundreds of thousands in a run), and costs half as much so."""

    __slots__ = ("installs", "outer", "own_timer", "previous", "seconds", "watch")

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self) -> None:
        global _timing
        watch = self.watch = monitor
        past_deadline = unit_deadline is not None and time.monotonic() > unit_deadline
        if past_deadline or (watch is not None and watch.unit_over()):
            raise UnitTimedOut
        if watch is not None:
            watch.arm(self.seconds)
        timed = self.seconds > 0 and _alarm_usable()
        # else alarm_handler() installed it for the enclosing block
        self.installs = installs = timed and not _handler_installed
        self.previous = signal.signal(signal.SIGALRM, _interrupt) if installs else None
        self.own_timer = timed and watch is None
        if self.own_timer:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self.outer, _timing = _timing, timed or _timing

    def __exit__(self, *exc_info) -> None:
        global _timing
        _timing = self.outer
        if self.own_timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if self.installs:
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self.previous is None else self.previous)
        if self.watch is not None:
            self.watch.disarm()


def _alarm_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: Whether a timed block (:func:`time_limit`) is running: a SIGALRM that arrives after the block ended
#: (the parent's, sent as the call returned) is then ignored rather than raised in the suite's code.
_timing = False


def _interrupt(signum, frame):
    if _timing:
        raise TimedOut


#: Whether :func:`alarm_handler` installed the handler for the enclosing block (so that each
#: :func:`time_limit` inside it only sets and clears the timer).
_handler_installed = False


@contextlib.contextmanager
def alarm_handler():
    """The SIGALRM handler of :func:`time_limit` installed once for the block, the previous one restored
    after it: a loop of many short timed calls then skips installing and restoring it around each call
    (a few microseconds each). Installed again on entry even inside another such block, so that a
    handler the code under test replaced is put back before its next batch of calls (each draw); in a
    worker, a call whose timer then went unheard is still killed by the parent at its limit."""
    global _handler_installed
    if not _alarm_usable():
        yield
        return
    previous, outer = signal.signal(signal.SIGALRM, _interrupt), _handler_installed
    _handler_installed = True
    try:
        yield
    finally:
        _handler_installed = outer
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from any parts (run seed, initializer, case, replicate): stable across runs and
    platforms (SHA-256, not Python's salted hash)."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def generator(seed: int, device: str = "cpu") -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


#: Functions (by :func:`function_name`) not to call again in this unit of work, with why: one that ran
#: past the time limit once, or (:mod:`suite.engine.workers`) one that killed a worker or hung in another
#: part of the same initializer's checks. :mod:`suite.engine.process_state` clears it between units: a
#: hang costs one time limit per function checked, not one per remaining check.
_HUNG: dict[str, str] = {}


def function_name(fn) -> str:
    """How the suite names a target's function in its bookkeeping: its ``__name__`` (a callable object's
    type name when it has none); never the target's own ``__hash__`` or ``__eq__``."""
    return getattr(fn, "__name__", None) or type(fn).__name__


#: Who watches target calls from outside (:mod:`suite.engine.workers` sets it inside a worker process);
#: ``None`` in-process. It has ``start(fn)``, which numbers the call and raises :class:`CallFailed` for
#: a call that killed an earlier worker, and ``end()``; ``arm(seconds)`` and ``disarm()`` around every
#: timed block; ``explain(error) -> str``, a note on the worker's limits for an allocation failure.
monitor = None


def takes_generator(fn) -> bool:
    """Whether ``fn`` accepts ``generator=`` (a ``generator`` parameter or ``**kwargs``; True when its
    signature cannot be read). Remembered per function (reading a signature costs more than many a call)."""
    seen = _TAKES_GENERATOR.get(id(fn))
    if seen is not None and seen[0] is fn:
        return seen[1]
    answer = _reads_generator(fn)
    _TAKES_GENERATOR[id(fn)] = (fn, answer)
    return answer


#: takes_generator's answers by ``id(fn)``, with the function itself: it is kept alive, so its id is not
#: reused, and the target's own ``__hash__``/``__eq__`` are never called.
_TAKES_GENERATOR: dict[int, tuple[object, bool]] = {}


def _reads_generator(fn) -> bool:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return "generator" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


@contextlib.contextmanager
def global_seed(seed: int | None):
    """For a function without ``generator=``: the global (CPU) RNG seeded with ``seed`` for the block and
    restored afterwards (``torch.random.fork_rng``), so that its draws replay from the suite's seed."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def invoke(
    fn, tensor: torch.Tensor, kwargs: dict, seed: int | None, seconds: float, reuse: torch.Generator | None = None
):
    """Call ``fn(tensor, **kwargs, generator=...)`` (no generator when ``seed`` is None) under a time
    limit; returns what it returned. The generator is a new one seeded with ``seed``, or ``reuse``
    (on the tensor's device) seeded with it: the same values, without making a generator per call. A
    function without ``generator=`` is called under :func:`global_seed` instead. Raises
    :class:`CallFailed` with the reason otherwise."""
    name = function_name(fn)
    if name in _HUNG:
        raise CallFailed(f"not called: an earlier call {_HUNG[name]}")
    seeded = seed is not None and takes_generator(fn)
    extra = {}
    if seeded:
        extra["generator"] = generator(seed, tensor.device.type) if reuse is None else reuse.manual_seed(seed)
    watch = monitor
    if watch is not None:
        watch.start(fn)
    started = time.perf_counter()
    try:
        with time_limit(seconds):
            if seeded or seed is None:
                return fn(tensor, **kwargs, **extra)
            with global_seed(seed):
                return fn(tensor, **kwargs)
    except TimedOut:
        _HUNG[name] = f"did not return within {seconds:g} s (time limit)"
        raise CallFailed(_HUNG[name]) from None
    except Exception as error:  # the target's own failure, whatever it is
        note = watch.explain(error) if watch is not None else ""
        raise CallFailed(f"raised {type(error).__name__}: {error}{note}", error) from None
    finally:
        spent.calls += time.perf_counter() - started
        if watch is not None:
            watch.end()


def seed_global_rng(seed: int | None) -> None:
    """Seed the global (CPU) torch RNG from the call's seed: a target that draws from the global RNG
    (``torch.nn.init.sparse_`` draws its zero pattern there) gives the same values in every run and every
    worker. :func:`draw` saves the caller's state before its calls and restores it after them. Not used by
    the API check of whether a function leaves the global RNG alone, which must see the global RNG as the
    call left it."""
    # the CPU generator only: torch.manual_seed also seeds every accelerator backend (~0.7 ms a call)
    torch.default_generator.manual_seed(derive_seed(seed, "global"))


def fresh_tensor(c: Call, fill: float = float("nan"), device: str = "cpu") -> torch.Tensor:
    """The argument of a call, filled with a sentinel (NaN) so that an unfilled tensor shows."""
    return torch.full(c.shape, fill, dtype=getattr(torch, c.dtype), device=device)


def draw(fn, c: Call, seeds: list[int], seconds: float) -> list[torch.Tensor]:
    """The argument tensors after one call per seed (the in-place contract: the values are read from
    the argument, whatever the function returned); each call with the global RNG seeded from its seed."""
    return list(draws(fn, c, seeds, seconds))


def draws(fn, c: Call, seeds: Iterable[int], seconds: float) -> Iterator[torch.Tensor]:
    """:func:`draw`'s tensors one at a time, each as soon as its call returned: for a caller that reduces
    them as they come (the rare-event checks, millions of values) instead of holding them all. The calls
    share one save and restore of the global RNG and one installation of the time limit's handler, as
    :func:`draw`'s do (the caller's code between two calls runs inside them)."""
    kwargs = c.args
    reuse = torch.Generator()  # seeded anew for each call (fresh_tensor is on the CPU)
    # the caller's global RNG state is saved and restored once around the calls, each of which starts from
    # the global RNG seeded from its own seed
    with torch.random.fork_rng(devices=[]), alarm_handler():
        for seed in seeds:
            tensor = fresh_tensor(c)
            seed_global_rng(seed)
            invoke(fn, tensor, kwargs, seed, seconds, reuse)
            yield tensor
