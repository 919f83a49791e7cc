"""Each claims entry names its claim kind, and the kind is what its claims promise: the engine runs a
case's checks by the entry's kind (``suite.engine.kinds``), so an entry whose claims are of another
kind would be checked against the wrong promise."""

import numpy as np
import pytest
import torch

from suite.engine.kinds import KINDS
from suite.spec import claims, strategies
from suite.spec.layers import LAYER_TABLE


def _promised(claim: claims.Claim) -> str:
    """The kind a claim's fields promise (restated here from the fields' meaning)."""
    if claim.exact is not None:
        return "exact"
    if claim.orthogonal_gain is not None:
        return "orthogonal"
    if claim.delta_orthogonal_gain is not None:
        return "delta_orthogonal"
    if claim.marginal_of == "nonzero":
        return "sparse"
    assert claim.marginal is not None
    return "marginal"


@pytest.mark.parametrize("spec", [*claims.TABLE.values(), *LAYER_TABLE.values()], ids=lambda s: s.name)
def test_entry_kind_is_what_its_claims_promise(spec):
    assert spec.kind in KINDS
    for c in [*spec.fixed, *strategies.draw(spec.calls, 10, 5), *spec.draw(0, 5)]:  # and one call per rank
        assert _promised(spec.claim(c)) == spec.kind, c.describe()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind 'gaussian'"):
        claims.Spec("x_", True, claims.TABLE["normal_"].calls, claims.TABLE["normal_"].claim, "", kind="gaussian")


def test_every_random_entry_gets_every_check_of_its_kind_planned():
    assert KINDS["exact"].statistical_checks == 0
    assert all(KINDS[kind].statistical_checks > 0 for kind in KINDS if kind != "exact")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_counting_sort_of_16_bit_floats_orders_as_torch_sort(dtype):
    """Every value the dtype has (all 65,536 bit patterns, shuffled, some repeated), sorted by counting
    as torch.sort orders them by comparison: NaNs last, the rest equal value for value."""
    from suite.engine.checks.marginal import ascending, counting_sort_16

    g = torch.Generator().manual_seed(0)
    patterns = torch.arange(-(2**15), 2**15, dtype=torch.int32).to(torch.int16)
    patterns = torch.cat([patterns, patterns[torch.randint(0, 2**16, (5000,), generator=g)]])
    values = patterns[torch.randperm(patterns.numel(), generator=g)].view(dtype)
    by_torch = torch.sort(values).values
    by_counting = counting_sort_16(values)
    assert ascending(values).view(torch.int16).equal(by_counting.view(torch.int16))  # the marginal checks' path
    nan = torch.isnan(by_torch)
    assert by_counting.dtype == dtype and by_counting.shape == values.shape
    assert torch.isnan(by_counting).equal(nan)  # the same number of NaNs, all at the end
    assert by_counting[~nan].equal(by_torch[~nan])  # -0 == +0, so equal value for value


def test_the_plots_quantiles_and_histogram_of_ordered_values_are_numpys():
    """The report's QQ quantiles and histogram, read off values in ascending order, are what np.quantile
    (its default, linear interpolation) and np.histogram give: values on bin edges, outside the range and
    tied included."""
    from suite.engine.checks.marginal import sorted_histogram, sorted_quantiles

    rng = np.random.default_rng(0)
    for values in (
        rng.standard_normal(10_001),
        np.round(rng.standard_normal(5000), 1),  # ties, many of them on the bin edges below
        np.linspace(-1.0, 1.0, 61),  # every bin edge itself
        np.array([0.25]),
    ):
        ordered = np.sort(values)
        probabilities = np.array([0.0, 0.0005, 0.3, 0.5, 0.9995, 1.0])
        assert np.allclose(sorted_quantiles(ordered, probabilities), np.quantile(values, probabilities), rtol=1e-13)
        for low, high in ((-1.0, 1.0), (-0.5, 2.0)):
            counts, edges = sorted_histogram(ordered, 60, low, high)
            expected_counts, expected_edges = np.histogram(values, bins=60, range=(low, high))
            assert np.array_equal(edges, expected_edges)
            assert np.array_equal(counts, expected_counts)
