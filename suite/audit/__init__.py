"""The model audit: is a model initialized the way its code says? (``python -m suite audit``)"""

from .run import AuditError, AuditResult, audit
from .spec import AuditSpec, SpecError


def assert_initialized(model, spec=None, **options) -> AuditResult:
    """pytest helper: audit ``model`` (a module or a factory) against ``spec`` (an :class:`AuditSpec`, a
    path to a TOML spec, or None for torch's defaults); fails with the audit's text on any violation."""
    from pathlib import Path

    from . import output
    from . import spec as specs

    if isinstance(spec, (str, Path)):
        spec = specs.load(spec)
    result = audit(model, spec, **options)
    if result.exit_code:
        raise AssertionError(output.summary(result))
    return result
