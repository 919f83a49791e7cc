"""initlib.fast offers every name of initlib, with initlib's signatures, checks and non-random functions."""

import inspect
import subprocess
import sys

import pytest
import torch

pytest.importorskip("numba")

import initlib
import initlib.fast as fast

RANDOM = ("uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_")


def test_every_initlib_name_is_exported():
    assert fast.__all__ == initlib.__all__
    assert all(callable(getattr(fast, name)) for name in initlib.__all__)


def test_non_random_functions_are_initlibs_own():
    for name in ("constant_", "ones_", "zeros_", "eye_", "dirac_", "calculate_gain", "compute_fans"):
        assert getattr(fast, name) is getattr(initlib, name)


@pytest.mark.parametrize("name", [n for n in initlib.__all__ if n not in ("calculate_gain", "compute_fans")])
def test_same_signature_as_initlib(name):
    assert inspect.signature(getattr(fast, name)) == inspect.signature(getattr(initlib, name))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fast.uniform_(torch.empty(3), a=2.0, b=1.0), "a, b:"),
        (lambda: fast.normal_(torch.empty(3), std=-1.0), "std:"),
        (lambda: fast.kaiming_normal_(torch.empty(3, 4), mode="fan_sideways"), "mode:"),
        (lambda: fast.trunc_normal_(torch.empty(3), a=1.0, b=0.0), "a, b:"),
    ],
)
def test_bad_input_raises_initlibs_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_initlib_itself_is_unchanged():
    g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    assert torch.equal(initlib.normal_(torch.empty(64), generator=g1), torch.empty(64).normal_(generator=g2))


def test_without_numba_the_import_error_says_how_to_install():
    code = "\n".join(
        [
            "import sys",
            "sys.modules['numba'] = None",
            "try:",
            "    import initlib.fast",
            "except ImportError as e:",
            "    print(e)",
        ]
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "initlib.fast needs numba, which is not installed: pip install 'initcheck[fast]'"
