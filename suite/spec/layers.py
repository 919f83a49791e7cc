"""The ``torch-layers`` target: the default initialisation of ``nn.Linear`` and ``nn.Conv1d/2d/3d``.

Their ``reset_parameters`` draws from the global RNG; the adapter below seeds it from the generator the
suite passes (inside ``torch.random.fork_rng``, so the caller's global RNG is untouched) and copies the
layer's fresh weight or bias into the tensor. Claims (torch docs; shared/reference): the weight is
kaiming_uniform_(a=sqrt 5) = U(+-1/sqrt(fan_in)), variance 1 / (3 fan_in); the bias U(+-1/sqrt(fan_in)).
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


def _layer(kind: str, weight_shape: tuple[int, ...], generator: torch.Generator | None):
    seed = int(torch.randint(0, 2**62, (1,), generator=generator)) if generator is not None else None
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        out, cin, *kernel = weight_shape
        if kind == "linear":
            return LAYERS[kind](cin, out)
        return LAYERS[kind](cin, out, kernel_size=tuple(kernel))


class LayerDefaults:
    """Functions ``<layer>_weight_(tensor, generator=None)`` and ``<layer>_bias_(tensor, fan_in,
    generator=None)`` that fill ``tensor`` with a fresh layer's default parameters."""

    def __getattr__(self, name: str):
        kind, _, part = name.rstrip("_").rpartition("_")
        if kind not in LAYERS or part not in ("weight", "bias"):
            raise AttributeError(name)

        def fill(tensor: torch.Tensor, fan_in: int | None = None, generator: torch.Generator | None = None):
            if part == "weight":
                layer = _layer(kind, tuple(tensor.shape), generator)
                source = layer.weight
            else:
                layer = _layer(
                    kind,
                    (tensor.shape[0], fan_in) + ((1,) * (int(kind[-2]) if kind != "linear" else 0)),
                    generator,
                )
                source = layer.bias
            with torch.no_grad():
                tensor.copy_(source)
            return tensor

        return fill


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
