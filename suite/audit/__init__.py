"""The model audit: is a model initialized the way its code says? (``python -m suite audit``)

``suite.audit(factory_or_model, spec)`` runs it (this package is callable: ``suite.audit`` is both the
package and the function); ``suite.assert_initialized(model, spec)`` is the pytest helper.
"""

import sys
import types
from pathlib import Path

from .run import AuditError, AuditResult, FactoryFailed, audit
from .spec import AuditSpec, SpecError


def _spec(spec):
    from . import spec as specs

    return specs.load(spec) if isinstance(spec, (str, Path)) else spec


def run_audit(factory_or_model, spec=None, **options) -> AuditResult:
    """:func:`suite.audit.run.audit` with ``spec`` also given as a path to a TOML spec."""
    return audit(factory_or_model, _spec(spec), **options)


def assert_initialized(model, spec=None, **options) -> AuditResult:
    """pytest helper: audit ``model`` (a module or a factory) against ``spec`` (an :class:`AuditSpec`, a
    path to a TOML spec, or None for torch's defaults); fails with the audit's text on any violation."""
    from . import output

    result = run_audit(model, spec, **options)
    if result.exit_code:
        raise AssertionError(output.summary(result))
    return result


class _CallablePackage(types.ModuleType):
    def __call__(self, factory_or_model, spec=None, **options) -> AuditResult:
        return run_audit(factory_or_model, spec, **options)


sys.modules[__name__].__class__ = _CallablePackage
