import pytest
import torch

import initlib

#: Every initializer that draws random numbers, with the extra arguments a valid call needs and a
#: shape it accepts.
RANDOM_CALLS = {
    "uniform_": ({}, (7, 5)),
    "normal_": ({}, (7, 5)),
    "trunc_normal_": ({}, (7, 5)),
    "xavier_uniform_": ({}, (7, 5)),
    "xavier_normal_": ({}, (7, 5)),
    "kaiming_uniform_": ({}, (7, 5)),
    "kaiming_normal_": ({}, (7, 5)),
    "lecun_uniform_": ({}, (7, 5)),
    "lecun_normal_": ({}, (7, 5)),
    "variance_scaling_": ({}, (7, 5)),
    "orthogonal_": ({}, (7, 5)),
    "sparse_": ({"sparsity": 0.3}, (7, 5)),
    "delta_orthogonal_": ({}, (6, 4, 3)),
}
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")),
]


def call(name, tensor, generator=None, **overrides):
    kwargs, _ = RANDOM_CALLS[name]
    return getattr(initlib, name)(tensor, **{**kwargs, **overrides}, generator=generator)


def seeded(seed, device="cpu"):
    return torch.Generator(device=device).manual_seed(seed)
