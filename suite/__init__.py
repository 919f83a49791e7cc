"""suite: statistical, property-based verification of weight initializers (any target)."""


def __getattr__(name):  # the model audit, imported on first use (it pulls in torch)
    if name in ("audit", "assert_initialized"):
        import importlib

        package = importlib.import_module(f"{__name__}.audit")  # callable: suite.audit(model, spec)
        return package if name == "audit" else package.assert_initialized
    raise AttributeError(name)
