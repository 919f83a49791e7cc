"""The claims of the ``torch-layers`` target: the default initialisation of ``nn.Linear`` and
``nn.Conv1d/2d/3d`` (the functions that produce it: :mod:`suite.adapters.torch_layers`).

Claims (``torch.nn.Linear`` and ``torch.nn.Conv2d`` docs, "Variables" sections; ``reset_parameters`` in
``torch/nn/modules/linear.py``): the weight is kaiming_uniform_(a=sqrt 5) = U(+-1/sqrt(fan_in)), variance
1 / (3 fan_in); the bias U(+-1/sqrt(fan_in)).
"""

from __future__ import annotations

import math

import torch
from hypothesis import strategies as st

from suite.spec import oracle
from suite.spec.claims import Claim, Spec
from suite.spec.strategies import Call, call, kernels, matrices
from suite.stats.laws import uniform

LAYERS = {
    "linear": torch.nn.Linear,
    "conv1d": torch.nn.Conv1d,
    "conv2d": torch.nn.Conv2d,
    "conv3d": torch.nn.Conv3d,
}


def _weight_claim(c: Call) -> Claim:
    bound = oracle.default_layer_bound(oracle.fans(c.shape)[0])
    return Claim(
        f"kaiming_uniform_(a=sqrt 5): U(+-1/sqrt(fan_in)) = U(+-{bound:.6g}), variance 1/(3 fan_in)",
        uniform(-bound, bound),
        property="uniform-variance",
    )


def _bias_claim(c: Call) -> Claim:
    bound = 1.0 / math.sqrt(c.args["fan_in"])
    return Claim(f"U(+-1/sqrt(fan_in)) = U(+-{bound:.6g}), fan_in={c.args['fan_in']}", uniform(-bound, bound))


def _weight_spec(kind: str, shapes) -> Spec:
    name = f"{kind}_weight_"
    calls = st.builds(lambda s: call(name, s), shapes)
    return Spec(name, True, calls, _weight_claim, f"torch.nn.{LAYERS[kind].__name__}.reset_parameters", api=False)


def _bias_spec(kind: str) -> Spec:
    name = f"{kind}_bias_"
    calls = st.builds(
        lambda out, fan_in: call(name, (out,), fan_in=fan_in), st.integers(128, 4096), st.integers(1, 2048)
    )
    return Spec(name, True, calls, _bias_claim, f"torch.nn.{LAYERS[kind].__name__}.reset_parameters", api=False)


LAYER_TABLE: dict[str, Spec] = {
    spec.name: spec
    for spec in [
        _weight_spec("linear", matrices()),
        _bias_spec("linear"),
        _weight_spec("conv1d", kernels(3)),
        _weight_spec("conv2d", kernels(4)),
        _bias_spec("conv2d"),
        _weight_spec("conv3d", kernels(5)),
    ]
}
