"""Process-wide state a target changes does not reach another unit of work; the global torch RNG is
seeded per drawn call, so a target drawing from it (torch.nn.init.sparse_) gives the same values
whatever ran before; the worker settings parse and report as documented."""

import signal

import pytest
import torch

from suite.engine import invoke, process_state, verification, workers
from suite.engine.targets import load
from suite.spec.strategies import Call
from tests.suite_tests.helpers import ROOT, suite
from tests.suite_tests.helpers import load as helpers_load


def test_guard_restores_what_a_unit_changed():
    before = (torch.get_default_dtype(), torch.get_num_threads(), torch.get_rng_state())
    with process_state.guard(0, "changer"):
        torch.set_default_dtype(torch.float64)
        torch.set_num_threads(1 if before[1] != 1 else 2)
        torch.manual_seed(1234)
    assert (torch.get_default_dtype(), torch.get_num_threads()) == before[:2]
    assert torch.equal(torch.get_rng_state(), before[2])


def test_guard_leaves_no_default_device_mode_behind():
    """torch.set_default_device, even to "cpu", installs a mode that every later torch call goes through
    (its documentation's warning); the guard puts back what it found: no mode at all."""
    from torch.overrides import _get_current_function_mode_stack

    with process_state.guard(0, "device setter"):
        torch.set_default_device("cpu")
        assert _get_current_function_mode_stack()
    assert not _get_current_function_mode_stack()


def test_a_unit_starts_from_the_same_global_rng_state_whatever_ran_before():
    def first_draw():
        with process_state.guard(5, "unit"):
            return torch.rand(4)

    a = first_draw()
    torch.rand(100)  # another unit consumed the global RNG
    assert torch.equal(a, first_draw())


def test_in_process_a_state_changer_does_not_reach_a_later_function():
    target = load(str(ROOT / "examples" / "hostile_initializers.py"))
    outcome = verification.verify(target, ["trunc_normal_", "ones_"], 0, "quick")
    ones = [v for v in outcome.verdicts if v.initializer == "ones_"]
    assert ones and all(v.passed for v in ones), [v.describe() for v in ones if not v.passed]
    assert torch.get_default_dtype() == torch.float32


def test_drawn_calls_seed_the_global_rng_from_their_seed():
    """torch.nn.init.sparse_ draws its zero pattern from the global RNG: the same seeds give the same
    tensors whatever state the global RNG was in, and the caller's state is left as it was."""
    call = Call("sparse_", (16, 8), "float32", (("sparsity", 0.5),))
    first = invoke.draw(torch.nn.init.sparse_, call, [1, 2], 10.0)
    torch.rand(100)
    state = torch.get_rng_state()
    second = invoke.draw(torch.nn.init.sparse_, call, [1, 2], 10.0)
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert torch.equal(torch.get_rng_state(), state)


@pytest.mark.parametrize(
    ("text", "size"),
    [("4G", 4 << 30), ("512M", 512 << 20), ("1.5GiB", 3 << 29), ("2gb", 2 << 30), ("1048576", 1 << 20)],
)
def test_memory_sizes_parse(text, size):
    assert workers.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "-1G", "0", "four gigabytes"])
def test_bad_memory_sizes_are_rejected(text):
    with pytest.raises(ValueError):
        workers.parse_size(text)


def test_death_reasons_name_the_signal_or_the_status():
    assert "SIGSEGV" in workers.death_reason(-signal.SIGSEGV, None)
    assert "SIGKILL" in workers.death_reason(-signal.SIGKILL, 2 << 30) and "2 GiB" in workers.death_reason(
        -signal.SIGKILL, 2 << 30
    )
    assert "exit status 3" in workers.death_reason(3, None)


def test_default_memory_limit_shares_half_the_machine():
    import os

    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert workers.default_memory_limit(1) >= min(physical // 2, workers.MIN_MEMORY)
    assert workers.default_memory_limit(4) == max(workers.MIN_MEMORY, int(physical * 0.5 / 4))


def test_a_worker_collects_garbage_again_after_the_imports_without_collections(tmp_path):
    """The fork server imports with automatic collections paused; its workers, and the command itself,
    resume them once the engine and the target are imported."""
    path = tmp_path / "verify.json"
    target = ROOT / "tests" / "isolation_tests" / "collecting_target.py"
    args = ("--target", str(target), "--only", "uniform_", "--budget", "quick", "--jobs", "1", "--json", str(path))
    result = suite("verify", *args, "--quiet", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = helpers_load(path)["verdicts"]
    assert verdicts and all(v["status"] == "pass" for v in verdicts)


def test_the_importing_block_pauses_collection_and_freezes_what_it_imported():
    import gc

    from suite.engine import heap

    assert gc.isenabled()
    with heap.importing():
        assert not gc.isenabled()
        made = [[] for _ in range(10)]
    assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    gc.unfreeze()  # the test process's heap is not this test's to keep


def test_a_warning_of_the_target_is_shown_once_whatever_the_number_of_workers():
    from tests.isolation_tests import warning_target

    target = ROOT / "tests" / "isolation_tests" / "warning_target.py"
    args = ("--target", str(target), "--only", "uniform_", "--budget", "quick", "--jobs", "2", "--quiet")
    result = suite("verify", *args, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count(warning_target.MESSAGE) == 1, result.stderr
