"""The measured networks: deep fully connected tanh networks built with initlib's initializers, many
independent networks at once (a leading batch dimension), every draw from the caller's generator.

Nothing here knows a theory value except the starting variance it is handed.
"""

from __future__ import annotations

import math

import torch

import initlib


def gaussian_weights(runs: int, width: int, sw2: float, gen: torch.Generator) -> torch.Tensor:
    """``runs`` independent width x width matrices with entries N(0, sw2 / width) (initlib.normal_)."""
    return initlib.normal_(torch.empty(runs, width, width), 0.0, math.sqrt(sw2 / width), generator=gen)


def orthogonal_weights(runs: int, width: int, sw2: float, gen: torch.Generator) -> torch.Tensor:
    """``runs`` independent Haar orthogonal matrices times sqrt(sw2) (initlib.orthogonal_, gain sqrt(sw2))."""
    w = torch.empty(runs, width, width)
    for r in range(runs):
        initlib.orthogonal_(w[r], gain=math.sqrt(sw2), generator=gen)
    return w


def tanh_chain(sw2: float, sb2: float, width: int, runs: int, depth: int, q0: float, c0: float, gen: torch.Generator):
    """Propagate two inputs (pre-activation variance q0, correlation c0) through ``runs`` independent tanh
    networks of the given depth, and at each layer push a fresh random direction u through the layer's
    Jacobian D W. Returns per layer and network (runs x depth): the first input's q = |h|^2 / N, the
    correlation of the two inputs' pre-activations, and ||D W u||^2 / ||u||^2."""
    z1 = torch.randn(runs, width, generator=gen)
    z2 = torch.randn(runs, width, generator=gen)
    h1 = math.sqrt(q0) * z1
    h2 = math.sqrt(q0) * (c0 * z1 + math.sqrt(1 - c0 * c0) * z2)
    q, corr, growth = (torch.empty(runs, depth, dtype=torch.float64) for _ in range(3))
    for layer in range(depth):
        w = gaussian_weights(runs, width, sw2, gen)
        b = initlib.normal_(torch.empty(runs, 1, width), 0.0, math.sqrt(sb2), generator=gen) if sb2 > 0 else 0.0
        a = torch.stack((torch.tanh(h1), torch.tanh(h2)), dim=1)  # runs x 2 x N
        h = torch.bmm(a, w.transpose(1, 2)) + b
        h1, h2 = h[:, 0], h[:, 1]
        u = torch.randn(runs, width, 1, generator=gen)
        ju = torch.bmm(w, u).squeeze(-1) / torch.cosh(h1) ** 2
        q[:, layer] = (h1.double() ** 2).mean(dim=1)
        corr[:, layer] = torch.nn.functional.cosine_similarity(h1.double(), h2.double(), dim=1)
        growth[:, layer] = (ju.double() ** 2).sum(dim=1) / (u.double() ** 2).sum(dim=(1, 2))
    return q, corr, growth


def tanh_jacobian_spectra(
    sw2: float, sb2: float, width: int, depths: list[int], weights: str, q0: float, gen: torch.Generator
) -> dict[int, torch.Tensor]:
    """Squared singular values of the input-output Jacobian of one tanh network (float64) at each depth in
    ``depths`` (one network, read off at increasing depth), weights ``gaussian`` or ``orthogonal``."""
    make = gaussian_weights if weights == "gaussian" else orthogonal_weights
    h = math.sqrt(q0) * torch.randn(width, generator=gen, dtype=torch.float64)
    jac = torch.eye(width, dtype=torch.float64)
    out = {}
    for layer in range(1, max(depths) + 1):
        w = make(1, width, sw2, gen)[0].double()
        b = initlib.normal_(torch.empty(width), 0.0, math.sqrt(sb2), generator=gen).double()
        h = w @ torch.tanh(h) + b
        jac = (1.0 / torch.cosh(h) ** 2)[:, None] * (w @ jac)
        if layer in depths:
            out[layer] = torch.linalg.svdvals(jac) ** 2
    return out


def tanh_cnn_profile(
    sw2: float,
    sb2: float,
    channels: int,
    image: int,
    depth: int,
    kernels: str,
    runs: int,
    probes: int,
    checkpoints: list[int],
    q0: float,
    gen: torch.Generator,
) -> dict:
    """A vanilla tanh CNN (3x3 kernels, stride 1, circular padding, ``channels`` channels on an image x image
    grid), ``runs`` independent networks at once as the groups of one grouped convolution, float64.

    Kernels ``delta_orthogonal`` (initlib.delta_orthogonal_, gain sqrt(sw2)) or ``gaussian`` (initlib.normal_,
    variance sw2 / (channels * 9): the same total variance per output). Two random inputs with pre-activation
    variance q0 go forward together with ``probes`` Gaussian tangents u pushed through the Jacobian.
    Returns per network and layer: q (first input), the two inputs' correlation, the first input's spatial
    energy fraction (share of |h|^2 off the spatial mean); at ``checkpoints`` ||J u||^2 per network and probe.
    """
    c = channels
    x = math.sqrt(q0) * torch.randn(2, runs * c, image, image, generator=gen, dtype=torch.float64)
    tangents = torch.randn(probes, runs * c, image, image, generator=gen, dtype=torch.float64)
    q, corr, spatial = (torch.empty(runs, depth, dtype=torch.float64) for _ in range(3))
    jvp: dict[int, torch.Tensor] = {}
    h = x
    w = torch.empty(runs * c, c, 3, 3, dtype=torch.float64)
    blocks = [w[r * c : (r + 1) * c] for r in range(runs)]
    gain = math.sqrt(sw2)
    std = math.sqrt(sw2 / (c * 9))
    for layer in range(1, depth + 1):
        for block in blocks:
            if kernels == "delta_orthogonal":
                initlib.delta_orthogonal_(block, gain=gain, generator=gen)
            else:
                initlib.normal_(block, 0.0, std, generator=gen)
        b = initlib.normal_(torch.empty(1, runs * c, 1, 1, dtype=torch.float64), 0.0, math.sqrt(sb2), generator=gen)
        inp = torch.cat((torch.tanh(h), tangents))
        out = torch.nn.functional.conv2d(torch.nn.functional.pad(inp, (1, 1, 1, 1), mode="circular"), w, groups=runs)
        h = out[:2] + b
        tangents = out[2:] / torch.cosh(h[:1]) ** 2
        if True:
            per = h.reshape(2, runs, c, image * image)
            q[:, layer - 1] = (per[0] ** 2).mean(dim=(1, 2))
            corr[:, layer - 1] = torch.nn.functional.cosine_similarity(per[0].flatten(1), per[1].flatten(1), dim=1)
            dev = per[0] - per[0].mean(dim=2, keepdim=True)
            spatial[:, layer - 1] = (dev**2).sum(dim=(1, 2)) / (per[0] ** 2).sum(dim=(1, 2))
        if layer in checkpoints:
            jvp[layer] = (tangents.reshape(probes, runs, -1) ** 2).sum(dim=2).T.clone()
    return {"q": q, "corr": corr, "spatial": spatial, "jvp": jvp, "dim": c * image * image}
