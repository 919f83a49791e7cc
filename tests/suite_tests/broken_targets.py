"""Initializers that misbehave in every way a target can: the suite must give each a failing verdict
with the reason, never crash."""

import math

import torch


def xavier_uniform_(tensor, gain=1.0, generator=None):
    raise RuntimeError("boom")


def xavier_normal_(tensor, gain=1.0, generator=None):
    while True:  # hangs
        pass


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    fan = tensor.shape[1] * math.prod(tensor.shape[2:])
    return torch.empty_like(tensor).uniform_(-math.sqrt(6 / fan), math.sqrt(6 / fan), generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    return tensor.fill_(float("nan"))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    tensor.normal_(mean, std, generator=generator)
    tensor.view(-1)[0] = float("inf")
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    tensor.data = torch.empty(tensor.shape, dtype=torch.float64).uniform_(a, b, generator=generator)
    return tensor


def orthogonal_(tensor, gain=1, generator=None):
    return None  # returns garbage, fills nothing


def calculate_gain(nonlinearity, param=None):
    return "sqrt(2)"
