"""Issue 14's seeded bugs: each is flagged with a message naming the parameter, its law and what was
measured; the correct model passes at several seeds (no false alarms).

An audit of the tiny GPT costs about 2 s on 2 cores: the default run audits one bug here (and the 15%
std error through the command line) and one correct build; the rest is marked ``slow`` (``tox -e
audit-models`` runs it)."""

from __future__ import annotations

import pytest

from suite.audit import audit, output
from suite.audit import spec as specs

from .helpers import TINY_SPEC, tiny_gpt

GPT = tiny_gpt()
SPEC = specs.load(TINY_SPEC)
DEPTH_STD = 0.02 / (2 * GPT.N_LAYER) ** 0.5

#: bug -> (a parameter that must fail, the check that must fail on it, text the law must show)
EXPECTED = {
    "no_depth_scaling": ("h.0.attn.c_proj.weight", "scale", "normal_(std=initializer_range / sqrt(2 * n_layer))"),
    "std_one": ("h.1.mlp.c_fc.weight", "scale", "normal_(std=initializer_range)"),
    "skipped_module_type": ("h.0.attn.q.weight", "scale", "normal_(std=initializer_range)"),
    "identical_projections": ("h.0.attn.q.weight", "independence.between_parameters", "normal_"),
    "layernorm_random": ("h.0.ln_1.weight", "structure.exact", "ones_()"),
    "zero_weight": ("h.1.attn.v.weight", "scale", "normal_(std=initializer_range)"),
    "std_15_percent": ("h.0.mlp.c_fc.weight", "scale", "normal_(std=initializer_range)"),
    "uninitialized": ("h.0.mlp.c_fc.weight", None, "normal_(std=initializer_range)"),
}


def test_every_bug_of_the_example_is_tested():
    assert set(EXPECTED) == set(GPT.BUGS)


#: Audited in the default run: two identical projections (the 15% std error runs there through the
#: command line, tests/audit_tests/test_cli.py).
DEFAULT_RUN = ("identical_projections",)


@pytest.mark.parametrize("bug", [b if b in DEFAULT_RUN else pytest.param(b, marks=pytest.mark.slow) for b in GPT.BUGS])
def test_seeded_bug_is_flagged(bug):
    name, check, law = EXPECTED[bug]
    result = audit(getattr(GPT, f"bug_{bug}"), SPEC, seed=1, budget="quick")
    assert result.exit_code == 1
    report = next(r for r in result.params if r.name == name)
    failed = [v for v in report.verdicts if v.status == "fail"]
    assert failed, f"{bug}: {name} not flagged"
    if check is not None:
        assert check in {v.check for v in failed}, f"{bug}: {[v.check for v in failed]}"
    text = output.summary(result)
    line = next(line for line in text.splitlines() if line.startswith(f"FAIL {name} "))
    assert law in line  # the parameter and its law, on one line
    assert "measured" in text.split(line, 1)[1].splitlines()[1]  # what was measured, on the next


@pytest.mark.slow
def test_wrong_std_is_diagnosed_with_measured_and_expected():
    result = audit(GPT.bug_std_one, SPEC, seed=2, budget="quick")
    report = next(r for r in result.params if r.name == "h.1.mlp.c_fc.weight")
    assert report.diagnosis["family"] == "normal"
    assert report.diagnosis["std"] == pytest.approx(1.0, rel=0.05)  # N(0, 1) was drawn
    assert "expected 0.02" in report.diagnosis["text"]


@pytest.mark.slow
def test_skipped_module_looks_like_torch_default():
    """A Linear the hook never visits keeps U(+-1/sqrt(fan_in)) (torch.nn.Linear docs)."""
    result = audit(GPT.bug_skipped_module_type, SPEC, seed=3, budget="quick")
    report = next(r for r in result.params if r.name == "h.0.mlp.c_fc.weight")
    assert report.diagnosis["looks_like"] == "torch's default, U(+-1/sqrt(fan_in))"


@pytest.mark.slow
def test_depth_scaling_missing_is_seen_as_the_unscaled_std():
    result = audit(GPT.bug_no_depth_scaling, SPEC, seed=4, budget="quick")
    report = next(r for r in result.params if r.name == "h.2.mlp.c_proj.weight")
    assert report.diagnosis["std"] / DEPTH_STD == pytest.approx((2 * GPT.N_LAYER) ** 0.5, rel=0.1)


@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in (11, 12, 13, 14))])
def test_correct_model_passes(seed):
    result = audit(GPT.correct, SPEC, seed=seed, budget="quick")
    assert result.exit_code == 0, output.summary(result)
    assert all(r.status == "pass" for r in result.params)


@pytest.mark.slow
def test_tied_weight_reported_once():
    result = audit(GPT.correct, SPEC, seed=0, budget="quick", builds=1)
    tied = [r for r in result.params if r.tied]
    assert [(r.name, r.tied) for r in tied] == [("wte.weight", ["lm_head.weight"])]
    assert "lm_head.weight" not in {r.name for r in result.params}
