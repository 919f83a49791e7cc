"""The classic demonstrations, computed with torch and initlib (not read from any file).

Each function is deterministic for a given seed (every draw comes from a seeded ``torch.Generator``, in
float64 so that nothing underflows over depth) and returns plain numbers for the plots and the tests,
together with what the mathematics says they should be (each function names its paper):

- :func:`propagation`: second moment of the activations (forward) and of the gradients (backward) through
  a deep square network for ReLU, tanh and linear layers under He, Xavier, LeCun and the torch default
  ``U(+-1/sqrt(n))``. For ReLU the per-layer ratio is ``n Var(w) / 2``: He 1, Xavier 1/2, LeCun 1/2 and
  the default 1/6; for linear layers ``n Var(w)``: 2, 1, 1 and 1/3. With square layers Xavier and LeCun
  have the same variance, so their curves coincide.
- :func:`symmetry`: distinct hidden units of a small network over SGD steps for a constant, a random and
  a constant-with-dropout initialisation: constant stays at one unit, dropout breaks the symmetry.
- :func:`sigmoid`: the sigmoid and its gradient (maximum 1/4, at 0).
- :func:`gaussian_product`: ``log ||W_L ... W_1 x||`` for 4x4 Gaussian matrices against depth, with the
  theoretical mean ``L (ln 2 + psi(n / 2)) / 2`` and standard deviation ``sqrt(L psi'(n / 2)) / 2``.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import torch
from scipy.special import digamma, polygamma

import initlib
from suite.engine.checks.properties import distinct_rows

DTYPE = torch.float64
NONLINEARITIES = ("relu", "tanh", "linear")
INITS = ("he", "xavier", "lecun", "default")
INIT_LABELS = {
    "he": "He (kaiming_normal_, relu gain)",
    "xavier": "Xavier (xavier_normal_)",
    "lecun": "LeCun (lecun_normal_)",
    "default": "torch default U(±1/√n)",
}


def _generator(seed: int, stream: int) -> torch.Generator:
    """One independent generator per use, all derived from the report's seed."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)


def weight_variance(init: str, n: int) -> float:
    """Var(w) of each initializer for an n x n weight, from the formulas (not from initlib's code)."""
    return {"he": 2.0 / n, "xavier": 2.0 / (n + n), "lecun": 1.0 / n, "default": 1.0 / (3 * n)}[init]


def expected_ratio(nonlinearity: str, init: str, n: int) -> float | None:
    """Per-layer ratio of the pre-activations' second moment: n Var(w) E[phi(y)^2] / Var(y).

    E[relu(y)^2] = Var(y) / 2 for symmetric zero-mean y; linear keeps Var(y); tanh has no closed form.
    """
    factor = {"relu": 0.5, "linear": 1.0}.get(nonlinearity)
    return None if factor is None else n * weight_variance(init, n) * factor


def _fill(init: str, weight: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    if init == "he":
        return initlib.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
    if init == "xavier":
        return initlib.xavier_normal_(weight, generator=generator)
    if init == "lecun":
        return initlib.lecun_normal_(weight, generator=generator)
    # nn.Linear's default: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in))
    return initlib.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)


_PHI = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda y: y}


def _phi_prime(nonlinearity: str, y: torch.Tensor) -> torch.Tensor:
    if nonlinearity == "relu":
        return (y > 0).to(y.dtype)
    if nonlinearity == "tanh":
        return 1 - torch.tanh(y) ** 2
    return torch.ones_like(y)


@dataclass
class Propagation:
    width: int
    depth: int
    batch: int
    #: forward[nonlinearity][init][l]: mean squared pre-activation of layer l + 1
    forward: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    #: backward[nonlinearity][init][l]: mean squared gradient w.r.t. the pre-activations of layer l + 1
    backward: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def forward_ratio(self, nonlinearity: str, init: str) -> float:
        """Geometric mean of the per-layer forward ratio M_l / M_{l-1} over layers 2..depth."""
        m = self.forward[nonlinearity][init]
        return math.exp((math.log(m[-1]) - math.log(m[0])) / (len(m) - 1))

    def backward_ratio(self, nonlinearity: str, init: str) -> float:
        """Geometric mean of the per-layer backward ratio G_l / G_{l+1} (towards the input)."""
        g = self.backward[nonlinearity][init]
        return math.exp((math.log(g[0]) - math.log(g[-1])) / (len(g) - 1))


def propagation(seed: int = 0, width: int = 256, depth: int = 50, batch: int = 256) -> Propagation:
    """Forward and backward second moments through ``depth`` square layers of ``width`` units, no bias."""
    out = Propagation(width, depth, batch)
    for k, nl in enumerate(NONLINEARITIES):
        out.forward[nl], out.backward[nl] = {}, {}
        for j, init in enumerate(INITS):
            g = _generator(seed, 100 + 10 * k + j)
            weights = [_fill(init, torch.empty(width, width, dtype=DTYPE), g) for _ in range(depth)]
            x = torch.randn(batch, width, generator=g, dtype=DTYPE)
            pre, fwd = [], []
            for w in weights:
                y = x @ w.T
                pre.append(y)
                fwd.append(float(y.pow(2).mean()))
                x = _PHI[nl](y)
            grad = torch.randn(batch, width, generator=g, dtype=DTYPE)  # dL/dy at the last layer
            bwd = [float(grad.pow(2).mean())]
            for layer in range(depth - 1, 0, -1):
                grad = (grad @ weights[layer]) * _phi_prime(nl, pre[layer - 1])
                bwd.append(float(grad.pow(2).mean()))
            out.forward[nl][init] = fwd
            out.backward[nl][init] = bwd[::-1]
    return out


@dataclass
class Symmetry:
    hidden: int
    steps: int
    dropout: float
    #: distinct[scheme][t]: number of distinct hidden units after t SGD steps (t = 0 is the initialisation)
    distinct: dict[str, list[int]] = field(default_factory=dict)
    #: loss[scheme][t]: full-batch training loss (no dropout) after t steps
    loss: dict[str, list[float]] = field(default_factory=dict)


SYMMETRY_SCHEMES = ("constant", "random", "constant + dropout")


def distinct_units(units: torch.Tensor, tol: float = 1e-9) -> int:
    """Number of distinct rows (each row one hidden unit's parameters): the verified symmetry property's own
    count (:func:`suite.engine.checks.properties.distinct_rows`)."""
    return distinct_rows(units, tol)


def symmetry(
    seed: int = 0,
    inputs: int = 8,
    hidden: int = 16,
    samples: int = 128,
    batch: int = 2,
    steps: int = 150,
    lr: float = 0.05,
    dropout: float = 0.5,
) -> Symmetry:
    """Minibatch SGD on a tanh network ``inputs -> hidden -> 1`` fitting a random smooth target."""
    g = _generator(seed, 200)
    x = torch.randn(samples, inputs, generator=g, dtype=DTYPE)
    teacher = torch.randn(inputs, generator=g, dtype=DTYPE) / math.sqrt(inputs)
    y = torch.sin(2 * x @ teacher)
    order = torch.randint(samples, (steps, batch), generator=g)
    masks = torch.bernoulli(torch.full((steps, batch, hidden), 1 - dropout, dtype=DTYPE), generator=g)
    out = Symmetry(hidden, steps, dropout)
    for s, scheme in enumerate(SYMMETRY_SCHEMES):
        w1, b1 = torch.empty(hidden, inputs, dtype=DTYPE), torch.zeros(hidden, dtype=DTYPE)
        w2, b2 = torch.empty(1, hidden, dtype=DTYPE), torch.zeros(1, dtype=DTYPE)
        if scheme == "random":
            gi = _generator(seed, 210 + s)
            initlib.xavier_normal_(w1, generator=gi)
            initlib.xavier_normal_(w2, generator=gi)
        else:
            initlib.constant_(w1, 0.3)
            initlib.constant_(w2, 0.3)
        params = [p.requires_grad_() for p in (w1, b1, w2, b2)]

        def forward(xb, mask=None, w1=w1, b1=b1, w2=w2, b2=b2):
            h = torch.tanh(xb @ w1.T + b1)
            if mask is not None:
                h = h * mask / (1 - dropout)
            return (h @ w2.T + b2).squeeze(-1)

        def record(scheme=scheme, w1=w1, b1=b1, w2=w2):
            with torch.no_grad():
                units = torch.cat([w1, b1[:, None], w2.T], dim=1)
                out.distinct.setdefault(scheme, []).append(distinct_units(units))
                out.loss.setdefault(scheme, []).append(float((forward(x) - y).pow(2).mean()))

        record()
        for t in range(steps):
            idx = order[t]
            mask = masks[t] if scheme.endswith("dropout") else None
            loss = (forward(x[idx], mask) - y[idx]).pow(2).mean()
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, gp in zip(params, grads, strict=True):
                    p -= lr * gp
            record()
    return out


@dataclass
class Sigmoid:
    x: list[float]
    value: list[float]
    gradient: list[float]
    max_gradient: float
    argmax: float


def sigmoid(points: int = 801, limit: float = 8.0) -> Sigmoid:
    """sigma(x) and sigma'(x) by autograd on [-limit, limit]."""
    x = torch.linspace(-limit, limit, points, dtype=DTYPE, requires_grad=True)
    value = torch.sigmoid(x)
    (grad,) = torch.autograd.grad(value.sum(), x)
    x, value = x.detach(), value.detach()
    i = int(grad.argmax())
    return Sigmoid(x.tolist(), value.tolist(), grad.tolist(), float(grad[i]), float(x[i]))


@dataclass
class GaussianProduct:
    n: int
    depth: int
    trials: int
    #: mean and standard deviation over trials of log ||W_l ... W_1 x|| for l = 0..depth, N(0, 1) entries
    mean: list[float]
    std: list[float]
    #: theory: mean per factor (ln 2 + psi(n/2)) / 2 and variance per factor psi'(n/2) / 4
    per_factor: float
    per_factor_var: float

    def theory_mean(self, depth: int, entry_variance: float = 1.0) -> float:
        """E log ||P x|| for unit x; scaling entries to variance v adds depth * ln(v) / 2."""
        return depth * (self.per_factor + 0.5 * math.log(entry_variance))

    def theory_std(self, depth: int) -> float:
        return math.sqrt(depth * self.per_factor_var)


def gaussian_product(seed: int = 0, n: int = 4, depth: int = 100, trials: int = 4000) -> GaussianProduct:
    """log ||W_L ... W_1 x|| for a unit x and i.i.d. N(0, 1) n x n matrices, renormalising every step.

    With N(0, 1/n) entries every factor's log-norm shifts by -ln(n)/2 exactly (the matrices are scaled
    copies), so the plot draws that case from the same draws.
    """
    g = _generator(seed, 300)
    u = torch.zeros(trials, n, dtype=DTYPE)
    u[:, 0] = 1.0
    total = torch.zeros(trials, dtype=DTYPE)
    mean, std = [0.0], [0.0]
    for _ in range(depth):
        w = torch.randn(trials, n, n, generator=g, dtype=DTYPE)
        v = torch.bmm(w, u.unsqueeze(-1)).squeeze(-1)
        norm = v.norm(dim=1)
        total += norm.log()
        u = v / norm.unsqueeze(-1)
        mean.append(float(total.mean()))
        std.append(float(total.std()))
    per_factor = 0.5 * (math.log(2.0) + float(digamma(n / 2)))
    per_factor_var = 0.25 * float(polygamma(1, n / 2))
    return GaussianProduct(n, depth, trials, mean, std, per_factor, per_factor_var)


@dataclass
class Demos:
    seed: int
    propagation: Propagation
    symmetry: Symmetry
    sigmoid: Sigmoid
    gaussian_product: GaussianProduct


@contextlib.contextmanager
def single_thread():
    """The matrices here are small: one thread is as fast, and on a busy machine it avoids the
    spin-waiting of torch's thread pool (ten times slower on 2 shared cores, measured)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def compute_all(seed: int = 0) -> Demos:
    with single_thread():
        return Demos(seed, propagation(seed), symmetry(seed), sigmoid(), gaussian_product(seed))
