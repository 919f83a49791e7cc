"""Running a verification's units of work (one initializer's checks each, split into parts: one per
case, :func:`suite.engine.verification.parts`) in worker processes.

A verifier of other people's code must survive that code. In-process, a segfault, ``os._exit``, a call
stuck inside C (SIGALRM waits for it to return) or a 30 GB allocation ends the whole run. Here each
part runs in a worker process, forked from a fork server that imported the engine and nothing else
(:mod:`suite.engine.warm`; the verifier itself is never forked: torch and OpenMP do not survive a fork of
a process that ran them), with an address-space limit (``resource.setrlimit(RLIMIT_AS)``); the worker
writes which call of the target is in flight and since when into shared memory, and the parent times
it on the worker's own time (:class:`_Clock`): at the limit it sends SIGALRM (the call stops if it is in
Python), past a grace it kills the worker. When a worker dies, the parent replaces it and runs the part
again in the new worker, deterministically (seeds are derived per case), with the call that killed the
worker refused: that call fails with the reason (the signal, the exit status, the time limit), later
calls of the same function are not made (as after a hang in-process; in the unit's other parts too,
those started after the parent learnt of it), the rest of the checks run as usual. A unit as a whole has
a time limit too, on its parts' time together (:func:`unit_timed_out`).

The result does not depend on the number of workers: parts are independent (each starts from the
same process state, :mod:`suite.engine.process_state`) and their verdicts are returned in the order of
the plan, whichever worker finished first; only for a function that hangs or crashes does it depend on
timing which of its parts meet the failure and which refuse the function.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

from suite.engine import heap, invoke, process_state, spent, warm
from suite.engine.verdict import Verdict

#: Seconds a call may run past its time limit before the worker is killed: the parent's SIGALRM at the
#: limit stops a Python-level hang; only a call stuck outside Python gets this far.
KILL_GRACE = 1.0
#: Times a part is run again after a worker died in it before it is given up with one failing verdict.
MAX_RERUNS = 8
#: How often (seconds) the parent looks at the calls in flight.
POLL = 0.05
#: Fraction of the machine's memory the workers may address together (the default ``--memory-limit``
#: is this divided by the number of workers, at least :data:`MIN_MEMORY`).
MEMORY_FRACTION = 0.5
MIN_MEMORY = 2 << 30


@dataclass(frozen=True)
class Isolation:
    """How a run executes its units: ``jobs`` worker processes with ``memory_limit`` bytes of address
    space each, or (``jobs == 0``) in the suite's own process (``--isolation none``: no protection
    against crashes, C-level hangs or memory blow-ups; for debugging)."""

    jobs: int = 0
    memory_limit: int | None = None

    @property
    def in_process(self) -> bool:
        return self.jobs == 0


IN_PROCESS = Isolation()


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_memory_limit(jobs: int) -> int:
    """A safe share of the machine per worker: :data:`MEMORY_FRACTION` of the physical memory split
    over the workers, at least :data:`MIN_MEMORY` (torch alone maps about 1 GiB)."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(MIN_MEMORY, int(physical * MEMORY_FRACTION / max(jobs, 1)))


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``4G``, ``512M``, ``1.5GiB`` or a plain number of bytes; ValueError otherwise."""
    number = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = number[-1:] if number[-1:] in _UNITS and number[-1:] else ""
    value = float(number.removesuffix(unit)) if unit else float(number)
    if not value > 0:
        raise ValueError(text)
    return int(value * _UNITS[unit])


def choose_isolation(mode: str, jobs: int | None = None, memory_limit: str | None = None) -> Isolation:
    """The :class:`Isolation` of ``--isolation MODE --jobs N --memory-limit SIZE`` (the options of
    ``python -m suite verify`` and of the pytest driver): ValueError naming the option and the rule."""
    if jobs is not None and jobs < 1:
        raise ValueError(f"--jobs: must be a whole number >= 1, got {jobs}")
    if mode == "none":
        if jobs is not None or memory_limit is not None:
            raise ValueError("--isolation none: runs in this process; --jobs and --memory-limit need workers")
        return IN_PROCESS
    jobs = jobs or cores()
    if memory_limit is None:
        return Isolation(jobs, default_memory_limit(jobs))
    try:
        limit = parse_size(memory_limit)
    except ValueError:
        raise ValueError(f"--memory-limit: must be a size such as 4G or 1500M, got {memory_limit!r}") from None
    if limit < MIN_MEMORY // 2:
        raise ValueError(f"--memory-limit: at least 1G (a worker with torch maps about that), got {memory_limit}")
    return Isolation(jobs, limit)


def size_text(size: int) -> str:
    return f"{size / (1 << 30):.3g} GiB"


@dataclass
class _Piece:
    """What running one part of a unit's checks gave: its verdicts, the functions it found hung
    (:data:`suite.engine.invoke._HUNG`: name -> why) and whether it stopped at the unit time limit."""

    verdicts: list[Verdict]
    hung: dict[str, str]
    timed_out: bool = False
    calls: float = 0.0  # seconds inside the target's calls (suite.engine.spent)
    drawing: float = 0.0  # seconds drawing the calls


@dataclass
class Spent:
    """A unit's time: ``seconds`` its parts took together (in a worker, the worker's own time,
    :class:`_Clock`), of which ``calls`` (wall-clock) inside the target's calls and ``drawing`` drawing
    the calls from their strategies (:mod:`suite.engine.spent`); the rest is the suite's own checks."""

    seconds: float = 0.0
    calls: float = 0.0
    drawing: float = 0.0

    def add(self, other: Spent) -> None:
        self.seconds += other.seconds
        self.calls += other.calls
        self.drawing += other.drawing


class _Unit:
    """The parent's account of one unit (an initializer's checks) split into ``parts``: the parts' results
    as they come, in any order; the time they took together (the unit time limit is on that sum); the
    functions found hung or fatal in one part, not called in the parts that start later."""

    def __init__(self, name: str, parts: int, limit: float | None):
        self.name, self.parts, self.limit = name, parts, limit
        self.results: dict[int, list[Verdict]] = {}
        self.spent = Spent()
        self.hung: dict[str, str] = {}
        self.timed_out = False

    def remaining(self) -> float | None:
        """Seconds left of the unit time limit for a part that starts now (None: no limit)."""
        return None if self.limit is None else self.limit - self.spent.seconds

    def finish(self, part: int, piece: _Piece, seconds: float) -> None:
        self.results[part] = piece.verdicts
        self.spent.add(Spent(seconds, piece.calls, piece.drawing))
        for function, reason in piece.hung.items():
            self.hung.setdefault(function, reason)
        over = self.limit is not None and self.spent.seconds > self.limit
        self.timed_out = self.timed_out or piece.timed_out or over

    @property
    def done(self) -> bool:
        return len(self.results) == self.parts

    def verdicts(self, target: str, seed: int) -> list[Verdict]:
        """The parts' verdicts in the plan's order, or the one verdict of a unit past its time limit."""
        if self.timed_out:
            return [unit_timed_out(target, self.name, seed, self.limit)]
        return [v for part in range(self.parts) for v in self.results[part]]


def execute(
    isolation: Isolation,
    target_name: str,
    plan,
    seed: int,
    units: list[tuple[str, Callable, object, int]],
    locate: Callable,
    unit_time_limit: float | None = None,
    order: list[int] | None = None,
) -> Iterator[tuple[list[Verdict], Spent]]:
    """(verdicts, spent) for each unit ``(name, check, fn, parts)``, in the order given; ``spent``
    (:class:`Spent`) is the time its parts took together. Each part is ``check(fn, part)`` under
    :func:`suite.engine.process_state.guard`: in-process, the parts one after the other; in workers,
    ``locate(target, plan, seed, name)`` gives a worker the unit's ``(check, fn)`` on its own copy of the
    target (loaded by ``target_name``), and the parts of one unit may run in different workers at once.
    A unit whose parts together run past ``unit_time_limit`` seconds (None: no limit) gets one failing
    verdict naming the limit (:func:`unit_timed_out`) instead of its checks' verdicts, and its parts not
    yet started are not run. Workers take the parts in ``order`` (indices into the list of every unit's
    parts, unit by unit; default: as listed); the results still come in the order given."""
    if isolation.in_process:
        for name, check, fn, parts in units:
            unit = _Unit(name, parts, unit_time_limit)
            for part in range(parts):
                if unit.timed_out:
                    unit.finish(part, _Piece([], {}), 0.0)
                    continue
                started = time.perf_counter()
                piece = _run_piece(check, fn, part, seed, name, unit.remaining(), unit.hung)
                unit.finish(part, piece, time.perf_counter() - started)
            yield unit.verdicts(target_name, seed), unit.spent
        return
    pool = _Pool(isolation, target_name, plan, seed, locate, unit_time_limit)
    yield from pool.run([(name, parts) for name, _, _, parts in units], order)


def _run_piece(check: Callable, fn, part: int, seed: int, name: str, seconds: float | None, hung: dict) -> _Piece:
    """``check(fn, part)`` under the process-state guard and what is left of the unit time limit, with
    the functions ``hung`` (name -> why) in other parts of the unit not called; with the seconds it
    spent in the target's calls and drawing calls."""
    spent.take()  # what ran before this part is not its time
    piece = _checks_of_piece(check, fn, part, seed, name, seconds, hung)
    piece.calls, piece.drawing = spent.take()
    return piece


def _checks_of_piece(check, fn, part: int, seed: int, name: str, seconds: float | None, hung: dict) -> _Piece:
    if seconds is not None and seconds <= 0:
        return _Piece([], {}, timed_out=True)
    with process_state.guard(seed, name), invoke.unit_time_limit(seconds), invoke.alarm_handler():
        invoke._HUNG.update(hung)
        try:
            verdicts = check(fn, part)
        except invoke.UnitTimedOut:
            return _Piece([], {}, timed_out=True)
        return _Piece(verdicts, {f: why for f, why in invoke._HUNG.items() if f not in hung})


def unit_failure(target: str, name: str, seed: int, reason: str, part: int = 0) -> Verdict:
    """The one verdict of a unit's part whose checks could not complete (its worker died outside a call
    of the target, or in too many calls)."""
    return _unit_verdict(
        target, name, seed, "worker", "the checks run to completion in a worker process", reason, case=part
    )


def unit_timed_out(target: str, name: str, seed: int, seconds: float) -> Verdict:
    """The one verdict of a unit that ran past its time limit (in-process or in a worker alike)."""
    return _unit_verdict(
        target,
        name,
        seed,
        "unit.time_limit",
        f"the checks of one initializer finish within the unit time limit ({seconds:g} s)",
        f"did not finish within {seconds:g} s (the unit time limit, --unit-time-limit): the run went on "
        "without its remaining checks",
        measured=f"more than {seconds:g} s",
    )


def _unit_verdict(
    target: str, name: str, seed: int, check: str, claim: str, reason: str, case: int = 0, **extra
) -> Verdict:
    """A failing verdict about a whole unit (one initializer's checks, or one part of them: ``case``)
    rather than one call."""
    return Verdict(
        target=target,
        initializer=name,
        check=check,
        case=case,
        call=f"the checks of {name}" + (f", case {case}" if case else ""),
        claim=claim,
        passed=False,
        seed=seed,
        reason=reason,
        **extra,
    )


def death_reason(exitcode: int | None, memory_limit: int | None) -> str:
    """Why a worker ended, phrased to follow "an earlier call ..." (the in-process wording for hangs)."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        description = signal.strsignal(number) or name
        reason = f"killed its worker process with {name} ({description})"
        if number == signal.SIGKILL:
            reason += f"; out of memory? (the worker's limit is {size_text(memory_limit)})" if memory_limit else ""
        return reason
    return f"ended its worker process (exit status {exitcode}: os._exit, sys.exit or exit() inside the call)"


class _Monitor:
    """Inside a worker: the hook :func:`suite.engine.invoke.invoke` calls around each target call. It
    numbers the unit's calls, writes the one in flight (number, function, start, limit; the function is
    empty for a timed call not made through invoke) to shared memory for the parent, and refuses the call
    that killed an earlier worker."""

    def __init__(self, numbers, text, memory_limit: int | None):
        self.numbers, self.text, self.memory_limit = numbers, text, memory_limit
        self.count = 0
        self.refused: dict[str, tuple[int, str]] = {}

    def begin_unit(self, refused: dict[str, tuple[int, str]]) -> None:
        self.count, self.refused = 0, refused
        self.numbers[2] = self.numbers[3] = 0.0

    def unit_over(self) -> bool:
        """Whether the parent says the unit's time is up (no further call of the target starts)."""
        return self.numbers[3] > 0

    def start(self, fn) -> None:
        self.count += 1
        name = invoke.function_name(fn)
        refused = self.refused.get(name)
        if refused is not None and self.count >= refused[0]:
            reason = refused[1] if self.count == refused[0] else f"not called: an earlier call {refused[1]}"
            raise invoke.CallFailed(reason)
        self.text.value = name.encode()[:255]
        self.numbers[0] = self.count

    def end(self) -> None:
        self.text.value = b""

    def arm(self, seconds: float) -> None:
        """A timed block begins (a call through invoke, or one of the extras' calls)."""
        self.numbers[1] = time.monotonic()
        self.numbers[2] = seconds if seconds > 0 else 0.0

    def disarm(self) -> None:
        self.numbers[2] = 0.0

    def explain(self, error: BaseException) -> str:
        if self.memory_limit and (isinstance(error, MemoryError) or "can't allocate memory" in str(error)):
            return f" (the worker's memory limit is {size_text(self.memory_limit)}: --memory-limit)"
        return ""


def _worker_main(conn, numbers, text, target_name: str, plan, seed: int, memory_limit: int | None, locate) -> None:
    """A worker process: load the target, then run the parts of units the parent sends until it sends
    None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGALRM, invoke._interrupt)  # the parent's time-limit signal, never the default exit
    warnings.showwarning = functools.partial(_forward_warning, conn)
    if memory_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    from suite.engine.targets import load

    try:
        target = load(target_name)
    except Exception as error:  # UsageError or whatever the target's import raised
        conn.send(("load-failed", f"{type(error).__name__}: {error}"))
        return
    # the engine (in the fork server, without collections) and the target are imported: frozen, so that
    # collections need not walk them, and collected automatically again from here
    heap.freeze()
    monitor = _Monitor(numbers, text, memory_limit)
    invoke.monitor = monitor
    conn.send(("ready",))
    while (message := conn.recv()) is not None:
        index, name, part, refused, hung = message
        monitor.begin_unit(refused)
        check, fn = locate(target, plan, seed, name)
        try:  # the time limits are the parent's to watch (on the worker's own time) and to signal
            piece = _run_piece(check, fn, part, seed, name, None, hung)
        except Exception as error:  # the suite's own failure: reported as the part's failure
            reason = f"{type(error).__name__}: {error} (in the suite)"
            piece = _Piece([unit_failure(target.name, name, seed, reason, part)], {})
        monitor.numbers[2] = 0.0
        conn.send(("done", index, piece))


def _forward_warning(conn, message, category, filename, lineno, file=None, line=None) -> None:
    """In a worker, instead of printing a warning (the target's, mostly): send it to the parent, which
    prints each one once for the whole run, as one process would, not once per worker."""
    with contextlib.suppress(OSError, ValueError):
        conn.send(("warning", warnings.formatwarning(message, category, filename, lineno, line)))


class WorkerStartFailed(Exception):
    """A worker could not load the target (the message says why) or died before it was ready."""


class _Clock:
    """How much of a worker's wall-clock time the machine withheld from it: time its main thread was
    runnable but waited for a core (``run_delay``, the second field of Linux's ``/proc/PID/schedstat``,
    in nanoseconds; the kernel's Documentation/scheduler/sched-stats.rst) or the process was stopped
    (state ``T`` in ``/proc/PID/stat``, proc(5)), read at each :meth:`tick` (the parent's polls). A
    call's time against its limit is its wall-clock time less what was withheld meanwhile: a busy or
    suspended machine does not fail a call that takes milliseconds, while a call that sleeps or waits
    (a hang) counts in full. Where those files are absent nothing is withheld: wall-clock time."""

    def __init__(self, pid: int | None):
        self.pid = pid
        self.withheld = 0.0
        self.last = time.monotonic()
        self.delay, self.stopped = self._read()

    def _read(self) -> tuple[float | None, bool]:
        try:
            with open(f"/proc/{self.pid}/schedstat", "rb") as file:
                delay = int(file.read().split()[1]) / 1e9
            with open(f"/proc/{self.pid}/stat", "rb") as file:
                stopped = file.read().rpartition(b")")[2].split()[0] in (b"T", b"t")
        except (OSError, IndexError, ValueError):
            return None, False
        return delay, stopped

    def tick(self) -> None:
        now = time.monotonic()
        delay, stopped = self._read()
        if stopped or self.stopped:  # the interval the process was (or became) stopped in
            self.withheld += now - self.last
        elif delay is not None and self.delay is not None:
            self.withheld += max(0.0, delay - self.delay)
        self.last, self.delay, self.stopped = now, delay, stopped

    def since(self, started: float, withheld: float) -> float:
        """Seconds of the worker's own time since ``started`` (``time.monotonic()``), when ``withheld``
        had been withheld."""
        return (self.last - started) - (self.withheld - withheld)


class _Worker:
    def __init__(self, context, pool: _Pool):
        # call number, start (time.monotonic), time limit (0: no timed call in flight), unit over (1: yes)
        self.numbers = context.RawArray("d", 4)
        self.text = context.RawArray("c", 256)  # the function in flight
        self.conn, child = context.Pipe()
        settings = (pool.target_name, pool.plan, pool.seed, pool.memory_limit, pool.locate)
        self.process = context.Process(
            target=_worker_main, args=(child, self.numbers, self.text, *settings), daemon=True
        )
        self.process.start()
        child.close()
        self.clock = _Clock(self.process.pid)
        self.ready = False
        self.piece: int | None = None  # the index of the part it runs
        self.remaining: float | None = None  # seconds of the unit time limit its part may use
        self.part_started = (0.0, 0.0)  # time.monotonic() and the clock's withheld seconds when it began
        self.call = (0.0, 0.0)  # the same for the timed call in flight (keyed by its start)
        self.alarmed = 0.0  # the start of the call it sent SIGALRM for
        self.hang: str | None = None
        self.overtime = False  # killed for the unit time limit

    def begin(self, index: int, remaining: float | None) -> None:
        self.clock.tick()
        self.piece, self.remaining = index, remaining
        self.part_started = (self.clock.last, self.clock.withheld)
        self.numbers[3] = 0.0

    def part_seconds(self) -> float:
        """The worker's own time in its part so far."""
        return self.clock.since(*self.part_started)

    def watch(self) -> str | None:
        """At a poll: signal or judge the part in flight against its limits. Returns why the worker must be
        killed ("overtime": the unit limit; else the hang's reason), or None."""
        self.clock.tick()
        if self.remaining is not None and self.part_seconds() > self.remaining:
            self.numbers[3] = 1.0  # no further call of the target starts in this part
            if self.part_seconds() > self.remaining + KILL_GRACE:
                return "overtime"  # stuck inside a call or in the suite's checks
        limit = self.numbers[2]  # read before the start: a worker writes the start first
        start = self.numbers[1]
        if limit <= 0:
            return None
        if self.call[0] != start:
            self.call = (start, self.clock.withheld)
        elapsed = self.clock.since(*self.call)
        if elapsed > limit + KILL_GRACE:
            return (
                f"did not return within {limit:g} s (time limit; stuck outside Python, so its worker process "
                "was killed)"
            )
        if elapsed > limit and self.alarmed != start:
            self.alarmed = start
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signal.SIGALRM)  # raises invoke.TimedOut in the call, if in Python
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    def __init__(self, isolation: Isolation, target_name: str, plan, seed: int, locate: Callable, unit_time_limit=None):
        self.jobs = isolation.jobs
        self.unit_time_limit = unit_time_limit
        self.memory_limit = isolation.memory_limit
        self.target_name, self.plan, self.seed, self.locate = target_name, plan, seed, locate
        # OMP_WAIT_POLICY is set: importing suite.engine sets it, and the workers inherit the environment
        self.context = warm.context()

    def run(
        self, units: list[tuple[str, int]], order: list[int] | None = None
    ) -> Iterator[tuple[list[Verdict], Spent]]:
        """(verdicts, spent) of each unit ``(name, parts)``, in the order given, its parts run in the
        workers in ``order`` (indices into the list of every unit's parts)."""
        accounts = [_Unit(name, parts, self.unit_time_limit) for name, parts in units]
        pieces = [(u, part) for u, (_, parts) in enumerate(units) for part in range(parts)]
        pending = deque(range(len(pieces)) if order is None else order)
        refused: dict[int, dict[str, tuple[int, str]]] = {i: {} for i in range(len(pieces))}
        reruns = dict.fromkeys(range(len(pieces)), 0)
        own_seconds = dict.fromkeys(range(len(pieces)), 0.0)  # the workers' own seconds in each part, reruns too
        workers = [_Worker(self.context, self) for _ in range(min(self.jobs, len(pieces)))]
        emitted = 0
        warned: set[str] = set()  # the workers' warnings printed so far (each once)

        def finish(index: int, piece: _Piece) -> None:
            u, part = pieces[index]
            accounts[u].finish(part, piece, own_seconds[index])

        def died(worker: _Worker) -> None:
            worker.kill()
            reason = worker.hang or death_reason(worker.process.exitcode, self.memory_limit)
            if not worker.ready:
                raise WorkerStartFailed(f"a worker process {reason} before it had loaded the target")
            index = worker.piece
            if index is not None:
                own_seconds[index] += worker.part_seconds()
            if index is not None and worker.overtime:
                finish(index, _Piece([], {}, timed_out=True))
            elif index is not None:
                u, part = pieces[index]
                in_call, number = worker.hang is not None or worker.numbers[2] > 0, int(worker.numbers[0])
                function = worker.text.value.decode()
                if in_call and function:
                    accounts[u].hung.setdefault(function, reason)  # the unit's other parts do not call it
                if in_call and function and function not in refused[index] and reruns[index] < MAX_RERUNS:
                    refused[index][function] = (number, reason)
                    reruns[index] += 1
                    pending.appendleft(index)
                else:
                    where = "outside a call of the target"
                    if in_call:
                        where = f"in call {number} of {function}" if function else "in a timed call of the target"
                    failure = unit_failure(self.target_name, accounts[u].name, self.seed, f"{where}: {reason}", part)
                    finish(index, _Piece([failure], {}))
            if pending:  # a replacement, while there is work for it
                workers[workers.index(worker)] = _Worker(self.context, self)
            else:
                workers.remove(worker)

        def dispatch(worker: _Worker) -> None:
            while pending:
                index = pending.popleft()
                unit = accounts[pieces[index][0]]
                remaining = unit.remaining()
                if unit.timed_out or (remaining is not None and remaining - own_seconds[index] <= 0):
                    finish(index, _Piece([], {}, timed_out=True))  # the unit's time is used up: not run
                    continue
                hung = {f: why for f, why in unit.hung.items() if f not in refused[index]}
                worker.begin(index, None if remaining is None else remaining - own_seconds[index])
                worker.conn.send((index, unit.name, pieces[index][1], refused[index], hung))
                return

        try:
            while emitted < len(units):
                for worker in workers:
                    if worker.ready and worker.piece is None:
                        dispatch(worker)
                for conn in wait([w.conn for w in workers], timeout=POLL):
                    worker = next(w for w in workers if w.conn is conn)
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        died(worker)
                        continue
                    if message[0] == "ready":
                        worker.ready = True
                    elif message[0] == "load-failed":
                        raise WorkerStartFailed(f"a worker could not load {self.target_name!r}: {message[1]}")
                    elif message[0] == "warning":
                        if message[1] not in warned:
                            warned.add(message[1])
                            sys.stderr.write(message[1])
                    else:
                        index, piece = message[1], message[2]
                        worker.clock.tick()
                        own_seconds[index] += worker.part_seconds()
                        finish(index, piece)
                        worker.piece = None
                for worker in list(workers):
                    verdict = worker.watch() if worker.piece is not None else None
                    if verdict is not None:
                        worker.overtime = verdict == "overtime"
                        worker.hang = None if worker.overtime else verdict
                        died(worker)
                while emitted < len(units) and accounts[emitted].done:
                    unit = accounts[emitted]
                    yield unit.verdicts(self.target_name, self.seed), unit.spent
                    emitted += 1
        finally:
            for worker in workers:
                if worker.process.is_alive() and worker.ready:
                    with contextlib.suppress(OSError):
                        worker.conn.send(None)
            for worker in workers:
                worker.process.join(timeout=2)
                worker.kill()


@contextlib.contextmanager
def interruptible():
    """SIGTERM raises KeyboardInterrupt in the block, as Ctrl-C (SIGINT) does, so that a run stopped
    either way keeps the verdicts it has (the main thread only; elsewhere nothing changes)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
