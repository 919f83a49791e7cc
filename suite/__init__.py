"""suite: statistical, property-based verification of weight initializers (any target)."""


def __getattr__(name):  # the model audit, imported on first use (it pulls in torch)
    if name in ("audit", "assert_initialized"):
        from . import audit as package

        return package.audit if name == "audit" else package.assert_initialized
    raise AttributeError(name)
