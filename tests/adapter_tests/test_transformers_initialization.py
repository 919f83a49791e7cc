"""The transformers.initialization target: transformers 5's torch look-alike initializers, verified as they are.

Expected laws are restated from the documentation the claims cite (suite/adapters/transformers_initialization.py):
Flax/JAX's lecun_normal is variance_scaling(1, "fan_in", "truncated_normal"), a normal cut at +-2 of its stds
with std sqrt(1 / fan_in) / 0.87962566103423978 so that the variance is 1 / fan_in; Flax's default_embed_init
is N(0, 1 / features) on (num_embeddings, features).
"""

import math

import pytest
import torch

pytest.importorskip("transformers.initialization", reason="transformers 5 is not installed (tox -e verify-models)")

from transformers import initialization as ti

from suite.adapters.transformers_initialization import CLAIMS
from suite.engine import invoke, targets, verification
from suite.engine.ledger import Ledger
from suite.spec.claims import TABLE
from suite.spec.strategies import call


def test_lecun_normal_is_held_to_flaxs_truncated_law_with_variance_one_over_fan_in():
    law = CLAIMS["lecun_normal_"].claim(call("lecun_normal_", (768, 300))).marginal
    parent = math.sqrt(1 / 300) / 0.87962566103423978
    assert law.family == "truncated_normal" and math.isclose(law.std, math.sqrt(1 / 300), rel_tol=1e-6)
    assert all(math.isclose(abs(b), 2 * parent, rel_tol=1e-9) for b in law.support)


def test_default_flax_embed_init_is_n_0_one_over_features():
    law = CLAIMS["default_flax_embed_init_"].claim(call("default_flax_embed_init_", (1000, 64))).marginal
    assert law.family == "normal" and math.isclose(law.std, 1 / 8, rel_tol=1e-9)


def test_the_target_loads_the_module_itself_with_torchs_claims_and_its_two_extras():
    target = targets.load("transformers.initialization")
    assert target.obj is ti and set(target.claims) == set(TABLE) | {"default_flax_embed_init_"}
    assert target.claims["uniform_"] is TABLE["uniform_"]
    assert not invoke.takes_generator(ti.lecun_normal_) and invoke.takes_generator(ti.uniform_)


def test_its_ledger_includes_torchs_and_states_the_lecun_normal_defect_with_a_short_reproduction():
    ledger = Ledger.for_target("transformers.initialization")
    torch_ledger = Ledger.for_target("torch.nn.init")
    assert [e.check for e in ledger.entries[-len(torch_ledger.entries) :]] == [e.check for e in torch_ledger.entries]
    defect = next(e for e in ledger.entries if "lecun_normal_/scale#*" in e.check)
    assert defect.reason.startswith("DEFECT") and 0 < len(defect.reproduce.strip().splitlines()) <= 5


def test_the_defect_is_real_variance_is_1_29_over_fan_in_and_nothing_is_truncated():
    torch.manual_seed(0)
    w = ti.lecun_normal_(torch.empty(1000, 500, dtype=torch.float64))
    ratio = w.var().item() * 500  # the claim: 1.0; an untruncated normal of std s / 0.8796: 1 / 0.8796^2 = 1.2925
    assert abs(ratio - 1 / 0.87962566103423978**2) < 0.02
    assert (w.abs() > 2 * math.sqrt(1 / 500) / 0.87962566103423978).float().mean() > 0.04  # N(0,1): 4.55% beyond 2


def test_verification_finds_the_defect_and_its_ledger_covers_it():
    target = targets.load("transformers.initialization")
    bare = verification.verify(target, only=["lecun_normal_"], budget="quick")
    assert {v.check for v in bare.failed} >= {"scale", "support"}
    ledgered = verification.verify(
        target, only=["lecun_normal_"], budget="quick", ledger=Ledger.for_target("transformers.initialization")
    )
    assert ledgered.exit_code == 0 and any(v.status == "deviation" for v in ledgered.verdicts)
    (replay,) = [v for v in ledgered.verdicts if v.check == "api.generator"]
    assert replay.passed and "generator= not supported" in replay.measured
