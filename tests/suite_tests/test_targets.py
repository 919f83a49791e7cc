"""Loading targets: adapters for other frameworks, and what a user sees when one cannot load."""

import pytest

from suite.engine import targets


def test_an_adapter_whose_framework_is_missing_says_what_to_install(monkeypatch):
    monkeypatch.setitem(targets.ADAPTERS, "someframework.init", ("no_such_adapter_module_xyz", "pip install it"))
    with pytest.raises(targets.UsageError) as error:
        targets.load("someframework.init")
    message = str(error.value)
    assert "--target" in message and "no_such_adapter_module_xyz" in message and "pip install it" in message


def test_the_jax_target_is_its_adapter_and_keeps_its_name():
    pytest.importorskip("jax", reason="JAX is not installed (tox -e verify-jax installs it)")
    target = targets.load("jax.nn.initializers")
    assert target.name == "jax.nn.initializers"
    assert target.function("xavier_uniform_") is not None and target.function("sparse_") is None
