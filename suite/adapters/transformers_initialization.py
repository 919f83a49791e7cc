"""The claims table of the ``transformers.initialization`` target (transformers 5): the module itself is
verified, no adapter sits between it and the suite.

``transformers.initialization`` mirrors ``torch.nn.init`` (``uniform_``, ``normal_``, ..., ``sparse_``: each
calls torch's function unless the tensor is flagged ``_is_hf_initialized``), so those functions are held to
the claims table's torch claims (:data:`suite.spec.claims.TABLE`) and share torch's ledger (its ledger
includes ``torch.nn.init.toml``). It adds two functions that take no ``generator=`` (the suite seeds the
global RNG per call for them, :func:`suite.engine.invoke.global_seed`), undocumented in transformers; their
claims come from what their names and the constant they use say they are:

- ``lecun_normal_(tensor)``: Flax's ``lecun_normal`` (the models that call it, SigLIP, SigLIP2,
  Phi-4-multimodal, VideoPrism, were ported from Flax/big_vision), which JAX documents as
  ``variance_scaling(1.0, "fan_in", "truncated_normal")``: a normal truncated at +-2 of its standard
  deviations, divided by 0.87962566103423978 so that the variance is 1/fan_in (LeCun et al. 1998,
  "Efficient BackProp": variance 1/fan_in). transformers' code divides by that constant: it promises the
  same law. https://docs.jax.dev/en/latest/_autosummary/jax.nn.initializers.lecun_normal.html
- ``default_flax_embed_init_(tensor)``: Flax's ``default_embed_init``, ``variance_scaling(1.0, "fan_in",
  "normal", out_axis=0)`` on ``(num_embeddings, features)``: N(0, 1/features), untruncated
  (https://flax.readthedocs.io/en/latest/api_reference/flax.linen/layers.html#flax.linen.Embed); with
  torch's fans of an ``nn.Embedding`` weight ``(num_embeddings, embedding_dim)`` fan_in is
  ``embedding_dim``, the same law.

Both are the claims table's ``variance_scaling_`` claim for that call, fans in torch's layout
(transformers computes them with ``torch.nn.init._calculate_fan_in_and_fan_out``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from suite.spec.claims import FANS_NEED_2D, FLOAT_ONLY, TABLE, Claim, Spec
from suite.spec.strategies import Call, call, dtypes, matrices, weights

SOURCE = "transformers/initialization.py (transformers 5); "


def _variance_scaling(distribution: str, what: str):
    def claim(c: Call) -> Claim:
        documented = call("variance_scaling_", c.shape, c.dtype, scale=1.0, mode="fan_in", distribution=distribution)
        inner = TABLE["variance_scaling_"].claim(documented)
        return Claim(f"{what}: {inner.text}", **{k: v for k, v in vars(inner).items() if k != "text"})

    return claim


def _spec(name: str, shapes, claim, source: str, fixed: tuple[int, ...]) -> Spec:
    return Spec(
        name,
        True,
        st.builds(lambda shape, dt: call(name, shape, dt), shapes, dtypes),
        claim,
        SOURCE + source,
        (FANS_NEED_2D, FLOAT_ONLY),
        fixed=(call(name, fixed),),
    )


CLAIMS: dict[str, Spec] = {
    **TABLE,
    "lecun_normal_": _spec(
        "lecun_normal_",
        weights,
        _variance_scaling("truncated_normal", "Flax/JAX lecun_normal = variance_scaling(1, fan_in, truncated_normal)"),
        "jax.nn.initializers.lecun_normal docs; LeCun et al. (1998)",
        (768, 768),  # SigLIP's attention projections
    ),
    "default_flax_embed_init_": _spec(
        "default_flax_embed_init_",
        matrices(),
        _variance_scaling("normal", "Flax default_embed_init = variance_scaling(1, fan_in, normal, out_axis=0)"),
        "flax.linen.Embed docs (default_embed_init)",
        (1000, 64),
    ),
}
