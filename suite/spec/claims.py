"""The claims table: what each initializer promises for a given call.

One row per initializer: the calls it is exercised on (a Hypothesis strategy), the promise for a call
(distribution family and parameters, structure), its documented errors, and where the promise comes
from. Checks, pytest tests, the report's rows and the mutant catalogue are all generated from this table.
Every expected value comes from :mod:`suite.spec.oracle` (the formulas), never from the code under test.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from suite.spec import oracle, strategies
from suite.spec.strategies import Call, call, dtypes, gains, kernels, matrices, nonlinearities, slopes, weights
from suite.stats.laws import Distribution, normal, truncated_normal, uniform

XAVIER_VARIANCE, UNIFORM_VARIANCE = "xavier-variance", "uniform-variance"


@dataclass(frozen=True)
class Claim:
    """What a call promises. ``marginal`` is the law of every element (of the non-zero ones when
    ``marginal_of == "nonzero"``); the other fields are structural promises."""

    text: str
    marginal: Distribution | None = None
    marginal_of: str = "all"
    zeros_per_column: int | None = None
    orthogonal_gain: float | None = None
    delta_orthogonal_gain: float | None = None
    exact: Callable | None = None  # shape -> expected numpy array
    dirac_groups: int | None = None
    #: The demonstrations (reports' demos, e.g. ``uniform-variance``) this claim's verdicts bear on.
    demo: str | None = None


@dataclass(frozen=True)
class BadCall:
    """A documented bad input: the call must raise ValueError or TypeError (never anything else)."""

    what: str
    shape: tuple[int, ...]
    kwargs: dict = field(default_factory=dict)
    dtype: str = "float32"


#: The claim kinds (what their checks are: :mod:`suite.engine.kinds`).
KINDS = ("marginal", "sparse", "orthogonal", "delta_orthogonal", "exact")


@dataclass(frozen=True)
class Spec:
    name: str
    random: bool
    calls: st.SearchStrategy  # of Call
    claim: Callable[[Call], Claim]
    source: str
    bad_calls: tuple[BadCall, ...] = ()
    api: bool = True  # run the API checks (in place, generator, errors)
    #: Calls every run includes before the drawn ones: the cases the promises are usually quoted for.
    fixed: tuple[Call, ...] = ()
    #: The claim's kind, which owns its checks (:mod:`suite.engine.kinds`): ``marginal`` (every element
    #: i.i.d. from a law), ``sparse`` (a law on the non-zero elements, zeros per column), ``orthogonal``
    #: (Haar on the Stiefel manifold), ``delta_orthogonal`` (an orthogonal centre tap, zeros elsewhere) or
    #: ``exact`` (a deterministic tensor). Left empty: ``marginal`` when ``random``, else ``exact``.
    kind: str = ""
    #: The benchmark's call: extra arguments, and the ranks timed (``any``; ``2d``; ``conv``: 3-5 dims, a
    #: 2-D shape gets a trailing 1; ``conv_out_ge_in``: like ``conv`` with out >= in).
    bench_kwargs: dict = field(default_factory=dict)
    bench_ranks: str = "any"
    #: For initializers whose claim depends on the fans: rank -> calls on weights of that rank
    #: (:data:`suite.spec.strategies.FAN_RANKS`). Every rank the fixed calls leave out gets a drawn case
    #: of its own at every budget (:meth:`draw`), with the planned power of any case.
    by_rank: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.kind:
            object.__setattr__(self, "kind", "marginal" if self.random else "exact")
        if self.kind not in KINDS:
            raise ValueError(f"Spec {self.name!r}: kind {self.kind!r} is not one of {sorted(KINDS)}")

    @property
    def uncovered_ranks(self) -> tuple[int, ...]:
        """The ranks of :attr:`by_rank` that no fixed call has."""
        fixed = {len(c.shape) for c in self.fixed}
        return tuple(rank for rank in self.by_rank if rank not in fixed)

    def case_count(self, drawn: int) -> int:
        """Cases of a run that draws ``drawn`` calls: the fixed ones, then at least one per uncovered rank."""
        return len(self.fixed) + max(drawn, len(self.uncovered_ranks))

    def draw(self, count: int, seed: int) -> list[Call]:
        """The drawn calls: one of each uncovered rank, then calls of :attr:`calls` up to ``count``; the
        same for the same seed (:func:`suite.spec.strategies.draw`)."""
        ranked = [strategies.draw(self.by_rank[rank], 1, seed + rank)[0] for rank in self.uncovered_ranks]
        return ranked + strategies.draw(self.calls, count - len(ranked), seed)


def _calls(name: str, shapes, dtype=dtypes, **kwargs) -> st.SearchStrategy:
    """Calls of ``name`` on ``shapes`` with keyword arguments drawn from ``kwargs`` (strategies)."""
    return st.builds(
        lambda shape, dt, kw: call(name, shape, dt, **{k: v for k, v in kw.items() if v is not None}),
        shapes,
        dtype,
        st.fixed_dictionaries(kwargs),
    )


def _by_rank(name: str, **kwargs) -> dict:
    """rank -> :func:`_calls` of ``name`` on weights of that rank."""
    return {rank: _calls(name, strategies.weights_of_rank(rank), **kwargs) for rank in strategies.FAN_RANKS}


def _optional(strategy):
    """``None`` (the argument is left at its default) or a drawn value."""
    return st.one_of(st.none(), strategy)


def _uniform_claim(std: float, text: str, prop: str | None = UNIFORM_VARIANCE) -> Claim:
    bound = oracle.uniform_bound(std)
    return Claim(f"{text}; U(-a, a), a = sqrt(3) std = {bound:.6g}", uniform(-bound, bound), demo=prop)


def _normal_claim(std: float, text: str, prop: str | None = None) -> Claim:
    return Claim(f"{text}; N(0, std^2), std = {std:.6g}", normal(0.0, std), demo=prop)


FANS_NEED_2D = BadCall("a 1-D tensor has no fans", (5,))
FLOAT_ONLY = BadCall("an integer tensor cannot hold random draws", (6, 4), dtype="int64")


# --- plain distributions -------------------------------------------------------------------------------


def _uniform(c: Call) -> Claim:
    a, b = c.args.get("a", 0.0), c.args.get("b", 1.0)
    prop = UNIFORM_VARIANCE if a == -b else None
    return Claim(f"U(a, b) = U({a:.6g}, {b:.6g}); variance (b - a)^2 / 12", uniform(a, b), demo=prop)


def _uniform_bounds():
    symmetric = st.floats(0.01, 3.0).map(lambda h: {"a": -h, "b": h})
    general = st.tuples(st.floats(-3.0, 3.0), st.floats(0.01, 5.0)).map(lambda t: {"a": t[0], "b": t[0] + t[1]})
    return st.one_of(st.just({}), symmetric, general)


def _with_args(name: str, shapes, args_strategy, dtype=dtypes):
    return st.builds(lambda shape, dt, kw: call(name, shape, dt, **kw), shapes, dtype, args_strategy)


def _normal(c: Call) -> Claim:
    mean, std = c.args.get("mean", 0.0), c.args.get("std", 1.0)
    return Claim(f"N(mean, std^2) = N({mean:.6g}, {std:.6g}^2)", normal(mean, std))


def _trunc_normal(c: Call) -> Claim:
    args = {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0, **c.args}
    return Claim(
        "N(mean, std^2) conditioned on [a, b], a and b absolute, std the parent's: "
        f"mean={args['mean']:.6g}, std={args['std']:.6g}, [a, b]=[{args['a']:.6g}, {args['b']:.6g}]",
        truncated_normal(args["mean"], args["std"], args["a"], args["b"]),
    )


def _trunc_args():
    general = st.tuples(st.floats(-1.0, 1.0), st.floats(0.1, 2.0), st.floats(-3.0, 1.0), st.floats(0.5, 5.0)).map(
        lambda t: {"mean": t[0], "std": t[1], "a": t[0] + t[2] * t[1], "b": t[0] + (t[2] + t[3]) * t[1]}
    )
    return st.one_of(st.just({}), general)


# --- fan-scaled families -------------------------------------------------------------------------------


def _xavier(c: Call, family: str) -> Claim:
    g = c.args.get("gain", 1.0)
    std = oracle.xavier_std(c.shape, g)
    text = f"Var = gain^2 * 2 / (fan_in + fan_out) (Glorot & Bengio 2010), gain={g:.6g}, fans={oracle.fans(c.shape)}"
    if family == "uniform":
        return _uniform_claim(std, text, prop=f"{XAVIER_VARIANCE},{UNIFORM_VARIANCE}")
    return _normal_claim(std, text, prop=XAVIER_VARIANCE)


_XAVIER_GAIN = _optional(gains)


def _kaiming(c: Call, family: str) -> Claim:
    args = {"a": 0, "mode": "fan_in", "nonlinearity": "leaky_relu", **c.args}
    std = oracle.kaiming_std(c.shape, args["a"], args["mode"], args["nonlinearity"])
    gain = oracle.gain(args["nonlinearity"], args["a"])
    text = (
        f"std = gain / sqrt({args['mode']}) (He et al. 2015), gain={gain:.6g}, "
        f"{args['mode']}={oracle.fan(c.shape, args['mode']):g}"
    )
    return _uniform_claim(std, text) if family == "uniform" else _normal_claim(std, text)


_KAIMING_ARGS = {
    "a": _optional(slopes),
    "mode": _optional(st.sampled_from(["fan_in", "fan_out"])),
    "nonlinearity": _optional(nonlinearities),
}


def _lecun(c: Call, family: str) -> Claim:
    std = oracle.lecun_std(c.shape)
    text = f"Var = 1 / fan_in (LeCun et al. 1998), fan_in={oracle.fans(c.shape)[0]}"
    return _uniform_claim(std, text) if family == "uniform" else _normal_claim(std, text)


def _variance_scaling(c: Call) -> Claim:
    args = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "layout": "torch", **c.args}
    fan = oracle.fan(c.shape, args["mode"], args["layout"])
    std = math.sqrt(args["scale"] / fan)
    text = f"Var = scale / {args['mode']} = {args['scale']:.6g} / {fan:g} ({args['layout']} layout)"
    if args["distribution"] == "uniform":
        return _uniform_claim(std, text)
    if args["distribution"] == "normal":
        return _normal_claim(std, text)
    parent = std / oracle.truncated_std_units(2.0)
    return Claim(
        f"{text}; normal truncated at +-2 parent stds, parent std = std / 0.8796 = {parent:.6g} (JAX, Keras)",
        truncated_normal(0.0, parent, -2 * parent, 2 * parent),
    )


def _variance_scaling_args():
    return st.fixed_dictionaries(
        {
            "scale": _optional(st.floats(0.1, 3.0)),
            "mode": _optional(st.sampled_from(["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])),
            "distribution": _optional(st.sampled_from(["truncated_normal", "normal", "uniform"])),
        }
    )


def _variance_scaling_torch(shapes):
    """Calls in torch's layout on ``shapes``."""
    return st.builds(
        lambda shape, dt, kw: call("variance_scaling_", shape, dt, **{k: v for k, v in kw.items() if v is not None}),
        shapes,
        dtypes,
        _variance_scaling_args(),
    )


def _variance_scaling_calls():
    jax_shapes = st.one_of(matrices(), kernels(4).map(lambda s: (*s[2:], s[1], s[0])))
    args = _variance_scaling_args()
    torch_layout = _variance_scaling_torch(weights)
    jax_layout = st.builds(
        lambda shape, dt, kw: call(
            "variance_scaling_", shape, dt, layout="jax", **{k: v for k, v in kw.items() if v is not None}
        ),
        jax_shapes,
        dtypes,
        args,
    )
    return st.one_of(torch_layout, jax_layout)


# --- structured -----------------------------------------------------------------------------------------


def _sparse(c: Call) -> Claim:
    sparsity, std = c.args["sparsity"], c.args.get("std", 0.01)
    zeros = math.ceil(sparsity * c.shape[0])
    return Claim(
        f"exactly ceil(sparsity * rows) = {zeros} zeros in every column, chosen uniformly; the rest "
        f"N(0, std^2), std = {std:.6g} (Martens 2010)",
        normal(0.0, std),
        marginal_of="nonzero",
        zeros_per_column=zeros,
    )


def _orthogonal(c: Call) -> Claim:
    g = c.args.get("gain", 1.0)
    return Claim(
        f"(semi-)orthogonal times gain={g:.6g} on the (size(0), numel/size(0)) view, Haar-distributed "
        "(Saxe et al. 2013; Mezzadri 2007)",
        orthogonal_gain=g,
    )


def _delta_orthogonal(c: Call) -> Claim:
    g = c.args.get("gain", 1.0)
    centre = oracle.kernel_centre(c.shape[2:])
    return Claim(
        f"zero except the centre tap {centre}, an (out, in) matrix with orthonormal columns times gain={g:.6g}, "
        "Haar-distributed; circular convolution preserves the norm (Xiao et al. 2018)",
        delta_orthogonal_gain=g,
    )


def _delta_shapes():
    return st.tuples(
        st.integers(1, 32),
        st.integers(0, 16),
        st.integers(1, 3),
        st.lists(st.integers(1, 5), min_size=1, max_size=3),
    ).map(lambda t: (t[0] + t[1], t[0], *t[3][: t[2]]))


def _dirac(c: Call) -> Claim:
    groups = c.args.get("groups", 1)
    return Claim(
        f"zeros, then 1 at [g * out/groups + d, d, k//2, ...] for d < min(out/groups, in), groups={groups}; "
        "the identity convolution per group",
        exact=lambda shape: oracle.dirac(shape, groups),
        dirac_groups=groups,
    )


def _dirac_calls():
    def build(t):
        groups, per_group, in_channels, kernel, dt = t
        return call(
            "dirac_",
            (groups * per_group, in_channels, *kernel),
            dt,
            **({"groups": groups} if groups > 1 else {}),
        )

    kernel = st.lists(st.integers(1, 5), min_size=1, max_size=3)
    return st.tuples(st.integers(1, 4), st.integers(1, 8), st.integers(1, 8), kernel, dtypes).map(build)


def _constant(c: Call) -> Claim:
    val = c.args.get("val", {"ones_": 1.0, "zeros_": 0.0}.get(c.name))
    return Claim(f"every element equals {val!r}", exact=lambda shape: _filled(shape, val))


def _filled(shape, value):
    return np.full(shape, value, dtype=float)


def _eye(c: Call) -> Claim:
    return Claim("1 on the diagonal, 0 elsewhere", exact=oracle.eye)


any_shape = st.one_of(matrices(1, 4096), kernels(3, 1, 4096), st.tuples(st.integers(1, 64)))


TABLE: dict[str, Spec] = {
    spec.name: spec
    for spec in [
        Spec(
            "uniform_",
            True,
            _with_args("uniform_", weights, _uniform_bounds()),
            _uniform,
            "torch.nn.init.uniform_ docs",
            (FLOAT_ONLY, BadCall("a > b", (6, 4), {"a": 1.0, "b": 0.0})),
            fixed=(call("uniform_", (100, 50), a=-0.5, b=0.5),),
        ),
        Spec(
            "normal_",
            True,
            _with_args(
                "normal_",
                weights,
                st.one_of(
                    st.just({}),
                    st.fixed_dictionaries({"mean": st.floats(-2.0, 2.0), "std": st.floats(0.01, 3.0)}),
                ),
            ),
            _normal,
            "torch.nn.init.normal_ docs",
            (FLOAT_ONLY, BadCall("std < 0", (6, 4), {"std": -1.0})),
        ),
        Spec(
            "trunc_normal_",
            True,
            _with_args("trunc_normal_", weights, _trunc_args()),
            _trunc_normal,
            "torch.nn.init.trunc_normal_ docs (absolute cut-offs)",
            (FLOAT_ONLY, BadCall("a >= b", (6, 4), {"a": 1.0, "b": -1.0})),
            # the usual call, then two intervals deep in a tail (torch's docs allow any a < b): their mass
            # lies 3 to 8 std from the mean, where a sampler that inverts the distribution function needs
            # the tail of its inverse (Phi^-1 at 1e-15 ... 1e-3)
            fixed=(
                call("trunc_normal_", (128, 64), std=0.02),
                call("trunc_normal_", (128, 64), a=-8.0, b=-4.0),
                call("trunc_normal_", (128, 64), mean=0.5, std=0.5, a=2.0, b=3.5),
            ),
        ),
        Spec(
            "xavier_uniform_",
            True,
            _calls("xavier_uniform_", weights, gain=_XAVIER_GAIN),
            lambda c: _xavier(c, "uniform"),
            "Glorot & Bengio (2010); torch.nn.init docs",
            (FANS_NEED_2D, FLOAT_ONLY),
            fixed=(call("xavier_uniform_", (64, 32, 3, 3)), call("xavier_uniform_", (300, 100), gain=5 / 3)),
            by_rank=_by_rank("xavier_uniform_", gain=_XAVIER_GAIN),
        ),
        Spec(
            "xavier_normal_",
            True,
            _calls("xavier_normal_", weights, gain=_XAVIER_GAIN),
            lambda c: _xavier(c, "normal"),
            "Glorot & Bengio (2010); torch.nn.init docs",
            (FANS_NEED_2D, FLOAT_ONLY),
            fixed=(call("xavier_normal_", (64, 32, 3, 3)), call("xavier_normal_", (300, 100))),
            by_rank=_by_rank("xavier_normal_", gain=_XAVIER_GAIN),
        ),
        *[
            Spec(
                name,
                True,
                _calls(name, weights, **_KAIMING_ARGS),
                functools.partial(_kaiming, family=family),
                "He et al. (2015); torch.nn.init docs",
                (
                    FANS_NEED_2D,
                    FLOAT_ONLY,
                    BadCall("unknown mode", (6, 4), {"mode": "fan_avg"}),
                    BadCall("unknown nonlinearity", (6, 4), {"nonlinearity": "gelu"}),
                    BadCall("a bool slope", (6, 4), {"a": True}),
                ),
                fixed=fixed,
                by_rank=_by_rank(name, **_KAIMING_ARGS),
            )
            for name, family, fixed in [
                (
                    "kaiming_uniform_",
                    "uniform",
                    (
                        call("kaiming_uniform_", (64, 32, 3, 3), mode="fan_out", nonlinearity="relu"),
                        call("kaiming_uniform_", (128, 300), a=math.sqrt(5.0)),  # torch's nn.Linear weights
                    ),
                ),
                (
                    "kaiming_normal_",
                    "normal",
                    (
                        call("kaiming_normal_", (256, 128)),
                        call("kaiming_normal_", (32, 16, 5), a=0.2, mode="fan_out"),
                    ),
                ),
            ]
        ],
        *[
            Spec(
                name,
                True,
                _calls(name, weights),
                functools.partial(_lecun, family=family),
                "LeCun et al. (1998), Efficient BackProp",
                (FANS_NEED_2D, FLOAT_ONLY),
                by_rank=_by_rank(name),
            )
            for name, family in [("lecun_uniform_", "uniform"), ("lecun_normal_", "normal")]
        ],
        Spec(
            "variance_scaling_",
            True,
            _variance_scaling_calls(),
            _variance_scaling,
            "jax.nn.initializers.variance_scaling; Keras VarianceScaling",
            (
                FANS_NEED_2D,
                FLOAT_ONLY,
                BadCall("unknown mode", (6, 4), {"mode": "fan_sum"}),
                BadCall("unknown distribution", (6, 4), {"distribution": "gaussian"}),
                BadCall("unknown layout", (6, 4), {"layout": "nchw"}),
            ),
            fixed=(call("variance_scaling_", (3, 3, 32, 64), layout="jax", mode="fan_avg"),),
            by_rank={rank: _variance_scaling_torch(strategies.weights_of_rank(rank)) for rank in strategies.FAN_RANKS},
        ),
        Spec(
            "sparse_",
            True,
            _calls(
                "sparse_",
                matrices(min_rows=2),
                sparsity=st.floats(0.0, 0.95),
                std=_optional(st.floats(0.001, 1.0)),
            ),
            _sparse,
            "Martens (2010); torch.nn.init.sparse_ docs",
            (
                BadCall("a 3-D tensor", (3, 3, 3), {"sparsity": 0.5}),
                BadCall("sparsity > 1", (6, 4), {"sparsity": 1.5}),
                BadCall("an integer tensor cannot hold random draws", (6, 4), {"sparsity": 0.5}, "int64"),
            ),
            fixed=(call("sparse_", (100, 40), sparsity=0.1),),
            kind="sparse",
            bench_kwargs={"sparsity": 0.1},
            bench_ranks="2d",
        ),
        Spec(
            "orthogonal_",
            True,
            _calls("orthogonal_", st.one_of(matrices(1, 1 << 14), kernels(4, 1, 1 << 14)), gain=_optional(gains)),
            _orthogonal,
            "Saxe et al. (2013); torch.nn.init.orthogonal_ docs",
            (FANS_NEED_2D, FLOAT_ONLY),
            fixed=(call("orthogonal_", (8, 8)), call("orthogonal_", (4, 4)), call("orthogonal_", (30, 12), gain=0.5)),
            kind="orthogonal",
        ),
        Spec(
            "delta_orthogonal_",
            True,
            _calls("delta_orthogonal_", _delta_shapes(), gain=_optional(gains)),
            _delta_orthogonal,
            "Xiao et al. (2018), Dynamical isometry and a mean field theory of CNNs",
            (BadCall("out < in", (2, 4, 3)), BadCall("a 2-D tensor", (4, 4))),
            fixed=(call("delta_orthogonal_", (16, 16, 3, 3)),),
            kind="delta_orthogonal",
            bench_ranks="conv_out_ge_in",
        ),
        Spec(
            "dirac_",
            False,
            _dirac_calls(),
            _dirac,
            "torch.nn.init.dirac_ docs",
            (
                BadCall("a 2-D tensor", (4, 4)),
                BadCall("dim 0 not divisible by groups", (6, 2, 3), {"groups": 4}),
            ),
            fixed=(call("dirac_", (6, 4, 3, 3), groups=2), call("dirac_", (4, 4, 4))),
            bench_ranks="conv",
        ),
        Spec(
            "eye_",
            False,
            _calls("eye_", matrices(1, 4096)),
            _eye,
            "torch.nn.init.eye_ docs",
            (BadCall("a 3-D tensor", (2, 2, 2)),),
            fixed=(call("eye_", (6, 9)), call("eye_", (9, 6))),
            bench_ranks="2d",
        ),
        Spec(
            "constant_",
            False,
            _calls("constant_", any_shape, val=st.floats(-10.0, 10.0)),
            _constant,
            "torch.nn.init.constant_ docs",
            fixed=(call("constant_", (5, 7), val=0.1),),
            bench_kwargs={"val": 0.5},
        ),
        Spec("ones_", False, _calls("ones_", any_shape), _constant, "torch.nn.init.ones_ docs"),
        Spec("zeros_", False, _calls("zeros_", any_shape), _constant, "torch.nn.init.zeros_ docs"),
    ]
}

#: calculate_gain's table: (nonlinearity, param) -> the documented gain.
GAIN_CASES = [(name, None) for name in oracle.NONLINEARITIES] + [
    ("leaky_relu", slope) for slope in (0, 0.2, 1, 3, -0.5, math.sqrt(5.0))
]
GAIN_BAD_CASES = [("an unknown nonlinearity", ("gelu",)), ("a bool slope", ("leaky_relu", True))]

#: compute_fans (initlib's extra): shape, layout -> fans, restated from the two layouts' definitions.
FAN_CASES = [
    ((6, 4), "torch"),
    ((6, 4, 3, 5), "torch"),
    ((8, 2, 3), "torch"),
    ((4, 6), "jax"),
    ((3, 5, 4, 6), "jax"),
    ((1, 1, 1, 1, 1), "torch"),
    ((7, 1, 2), "jax"),
]
