"""The suite's checks as pytest tests: ``pytest suite/conformance --target MODULE [--budget B]``."""
