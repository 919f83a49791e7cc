"""rbm.pretraining (report only): greedy layer-wise RBM pretraining of a deep sigmoid network, the seeds'
historical method (Hinton, Osindero and Teh 2006; Bengio et al. 2007), against small-random, Xavier and He
initialisation: training-loss curves on scikit-learn's bundled digits (nothing downloaded). A demonstration,
not a verdict."""

from __future__ import annotations

import itertools
import math

import torch

import initlib

from ..record import Check, FamilyResult

NAME = "rbm"
REFERENCE = (
    "Hinton, Osindero and Teh (2006), A fast learning algorithm for deep belief nets, Neural Computation 18; "
    "Bengio et al. (2007), Greedy layer-wise training of deep networks, NeurIPS"
)
HIDDEN = [64, 64, 64, 64, 64]
SIZES = {
    "quick": {"epochs": 15, "rbm_iter": 5},
    "default": {"epochs": 30, "rbm_iter": 10},
    "thorough": {"epochs": 100, "rbm_iter": 20},
}
INITS = ("small_random", "xavier", "he", "rbm")


def layers_for(init: str, x: torch.Tensor, size: dict, gen: torch.Generator, seed: int) -> list[torch.nn.Linear]:
    dims = [x.shape[1], *HIDDEN]
    layers = [torch.nn.Linear(a, b) for a, b in itertools.pairwise(dims)]
    h = x.numpy()
    for layer in layers:
        with torch.no_grad():
            layer.bias.zero_()
            if init == "small_random":
                initlib.normal_(layer.weight, 0.0, 0.01, generator=gen)
            elif init == "xavier":
                initlib.xavier_normal_(layer.weight, generator=gen)
            elif init == "he":
                initlib.kaiming_normal_(layer.weight, nonlinearity="relu", generator=gen)
            else:
                from sklearn.neural_network import BernoulliRBM

                rbm = BernoulliRBM(
                    n_components=layer.out_features,
                    learning_rate=0.05,
                    n_iter=size["rbm_iter"],
                    batch_size=32,
                    random_state=seed,
                )
                rbm.fit(h)
                layer.weight.copy_(torch.as_tensor(rbm.components_, dtype=torch.float32))
                layer.bias.copy_(torch.as_tensor(rbm.intercept_hidden_, dtype=torch.float32))
                h = rbm.transform(h)
    return layers


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    result = FamilyResult(series={"curves": {}})
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        result.checks.append(
            Check(
                "rbm.pretraining",
                "demonstration: RBM pretraining against plain initialisations",
                {},
                None,
                None,
                None,
                None,
                REFERENCE,
                0,
                "demonstration",
                decided=False,
                note="not run: scikit-learn is not installed (pip install scikit-learn)",
            )
        )
        return result
    digits = load_digits()
    x = torch.as_tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.as_tensor(digits.target)
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
    for init in INITS:
        layers = layers_for(init, x, size, gen, seed)
        head = torch.nn.Linear(HIDDEN[-1], 10)
        initlib.xavier_normal_(head.weight, generator=gen)
        torch.nn.init.zeros_(head.bias)
        model = torch.nn.Sequential(*[m for layer in layers for m in (layer, torch.nn.Sigmoid())], head)
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        curve = []
        for _ in range(size["epochs"]):
            order = torch.randperm(x.shape[0], generator=gen)
            for batch in order.split(64):
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
                loss.backward()
                opt.step()
            with torch.no_grad():
                curve.append(float(torch.nn.functional.cross_entropy(model(x), y)))
        result.series["curves"][init] = curve
        params = {"init": init, "hidden": HIDDEN, "epochs": size["epochs"], "optimizer": "SGD lr 0.5, batch 64"}
        result.checks.append(
            Check(
                "rbm.pretraining",
                f"training loss after {size['epochs']} epochs, {init} initialisation",
                params,
                None,
                curve[-1],
                None,
                None,
                REFERENCE,
                int(x.shape[0]),
                "demonstration",
                decided=False,
                note=f"initial loss {curve[0]:.3f}; chance level ln 10 = {math.log(10):.3f}",
            )
        )
    return result
