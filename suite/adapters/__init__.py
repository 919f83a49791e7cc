"""Adapters: other frameworks' initializers behind ``torch.nn.init``'s signatures, so that the suite
verifies them like any target. ``--target jax.nn.initializers`` uses :mod:`.jax_initializers`."""
