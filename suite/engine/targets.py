"""Targets: what the suite verifies.

A target is any importable module or object with functions named as in ``torch.nn.init`` (and
initlib's extras): ``initlib``, ``torch.nn.init``, a module of the user's (``my_inits``,
``path/to/my_inits.py`` or ``package.module:object``) that provides only some of them. What it does not
provide is listed as not provided. ``torch-layers`` is the default initialisation of torch layers
(every ``torch.nn`` module with parameters: :mod:`suite.spec.layers`). Another framework's initializers are
verified through an adapter (:mod:`suite.adapters`): ``jax.nn.initializers``, ``keras.initializers``
(``keras.initializers[jax]`` picks Keras's backend). ``flax-layers`` is the default initialisation of
``flax.linen`` layers (:mod:`suite.adapters.flax_layers`). ``transformers.initialization`` is verified as it
is, against its own claims table (:mod:`suite.adapters.transformers_initialization`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from suite.spec.claims import TABLE, Spec

#: Targets verified through an adapter: the target's name -> (adapter module, what installs it).
ADAPTERS = {
    "jax.nn.initializers": ("suite.adapters.jax_initializers", "pip install 'initcheck[jax]'"),
    "keras.initializers": ("suite.adapters.keras_initializers", "pip install 'initcheck[keras]'"),
}
#: Layer-defaults targets: the target's name -> (adapter module, target kind, what installs it). The module
#: provides ``LAYER_TABLE`` (the claims) and ``defaults()`` (the object whose functions fill a tensor with a
#: fresh layer's parameters).
LAYER_TARGETS = {
    "torch-layers": ("suite.adapters.torch_layers", "layers", "pip install initcheck"),
    "flax-layers": ("suite.adapters.flax_layers", "flax-layers", "pip install 'initcheck[flax]'"),
}
#: Modules verified as they are, against a claims table of their own (the name -> (the module holding
#: the table, what installs the library)).
CLAIMS = {
    "transformers.initialization": ("suite.adapters.transformers_initialization", "pip install 'initcheck[models]'"),
}
#: Adapted frameworks that run on a choice of backends: the environment variable that picks it. The
#: target ``name[backend]`` sets it; the target's name always carries the backend in use.
BACKENDS = {"keras.initializers": "KERAS_BACKEND"}


class UsageError(Exception):
    """A target or option the suite cannot use (exit status 2)."""


@dataclass
class Target:
    """A thing verified: ``obj`` provides functions by name; ``claims`` is the claims table they are held
    to (initializer functions by default; a layer-defaults target brings its own)."""

    name: str
    obj: object
    kind: str = "functions"  # "functions", "layers" or "flax-layers"
    claims: dict[str, Spec] = field(default_factory=lambda: TABLE)

    def function(self, name: str):
        fn = getattr(self.obj, name, None)
        return fn if callable(fn) else None


def load(spec: str) -> Target:
    """Resolve ``spec`` to a :class:`Target`; :class:`UsageError` with the reason otherwise."""
    if spec in CLAIMS:
        claims_module, install = CLAIMS[spec]
        try:
            module = importlib.import_module(spec)
        except ImportError as error:
            raise UsageError(f"--target: {spec} needs {error.name} ({install})") from None
        return Target(spec, module, claims=importlib.import_module(claims_module).CLAIMS)
    if spec in LAYER_TARGETS:
        adapter, kind, install = LAYER_TARGETS[spec]
        try:
            module = importlib.import_module(adapter)
        except ImportError as error:
            raise UsageError(f"--target: {spec} needs {error.name} ({install})") from None
        return Target(spec, module.defaults(), kind=kind, claims=module.LAYER_TABLE)
    base, _, backend = spec.removesuffix("]").partition("[")
    if base in ADAPTERS and (not backend or base in BACKENDS):
        adapter, install = ADAPTERS[base]
        if backend:
            os.environ[BACKENDS[base]] = backend
        try:
            module = importlib.import_module(adapter)
        except ImportError as error:
            needs = f"--target: {spec} is verified through an adapter that needs {error.name} ({install})"
            raise UsageError(needs) from None
        except Exception as error:  # e.g. a backend the framework does not know
            raise UsageError(f"--target: {spec}: loading the adapter raised {type(error).__name__}: {error}") from None
        return Target(f"{base}[{module.BACKEND}]" if base in BACKENDS else base, module)
    module_part, _, attribute = spec.partition(":")
    try:
        module = _from_file(Path(module_part)) if module_part.endswith(".py") else importlib.import_module(module_part)
    except UsageError:
        raise
    except ImportError as error:
        raise UsageError(f"--target: cannot import {module_part!r} ({error})") from None
    except Exception as error:  # the user's module failed while importing
        raise UsageError(f"--target: importing {module_part!r} raised {type(error).__name__}: {error}") from None
    obj = module
    for part in filter(None, attribute.split(".")):
        if not hasattr(obj, part):
            raise UsageError(f"--target: {module_part!r} has no attribute {attribute!r}")
        obj = getattr(obj, part)
    return Target(spec, obj)


def _from_file(path: Path):
    if not path.is_file():
        raise UsageError(f"--target: no such file {str(path)!r}")
    name = f"_initcheck_target_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
