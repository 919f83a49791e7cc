"""The mutant catalogue: deliberately wrong initializers, each a target module of the same form a
user's module has (functions named as in torch.nn.init), so the catalogue exercises the public interface.

Every mutant breaks exactly one function and is otherwise careful: it validates its input like a correct
implementation (so a kill comes from its bug, not from a sloppy error message). The functions it does
not break are initlib's. ``python -m suite mutants`` verifies each mutant restricted to the function it
breaks and reports the kill rate; a mutant whose effect lies below what a budget can detect is documented
as equivalent at that budget, with the sample size that would detect it.
"""

from __future__ import annotations

import importlib
import math
import types
from collections.abc import Callable
from dataclasses import dataclass

import torch

import initlib
from suite.engine.checks.extras import EXTRAS
from suite.spec.claims import TABLE
from suite.stats import budget as budgets
from suite.stats import significance


@dataclass(frozen=True)
class Mutant:
    """A wrong ``function``: a name of the claims table or an extra (``calculate_gain``, ``compute_fans``),
    whose claims are the ones it must break."""

    name: str
    function: str
    bug: str
    implementation: Callable
    #: For bugs of a known relative std error: below a budget's design effect it is documented as
    #: equivalent at that budget (the verdict records the sample size that would detect it).
    std_error: float | None = None
    #: The library the mutant's other functions come from (``initlib`` or ``initlib.fast``).
    base: str = "initlib"
    #: When set, ``implementation`` is a factory, called when the module is built (compiled code).
    lazy: bool = False

    def __post_init__(self):
        if self.function not in TABLE and self.function not in EXTRAS:
            raise ValueError(f"mutant {self.name!r}: {self.function!r} is neither in the claims table nor an extra")

    def module(self) -> types.ModuleType:
        module = types.ModuleType(f"mutant_{self.name}")
        base = importlib.import_module(self.base)
        for name in initlib.__all__:
            setattr(module, name, getattr(base, name))
        setattr(module, self.function, self.implementation() if self.lazy else self.implementation)
        return module

    def equivalent_at(self, budget: budgets.Budget, check_alpha: float) -> dict | None:
        """Documented equivalence within the budget's minimum effect: the bug's std error is below the
        design effect, and ``detect_n`` values would detect it with power 0.99 at ``check_alpha``."""
        if self.std_error is None or abs(self.std_error) >= budget.design_std_error:
            return None
        detect_n = significance.variance_sample_size(check_alpha, abs(self.std_error), budgets.DESIGN_POWER, 3.0, True)
        return {
            "reason": f"a {abs(self.std_error):.2%} std error is below the {budget.name} budget's design effect "
            f"({budget.design_std_error:.2%})",
            "detect_n": int(detect_n),
        }


CATALOGUE: list[Mutant] = []


def mutant(name: str, function: str, bug: str, std_error: float | None = None):
    def register(implementation: Callable) -> Callable:
        CATALOGUE.append(Mutant(name, function, bug, implementation, std_error))
        return implementation

    return register


# --- helpers every mutant uses to stay otherwise correct -------------------------------------------


def _float(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise TypeError(f"tensor: floating point only, got {tensor.dtype}")
    return tensor


def _fans(tensor: torch.Tensor) -> tuple[int, int]:
    return initlib.compute_fans(tensor.shape)


def _kaiming_args(a, mode, nonlinearity) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode: {mode!r}")
    return initlib.calculate_gain(nonlinearity, a)


def _uniform(tensor, bound, generator):
    if tensor.numel():
        with torch.no_grad():
            tensor.uniform_(-bound, bound, generator=generator)
    return tensor


def _normal(tensor, std, generator, mean=0.0):
    if tensor.numel():
        with torch.no_grad():
            tensor.normal_(mean, std, generator=generator)
    return tensor


def _empty_ok(tensor) -> bool:
    return tensor.numel() == 0


# --- wrong fans ---------------------------------------------------------------------------------------


@mutant("xavier_fan_in_only", "xavier_uniform_", "uses fan_in in place of (fan_in + fan_out) / 2")
def _xavier_fan_in_only(tensor, gain=1.0, generator=None):
    fan_in, _ = _fans(_float(tensor))
    return tensor if _empty_ok(tensor) else _uniform(tensor, gain * math.sqrt(3.0 / fan_in), generator)


@mutant("kaiming_fans_swapped", "kaiming_normal_", "fan_in and fan_out swapped")
def _kaiming_fans_swapped(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    gain = _kaiming_args(a, mode, nonlinearity)
    fan_in, fan_out = _fans(_float(tensor))
    fan = fan_out if mode == "fan_in" else fan_in
    return tensor if _empty_ok(tensor) else _normal(tensor, gain / math.sqrt(fan), generator)


@mutant("kaiming_mode_ignored", "kaiming_uniform_", "mode ignored: always fan_in")
def _kaiming_mode_ignored(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    gain = _kaiming_args(a, mode, nonlinearity)
    fan_in, _ = _fans(_float(tensor))
    return tensor if _empty_ok(tensor) else _uniform(tensor, gain * math.sqrt(3.0 / fan_in), generator)


@mutant("xavier_receptive_field_ignored", "xavier_normal_", "the kernel's receptive field left out of the fans")
def _xavier_no_receptive_field(tensor, gain=1.0, generator=None):
    _fans(_float(tensor))
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]
    return tensor if _empty_ok(tensor) else _normal(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


@mutant("lecun_fan_out", "lecun_uniform_", "LeCun with fan_out instead of fan_in")
def _lecun_fan_out(tensor, generator=None):
    _, fan_out = _fans(_float(tensor))
    return tensor if _empty_ok(tensor) else _uniform(tensor, math.sqrt(3.0 / fan_out), generator)


@mutant("variance_scaling_fan_sum", "variance_scaling_", "fan_avg computed as fan_in + fan_out (no halving)")
def _variance_scaling_fan_sum(
    tensor, scale=1.0, mode="fan_in", distribution="truncated_normal", layout="torch", generator=None
):
    if mode == "fan_avg":
        fan_in, fan_out = initlib.compute_fans(tensor.shape, layout)
        return initlib.variance_scaling_(
            tensor, scale * fan_in / (fan_in + fan_out), "fan_in", distribution, layout, generator
        )
    return initlib.variance_scaling_(tensor, scale, mode, distribution, layout, generator)


# --- wrong gains and scales -------------------------------------------------------------------------------


@mutant("kaiming_gain_missing", "kaiming_normal_", "the gain left out: std = 1 / sqrt(fan)")
def _kaiming_gain_missing(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    _kaiming_args(a, mode, nonlinearity)
    fan_in, fan_out = _fans(_float(tensor))
    fan = fan_in if mode == "fan_in" else fan_out
    return tensor if _empty_ok(tensor) else _normal(tensor, 1.0 / math.sqrt(fan), generator)


@mutant("xavier_gain_squared", "xavier_uniform_", "the gain squared (gain applied to the variance twice)")
def _xavier_gain_squared(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(_float(tensor))
    if _empty_ok(tensor):
        return tensor
    return _uniform(tensor, gain**2 * math.sqrt(6.0 / (fan_in + fan_out)), generator)


@mutant("kaiming_slope_ignored", "kaiming_uniform_", "the negative slope a ignored (default 0.01 used)")
def _kaiming_slope_ignored(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    _kaiming_args(a, mode, nonlinearity)
    gain = initlib.calculate_gain(nonlinearity)
    fan_in, fan_out = _fans(_float(tensor))
    fan = fan_in if mode == "fan_in" else fan_out
    return tensor if _empty_ok(tensor) else _uniform(tensor, gain * math.sqrt(3.0 / fan), generator)


@mutant("kaiming_sqrt3_missing", "kaiming_uniform_", "uniform bound = std (sqrt(3) missing)")
def _kaiming_sqrt3_missing(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    gain = _kaiming_args(a, mode, nonlinearity)
    fan_in, fan_out = _fans(_float(tensor))
    fan = fan_in if mode == "fan_in" else fan_out
    return tensor if _empty_ok(tensor) else _uniform(tensor, gain / math.sqrt(fan), generator)


def _scaled(function: str, factor: float):
    def scaled(tensor, *args, **kwargs):
        result = getattr(initlib, function)(tensor, *args, **kwargs)
        with torch.no_grad():
            tensor.mul_(factor)
        return result

    return scaled


mutant("xavier_normal_std_3pct", "xavier_normal_", "std 3% too large", std_error=0.03)(_scaled("xavier_normal_", 1.03))
mutant("kaiming_normal_std_1pct", "kaiming_normal_", "std 1% too small", std_error=-0.01)(
    _scaled("kaiming_normal_", 0.99)
)
mutant("xavier_uniform_std_1pct", "xavier_uniform_", "bound (so std) 1% too large", std_error=0.01)(
    _scaled("xavier_uniform_", 1.01)
)
mutant("normal_std_0p2pct", "normal_", "std 0.2% too large (below every budget's design effect)", std_error=0.002)(
    _scaled("normal_", 1.002)
)


@mutant("normal_mean_shift", "normal_", "mean shifted by 2% of the std")
def _normal_mean_shift(tensor, mean=0.0, std=1.0, generator=None):
    initlib.normal_(tensor, mean, std, generator)
    with torch.no_grad():
        tensor.add_(0.02 * std)
    return tensor


# --- wrong family, truncation ----------------------------------------------------------------------------


@mutant("xavier_normal_is_uniform", "xavier_normal_", "uniform draws with the right mean and variance")
def _xavier_normal_is_uniform(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(_float(tensor))
    if _empty_ok(tensor):
        return tensor
    return _uniform(tensor, math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


@mutant("kaiming_normal_is_laplace", "kaiming_normal_", "Laplace draws with the right mean and variance")
def _kaiming_normal_is_laplace(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    gain = _kaiming_args(a, mode, nonlinearity)
    fan_in, fan_out = _fans(_float(tensor))
    if tensor.numel():
        std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
        with torch.no_grad():
            u = torch.empty(tensor.shape, dtype=torch.float64).uniform_(-0.5, 0.5, generator=generator)
            tensor.copy_(-std / math.sqrt(2.0) * u.sign() * torch.log1p(-2 * u.abs()))
    return tensor


@mutant("trunc_normal_by_clamping", "trunc_normal_", "truncation by clamping (mass piled at the bounds)")
def _trunc_by_clamping(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    if not a < b:
        raise ValueError(f"a, b: a must be below b, got {a}, {b}")
    initlib.normal_(tensor, mean, std, generator)
    with torch.no_grad():
        tensor.clamp_(a, b)
    return tensor


@mutant("trunc_normal_std_units", "trunc_normal_", "a and b read in std units (JAX's truncated_normal semantics)")
def _trunc_std_units(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    return initlib.trunc_normal_(tensor, mean, std, mean + a * std, mean + b * std, generator)


@mutant("trunc_normal_variance_corrected", "trunc_normal_", "std corrected for the truncation (Keras' semantics)")
def _trunc_variance_corrected(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    from scipy import stats

    alpha, beta = (a - mean) / std, (b - mean) / std
    factor = float(stats.truncnorm(alpha, beta).std()) if a < b else 1.0
    return initlib.trunc_normal_(tensor, mean, std / factor, a, b, generator)


@mutant("variance_scaling_uncorrected", "variance_scaling_", "truncated normal without the 0.8796 correction")
def _variance_scaling_uncorrected(
    tensor, scale=1.0, mode="fan_in", distribution="truncated_normal", layout="torch", generator=None
):
    if distribution == "truncated_normal" and mode in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg"):
        fan_in, fan_out = initlib.compute_fans(tensor.shape, layout)
        fan = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2,
            "fan_geo_avg": math.sqrt(fan_in * fan_out),
        }[mode]
        std = math.sqrt(scale / fan)
        return initlib.trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std, generator) if tensor.numel() else tensor
    return initlib.variance_scaling_(tensor, scale, mode, distribution, layout, generator)


# --- structure ----------------------------------------------------------------------------------------------


def _gaussian_matrix(rows, cols, generator, dtype):
    return torch.empty(rows, cols, dtype=dtype).normal_(generator=generator)


@mutant("orthogonal_not_haar", "orthogonal_", "Q of the QR without the sign correction (orthogonal, not Haar)")
def _orthogonal_not_haar(tensor, gain=1, generator=None):
    _fans(_float(tensor))
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    dtype = torch.float64 if tensor.dtype == torch.float64 else torch.float32
    flat = _gaussian_matrix(rows, cols, generator, dtype)
    q, _ = torch.linalg.qr(flat.T if rows < cols else flat)
    q = q.T if rows < cols else q
    with torch.no_grad():
        tensor.copy_((q * gain).reshape(tensor.shape))
    return tensor


@mutant("orthogonal_gain_ignored", "orthogonal_", "gain ignored")
def _orthogonal_gain_ignored(tensor, gain=1, generator=None):
    return initlib.orthogonal_(tensor, 1, generator)


@mutant("orthogonal_low_precision", "orthogonal_", "orthogonal only to bfloat16 precision (QR result rounded)")
def _orthogonal_low_precision(tensor, gain=1, generator=None):
    initlib.orthogonal_(tensor, gain, generator)
    with torch.no_grad():
        tensor.copy_(tensor.to(torch.bfloat16))
    return tensor


@mutant("sparse_zeros_not_per_column", "sparse_", "the zeros spread over the whole matrix, not per column")
def _sparse_not_per_column(tensor, sparsity, std=0.01, generator=None):
    initlib.sparse_(tensor, sparsity, std, generator)  # validates, then the pattern is redrawn wrongly
    initlib.sparse_(tensor, 0.0, std, generator)
    if tensor.numel() and sparsity:
        rows, cols = tensor.shape
        count = math.ceil(sparsity * rows) * cols
        chosen = torch.randperm(tensor.numel(), generator=generator)[:count]
        with torch.no_grad():
            tensor.view(-1)[chosen] = 0
    return tensor


@mutant("sparse_first_rows", "sparse_", "the zeros always in the first rows of each column")
def _sparse_first_rows(tensor, sparsity, std=0.01, generator=None):
    initlib.sparse_(tensor, sparsity, std, generator)
    initlib.sparse_(tensor, 0.0, std, generator)
    if tensor.numel():
        with torch.no_grad():
            tensor[: math.ceil(sparsity * tensor.shape[0])] = 0
    return tensor


@mutant("sparse_global_rng", "sparse_", "zero pattern from the global RNG (torch.randperm without the generator)")
def _sparse_global_rng(tensor, sparsity, std=0.01, generator=None):
    initlib.sparse_(tensor, sparsity, std, generator)
    initlib.sparse_(tensor, 0.0, std, generator)
    if tensor.numel():
        rows, cols = tensor.shape
        with torch.no_grad():
            for column in range(cols):
                tensor[torch.randperm(rows)[: math.ceil(sparsity * rows)], column] = 0
    return tensor


@mutant("dirac_wrong_centre", "dirac_", "centre tap (k - 1) // 2 (JAX's delta centre) instead of k // 2")
def _dirac_wrong_centre(tensor, groups=1):
    initlib.dirac_(tensor, groups)
    if tensor.numel():
        centre = tuple(k // 2 for k in tensor.shape[2:])
        moved = tuple((k - 1) // 2 for k in tensor.shape[2:])
        with torch.no_grad():
            taps = tensor[(slice(None), slice(None), *centre)].clone()
            tensor.zero_()
            tensor[(slice(None), slice(None), *moved)] = taps
    return tensor


@mutant("dirac_groups_ignored", "dirac_", "groups ignored: one identity over all output channels")
def _dirac_groups_ignored(tensor, groups=1):
    initlib.dirac_(tensor, groups)  # validates groups
    return initlib.dirac_(tensor, 1)


@mutant("delta_orthogonal_noisy_taps", "delta_orthogonal_", "off-centre taps not exactly zero (1e-3 noise)")
def _delta_noisy(tensor, gain=1.0, generator=None):
    initlib.delta_orthogonal_(tensor, gain, generator)
    if tensor.numel():
        noise = torch.empty(tensor.shape, dtype=torch.float32).normal_(0, 1e-3, generator=generator)
        centre = (slice(None), slice(None), *(k // 2 for k in tensor.shape[2:]))
        noise[centre] = 0
        with torch.no_grad():
            tensor.add_(noise.to(tensor.dtype))
    return tensor


@mutant("eye_anti_diagonal", "eye_", "ones on the anti-diagonal")
def _eye_anti_diagonal(tensor):
    initlib.eye_(tensor)
    with torch.no_grad():
        tensor.copy_(tensor.flip(-1))
    return tensor


@mutant("constant_through_float16", "constant_", "the value rounded through float16 before filling")
def _constant_through_half(tensor, val):
    return initlib.constant_(tensor, float(torch.tensor(val, dtype=torch.float16)))


# --- API ---------------------------------------------------------------------------------------------------------


@mutant("xavier_generator_ignored", "xavier_uniform_", "generator ignored: draws from the global RNG")
def _xavier_generator_ignored(tensor, gain=1.0, generator=None):
    return initlib.xavier_uniform_(tensor, gain)


@mutant("kaiming_not_in_place", "kaiming_normal_", "returns a new tensor instead of filling its argument")
def _kaiming_not_in_place(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return initlib.kaiming_normal_(torch.empty_like(tensor), a, mode, nonlinearity, generator)


@mutant("xavier_zero_division", "xavier_normal_", "divides by fan_in + fan_out before checking for zero elements")
def _xavier_zero_division(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(_float(tensor))
    return _normal(tensor, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


@mutant("kaiming_bad_mode_accepted", "kaiming_uniform_", "an unknown mode silently treated as fan_in")
def _kaiming_bad_mode_accepted(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return initlib.kaiming_uniform_(tensor, a, "fan_out" if mode == "fan_out" else "fan_in", nonlinearity, generator)


# --- broken independence (perfect marginals) ------------------------------------------------------------------------


@mutant("normal_tiled_block", "normal_", "a quarter of the values drawn, then tiled (marginals perfect)")
def _normal_tiled(tensor, mean=0.0, std=1.0, generator=None):
    _float(tensor)
    if std < 0:
        raise ValueError(f"std: must be >= 0, got {std}")
    n = tensor.numel()
    if n:
        block = torch.empty(max(1, n // 4), dtype=tensor.dtype).normal_(mean, std, generator=generator)
        with torch.no_grad():
            tensor.copy_(block.repeat(n // block.numel() + 1)[:n].view(tensor.shape))
    return tensor


@mutant("xavier_rows_share_a_component", "xavier_normal_", "rows share a common component (correlation 0.05)")
def _xavier_shared_rows(tensor, gain=1.0, generator=None):
    initlib.xavier_normal_(tensor, gain, generator)
    if tensor.numel():
        std = gain * math.sqrt(2.0 / sum(_fans(tensor)))
        rows = tensor.shape[0]
        shared = torch.empty(rows, *([1] * (tensor.dim() - 1)), dtype=torch.float32).normal_(
            0, std, generator=generator
        )
        with torch.no_grad():
            tensor.mul_(math.sqrt(0.95)).add_((math.sqrt(0.05) * shared).to(tensor.dtype))
    return tensor


@mutant("uniform_sorted_rows", "uniform_", "each row sorted (marginals perfect, order not random)")
def _uniform_sorted(tensor, a=0.0, b=1.0, generator=None):
    initlib.uniform_(tensor, a, b, generator)
    if tensor.numel() and tensor.dim() >= 1:
        with torch.no_grad():
            flat = tensor.reshape(tensor.shape[0], -1)
            tensor.copy_(flat.sort(dim=1).values.reshape(tensor.shape))
    return tensor


# --- the gain table -------------------------------------------------------------------------------------------------


@mutant("gain_tanh_wrong", "calculate_gain", "tanh gain 4/3 instead of 5/3")
def _gain_tanh(nonlinearity, param=None):
    return 4.0 / 3.0 if nonlinearity == "tanh" else initlib.calculate_gain(nonlinearity, param)


@mutant("gain_leaky_relu_slope_not_squared", "calculate_gain", "leaky_relu gain sqrt(2 / (1 + slope)) (not slope^2)")
def _gain_leaky(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool):
            raise ValueError("param: bool")
        return math.sqrt(2.0 / (1 + slope))
    return initlib.calculate_gain(nonlinearity, param)


@mutant("fans_jax_layout_swapped", "compute_fans", "JAX layout read as (*k, out, in)")
def _fans_jax_swapped(shape, layout="torch"):
    fan_in, fan_out = initlib.compute_fans(shape, layout)
    return (fan_out, fan_in) if layout == "jax" else (fan_in, fan_out)


# --- generator state: successive calls must give fresh values -------------------------------------------------


@mutant("xavier_reseeds_from_initial_seed", "xavier_normal_", "re-seeds from generator.initial_seed()")
def _xavier_reseeds(tensor, gain=1.0, generator=None):
    private = None if generator is None else torch.Generator().manual_seed(generator.initial_seed())
    return initlib.xavier_normal_(tensor, gain, private)


@mutant("kaiming_generator_state_copied", "kaiming_uniform_", "draws from a copy of the generator's state")
def _kaiming_state_copied(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    private = generator
    if generator is not None:
        private = torch.Generator()
        private.set_state(generator.get_state())
    return initlib.kaiming_uniform_(tensor, a, mode, nonlinearity, private)


@mutant("normal_reseeds_from_torch_initial_seed", "normal_", "without generator=, re-seeds from torch.initial_seed()")
def _normal_reseeds_global(tensor, mean=0.0, std=1.0, generator=None):
    if generator is None:
        generator = torch.Generator().manual_seed(torch.initial_seed())
    return initlib.normal_(tensor, mean, std, generator)


# --- memory layout: views must be filled in place ----------------------------------------------------------------


@mutant(
    "kaiming_fills_contiguous_copy",
    "kaiming_normal_",
    "fills tensor.contiguous() (a view left as is)",
)
def _kaiming_contiguous_copy(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    initlib.kaiming_normal_(tensor.contiguous(), a, mode, nonlinearity, generator)
    return tensor


@mutant("uniform_ignores_storage_offset", "uniform_", "writes the storage from its start (a view's offset ignored)")
def _uniform_no_offset(tensor, a=0.0, b=1.0, generator=None):
    initlib.uniform_(torch.empty(0, dtype=_float(tensor).dtype), a, b)  # validates a, b
    if tensor.numel():
        strides = torch.empty(tensor.shape).stride()
        with torch.no_grad():
            torch.as_strided(tensor, tensor.shape, strides, 0).uniform_(a, b, generator=generator)
    return tensor


@mutant("xavier_channels_last_fans", "xavier_uniform_", "fans read from the memory order of the dimensions")
def _xavier_memory_order(tensor, gain=1.0, generator=None):
    _fans(_float(tensor))
    order = sorted(range(tensor.dim()), key=lambda d: -tensor.stride(d))
    fan_in, fan_out = initlib.compute_fans(tuple(tensor.shape[d] for d in order))
    if _empty_ok(tensor):
        return tensor
    return _uniform(tensor, gain * math.sqrt(6.0 / (fan_in + fan_out)), generator)


# --- long-range streams: repeats at any lag ------------------------------------------------------------------------


@mutant("normal_period_65536", "normal_", "65,536 values drawn, then repeated (a stream with period 2^16)")
def _normal_period(tensor, mean=0.0, std=1.0, generator=None):
    initlib.normal_(tensor, mean, std, generator)  # validates
    n = tensor.numel()
    if n > 1 << 16:
        with torch.no_grad():
            flat = tensor.reshape(-1)
            tensor.copy_(flat[: 1 << 16].repeat(n // (1 << 16) + 1)[:n].view(tensor.shape))
    return tensor


@mutant("uniform_blocks_keyed_mod_4", "uniform_", "blocks of 16,384 keyed by the block index mod 4 (period 2^16)")
def _uniform_blocks_mod_4(tensor, a=0.0, b=1.0, generator=None):
    initlib.uniform_(tensor, a, b, generator)  # validates
    n, block = tensor.numel(), 1 << 14
    if n > block:
        key = int(torch.randint(0, 2**62, (), generator=generator))
        flat = torch.empty(n, dtype=tensor.dtype)
        for start in range(0, n, block):
            keyed = torch.Generator().manual_seed(key + (start // block) % 4)
            flat[start : start + block].uniform_(a, b, generator=keyed)
        with torch.no_grad():
            tensor.copy_(flat.view(tensor.shape))
    return tensor


# --- precision: a float64 tensor holds a float64 law -------------------------------------------------------------


def _via_float32(function: str):
    def via_float32(tensor, *args, **kwargs):
        if tensor.dtype != torch.float64:
            return getattr(initlib, function)(tensor, *args, **kwargs)
        draws = torch.empty(tensor.shape, dtype=torch.float32)
        getattr(initlib, function)(draws, *args, **kwargs)
        with torch.no_grad():
            tensor.copy_(draws)
        return tensor

    return via_float32


mutant("normal_float64_from_float32", "normal_", "float64 filled from float32 draws (24 random bits)")(
    _via_float32("normal_")
)
mutant("trunc_normal_float64_from_float32", "trunc_normal_", "float64 filled from float32 draws (24 random bits)")(
    _via_float32("trunc_normal_")
)


# --- every rank: fans wrong for one rank only ---------------------------------------------------------------------


@mutant("xavier_5d_fans", "xavier_uniform_", "5-D kernels: the receptive field leaves out the last kernel dimension")
def _xavier_5d(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _fans(_float(tensor))
    if tensor.dim() == 5:
        fan_in, fan_out = fan_in // tensor.shape[4], fan_out // tensor.shape[4]
    return tensor if _empty_ok(tensor) else _uniform(tensor, gain * math.sqrt(6.0 / (fan_in + fan_out)), generator)


@mutant("lecun_3d_kernel_size_ignored", "lecun_normal_", "3-D kernels: fan_in = in channels")
def _lecun_3d(tensor, generator=None):
    fan_in, _ = _fans(_float(tensor))
    if tensor.dim() == 3:
        fan_in = tensor.shape[1]
    return tensor if _empty_ok(tensor) else _normal(tensor, 1.0 / math.sqrt(fan_in), generator)


def by_name() -> dict[str, Mutant]:
    return {m.name: m for m in CATALOGUE}


from . import fast_mutants  # noqa: E402, F401 (registers initlib.fast's sampler bugs where numba is installed)
