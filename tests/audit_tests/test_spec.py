"""Spec errors are usage errors that name the line; patterns are matched first-match-wins."""

from __future__ import annotations

import pytest
from torch import nn

from suite.audit import spec as specs
from suite.audit.laws import resolve
from suite.audit.params import collect

GOOD = """\
[vars]
n_layer = 4
half = "n_layer / 2"

[params]
"0.weight" = "normal_(std=0.02 / sqrt(2 * n_layer))"
"*.bias"   = "zeros_()"
"*"        = "torch_default"
"""


def test_vars_and_entries():
    spec = specs.parse(GOOD, "good.toml")
    assert spec.variables == {"n_layer": 4.0, "half": 2.0}
    assert [(e.pattern, e.line, e.kind) for e in spec.entries] == [
        ("0.weight", 6, "call"),
        ("*.bias", 7, "call"),
        ("*", 8, "torch_default"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[params]\n"*" = "gaussian_(std=1)"\n', r"line 2 .*unknown initializer 'gaussian_'"),
        ('[params]\n"a" = "zeros_()"\n"*" = "normal_(std=0.02 *)"\n', r"line 3 .*not a call"),
        ('[params]\n"*" = "normal_(sigma=1)"\n', r"line 2 .*normal_ takes no argument sigma"),
        ('[params]\n"*" = "normal_(std=n)"\n', r"line 2 .*unknown name 'n'"),
        ('[params]\n"*" = 0.02\n', r"line 2 .*must be a string"),
        ("[vars]\nn = true\n", r"line 2: var 'n' must be a number"),
        ("[param]\n", r"unknown section \[param\]"),
        ("[propagation]\nmax_growth = 0.5\n", r"line 2: max_growth must be a number > 1"),
        ('[params\n"*" = "ones_()"\n', r"not TOML"),
    ],
)
def test_spec_errors_name_the_line(text, message):
    with pytest.raises(specs.SpecError, match=message):
        specs.parse(text, "bad.toml")


def test_a_pattern_that_matches_nothing_names_its_line():
    spec = specs.parse('[params]\n"*.weight" = "ones_()"\n"head.*" = "ignore"\n', "s.toml")
    with pytest.raises(specs.SpecError, match=r"s.toml, line 3: pattern 'head\.\*' matches no parameter"):
        resolve(collect(nn.Sequential(nn.Linear(2, 2))), spec)


def test_a_law_that_cannot_apply_to_the_shape_is_an_error():
    spec = specs.parse('[params]\n"*.bias" = "xavier_normal_()"\n"*" = "torch_default"\n', "s.toml")
    with pytest.raises(specs.SpecError, match=r"line 2 .*cannot apply to 0.bias of shape \(2,\)"):
        resolve(collect(nn.Sequential(nn.Linear(2, 2))), spec)


def test_first_match_wins_and_unmatched_fall_back_to_torch_default():
    spec = specs.parse('[params]\n"0.weight" = "ones_()"\n"*.weight" = "zeros_()"\n', "s.toml")
    laws = resolve(collect(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))), spec)
    assert laws["0.weight"].text == "ones_()"
    assert laws["1.weight"].text == "zeros_()"
    assert laws["0.bias"].origin == "torch default of nn.Linear.bias"
