"""Drawn calls replay from the seed alone, whatever the process has imported: Hypothesis would otherwise
sometimes draw constants found in the source of imported modules (a worker process or the pytest driver
imports other modules than the command line)."""

import importlib.util
import sys

from suite.spec import claims, strategies


def _import(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def test_the_same_seed_draws_the_same_calls_after_other_modules_are_imported(tmp_path):
    entries = ["xavier_normal_", "kaiming_uniform_", "trunc_normal_", "sparse_", "orthogonal_", "dirac_"]
    before = {name: strategies.draw(claims.TABLE[name].calls, 12, 7) for name in entries}
    source = tmp_path / "constants_module.py"
    # numbers a strategy could draw: shape sizes, gains, bounds and sparsities
    numbers = [1024, 1000, 4095, 513, 257, 3, 2, 7, 0.3, 0.5, 1.7, 2.5, 0.05, 0.9]
    source.write_text("".join(f"C{i} = {value!r}\n" for i, value in enumerate(numbers)))
    _import(source, "constants_module")
    try:
        after = {name: strategies.draw(claims.TABLE[name].calls, 12, 7) for name in entries}
    finally:
        del sys.modules["constants_module"]
    assert before == after
