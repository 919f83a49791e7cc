"""initlib's public API against torch.nn.init: signatures by inspection, in place, dtypes, no-ops."""

import inspect

import pytest
import torch

import initlib

from .helpers import DEVICES, DTYPES, RANDOM_CALLS, call, seeded


def torch_public_functions():
    """torch.nn.init's current API: its __all__ without the deprecated aliases (no trailing '_')."""
    return [n for n in torch.nn.init.__all__ if n.endswith("_") or n == "calculate_gain"]


def test_torch_api_is_what_initlib_declares():
    assert sorted(torch_public_functions()) == sorted(initlib.TORCH_COMPATIBLE)


@pytest.mark.parametrize("name", torch_public_functions())
def test_signature_matches_torch(name):
    ours = inspect.signature(getattr(initlib, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
    assert list(ours) == list(theirs)
    for param in theirs:
        assert ours[param].default == theirs[param].default, param
        assert type(ours[param].default) is type(theirs[param].default), param
        assert ours[param].kind == theirs[param].kind, param


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_every_random_initializer_takes_a_generator(name):
    assert "generator" in inspect.signature(getattr(initlib, name)).parameters


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("device", DEVICES)
def test_random_initializers_fill_in_place_and_keep_dtype(name, dtype, device):
    _, shape = RANDOM_CALLS[name]
    tensor = torch.full(shape, float("nan"), dtype=dtype, device=device)
    pointer = tensor.data_ptr()
    result = call(name, tensor, seeded(1, device))
    assert result is tensor
    assert tensor.data_ptr() == pointer
    assert tensor.dtype == dtype and tensor.device.type == device and tuple(tensor.shape) == shape
    assert torch.isfinite(tensor).all()
    assert tensor.ne(0).any()


DETERMINISTIC_CALLS = [
    ("constant_", (0.5,), (4, 4, 3)),
    ("ones_", (), (4, 4, 3)),
    ("zeros_", (), (4, 4, 3)),
    ("eye_", (), (4, 4)),
    ("dirac_", (), (4, 4, 3)),
]


@pytest.mark.parametrize("name, args, shape", DETERMINISTIC_CALLS)
@pytest.mark.parametrize("dtype", [*DTYPES, torch.int32], ids=str)
def test_deterministic_initializers_fill_in_place(name, args, shape, dtype):
    tensor = torch.full(shape, 7, dtype=dtype)
    assert getattr(initlib, name)(tensor, *args) is tensor
    assert tensor.ne(7).all()


def test_requires_grad_leaf_is_filled_without_autograd_error():
    weight = torch.nn.Parameter(torch.empty(5, 3))
    assert initlib.kaiming_normal_(weight, generator=seeded(0)) is weight
    assert weight.requires_grad and weight.grad_fn is None


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_non_contiguous_tensor_is_filled(name):
    _, shape = RANDOM_CALLS[name]
    views = []
    for _ in range(2):
        view = torch.zeros(shape[::-1]).permute(*reversed(range(len(shape))))
        assert tuple(view.shape) == shape and not view.is_contiguous()
        assert call(name, view, seeded(3)) is view
        views.append(view)
    assert views[0].ne(0).any() and torch.isfinite(views[0]).all()
    assert torch.equal(*views)


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
@pytest.mark.parametrize("which", range(3))
def test_zero_element_tensors_are_a_no_op(name, which):
    shapes = [(5, 0, 3), (0, 0, 3), (5, 5, 0)] if name == "delta_orthogonal_" else [(0, 5), (5, 0), (0, 0)]
    tensor = torch.empty(shapes[which])
    with pytest.warns(UserWarning) if name.startswith("kaiming") else _no_warning():
        assert call(name, tensor, seeded(0)) is tensor


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_meta_tensors_are_a_no_op(name):
    tensor = torch.empty(RANDOM_CALLS[name][1], device="meta")
    assert call(name, tensor, seeded(0)) is tensor


@pytest.mark.parametrize("name, args, shape", DETERMINISTIC_CALLS)
def test_deterministic_initializers_accept_meta_tensors(name, args, shape):
    tensor = torch.empty(shape, device="meta")
    assert getattr(initlib, name)(tensor, *args) is tensor


class _no_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)
