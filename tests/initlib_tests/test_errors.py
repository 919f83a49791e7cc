"""Every bad input the foundation issue lists is rejected with ValueError/TypeError naming the argument."""

import pytest
import torch

import initlib

t2 = torch.empty(6, 4)
t1 = torch.empty(6)
t4 = torch.empty(6, 4, 3, 3)

BAD_CALLS = {
    # fewer than 2 dims where fans are needed
    "xavier_uniform_ 1-D": (lambda: initlib.xavier_uniform_(t1), ValueError, "tensor"),
    "xavier_normal_ 1-D": (lambda: initlib.xavier_normal_(t1), ValueError, "tensor"),
    "kaiming_uniform_ 1-D": (lambda: initlib.kaiming_uniform_(t1), ValueError, "tensor"),
    "kaiming_normal_ 0-D": (lambda: initlib.kaiming_normal_(torch.tensor(1.0)), ValueError, "tensor"),
    "lecun_normal_ 1-D": (lambda: initlib.lecun_normal_(t1), ValueError, "tensor"),
    "variance_scaling_ 1-D": (lambda: initlib.variance_scaling_(t1), ValueError, "tensor"),
    "orthogonal_ 1-D": (lambda: initlib.orthogonal_(t1), ValueError, "tensor"),
    "compute_fans 1-D": (lambda: initlib.compute_fans((5,)), ValueError, "tensor"),
    # unknown mode, nonlinearity, distribution, layout
    "kaiming mode": (lambda: initlib.kaiming_uniform_(t2, mode="fan_avg"), ValueError, "mode"),
    "variance_scaling mode": (lambda: initlib.variance_scaling_(t2, mode="fan_sum"), ValueError, "mode"),
    "kaiming nonlinearity": (
        lambda: initlib.kaiming_normal_(t2, nonlinearity="gelu"),
        ValueError,
        "nonlinearity",
    ),
    "gain nonlinearity": (lambda: initlib.calculate_gain("swish"), ValueError, "nonlinearity"),
    "distribution": (
        lambda: initlib.variance_scaling_(t2, distribution="gaussian"),
        ValueError,
        "distribution",
    ),
    "layout": (lambda: initlib.variance_scaling_(t2, layout="nchw"), ValueError, "layout"),
    "compute_fans layout": (lambda: initlib.compute_fans((3, 4), layout="tf"), ValueError, "layout"),
    # bool or non-numeric slope
    "gain bool slope": (lambda: initlib.calculate_gain("leaky_relu", True), ValueError, "param"),
    "gain str slope": (lambda: initlib.calculate_gain("leaky_relu", "0.1"), ValueError, "param"),
    "kaiming bool slope": (lambda: initlib.kaiming_uniform_(t2, a=False), ValueError, "a"),
    "kaiming str slope": (lambda: initlib.kaiming_normal_(t2, a="0.2"), ValueError, "a"),
    "kaiming nan slope": (lambda: initlib.kaiming_normal_(t2, a=float("nan")), ValueError, "a"),
    # sparsity outside [0, 1]
    "sparsity > 1": (lambda: initlib.sparse_(t2, 1.5), ValueError, "sparsity"),
    "sparsity < 0": (lambda: initlib.sparse_(t2, -0.1), ValueError, "sparsity"),
    "sparse_ 3-D": (lambda: initlib.sparse_(torch.empty(3, 3, 3), 0.5), ValueError, "tensor"),
    # a >= b for trunc_normal_
    "trunc a == b": (lambda: initlib.trunc_normal_(t2, a=1.0, b=1.0), ValueError, "a, b"),
    "trunc a > b": (lambda: initlib.trunc_normal_(t2, a=2.0, b=-2.0), ValueError, "a, b"),
    "trunc std 0": (lambda: initlib.trunc_normal_(t2, std=0.0), ValueError, "std"),
    "trunc far tail": (lambda: initlib.trunc_normal_(t2, a=50.0, b=60.0), ValueError, "a, b"),
    "uniform a > b": (lambda: initlib.uniform_(t2, 1.0, 0.0), ValueError, "a, b"),
    "normal std < 0": (lambda: initlib.normal_(t2, std=-1.0), ValueError, "std"),
    "normal std inf": (lambda: initlib.normal_(t2, std=float("inf")), ValueError, "std"),
    # dirac_
    "dirac_ 2-D": (lambda: initlib.dirac_(t2), ValueError, "tensor"),
    "dirac_ 6-D": (lambda: initlib.dirac_(torch.empty(2, 2, 1, 1, 1, 1)), ValueError, "tensor"),
    "dirac_ groups": (lambda: initlib.dirac_(torch.empty(6, 2, 3), groups=4), ValueError, "groups"),
    "dirac_ groups 0": (lambda: initlib.dirac_(torch.empty(6, 2, 3), groups=0), ValueError, "groups"),
    "dirac_ groups float": (lambda: initlib.dirac_(torch.empty(6, 2, 3), groups=2.0), TypeError, "groups"),
    "eye_ 3-D": (lambda: initlib.eye_(torch.empty(2, 2, 2)), ValueError, "tensor"),
    # delta_orthogonal_
    "delta out < in": (lambda: initlib.delta_orthogonal_(torch.empty(2, 4, 3)), ValueError, "tensor"),
    "delta 2-D": (lambda: initlib.delta_orthogonal_(t2), ValueError, "tensor"),
    # integer or bool tensors for random initializers
    "normal_ int": (lambda: initlib.normal_(torch.empty(3, 3, dtype=torch.int64)), TypeError, "tensor"),
    "uniform_ bool": (lambda: initlib.uniform_(torch.empty(3, 3, dtype=torch.bool)), TypeError, "tensor"),
    "xavier int": (
        lambda: initlib.xavier_uniform_(torch.empty(3, 3, dtype=torch.int32)),
        TypeError,
        "tensor",
    ),
    "orthogonal int": (
        lambda: initlib.orthogonal_(torch.empty(3, 3, dtype=torch.int32)),
        TypeError,
        "tensor",
    ),
    "sparse bool": (lambda: initlib.sparse_(torch.empty(3, 3, dtype=torch.bool), 0.5), TypeError, "tensor"),
    "trunc complex": (
        lambda: initlib.trunc_normal_(torch.empty(3, dtype=torch.complex64)),
        TypeError,
        "tensor",
    ),
    # not a tensor, bad generator, bad scalars
    "not a tensor": (lambda: initlib.normal_([1.0, 2.0]), TypeError, "tensor"),
    "generator type": (lambda: initlib.normal_(t2, generator=5), TypeError, "generator"),
    "gain str": (lambda: initlib.xavier_normal_(t2, gain="2"), TypeError, "gain"),
    "gain negative": (lambda: initlib.xavier_uniform_(t2, gain=-1.0), ValueError, "gain"),
    "scale zero": (lambda: initlib.variance_scaling_(t2, scale=0.0), ValueError, "scale"),
    "constant str": (lambda: initlib.constant_(t2, "1"), TypeError, "val"),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_input_is_rejected_naming_the_argument(case):
    fn, error, argument = BAD_CALLS[case]
    with pytest.raises(error) as info:
        fn()
    message = str(info.value)
    assert message.startswith(argument + ":"), message


EMPTY = torch.empty(0, 4)


@pytest.mark.parametrize(
    "fn, argument",
    [
        (lambda: initlib.kaiming_uniform_(EMPTY, mode="fan_avg"), "mode"),
        (lambda: initlib.kaiming_normal_(EMPTY, nonlinearity="gelu"), "nonlinearity"),
        (lambda: initlib.kaiming_normal_(EMPTY, a=True), "a"),
        (lambda: initlib.sparse_(EMPTY, 2.0), "sparsity"),
        (lambda: initlib.trunc_normal_(EMPTY, a=1.0, b=0.0), "a, b"),
        (lambda: initlib.variance_scaling_(EMPTY, distribution="x"), "distribution"),
        (lambda: initlib.normal_(EMPTY.int()), "tensor"),
    ],
)
def test_bad_arguments_are_errors_even_on_zero_element_tensors(fn, argument):
    """The zero-element no-op never hides a bad argument."""
    with pytest.raises((ValueError, TypeError)) as info:
        fn()
    assert str(info.value).startswith(argument + ":")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_generator_on_the_wrong_device_is_named():
    with pytest.raises(ValueError, match=r"^generator:"):
        initlib.normal_(torch.empty(3, 3, device="cuda"), generator=torch.Generator())
