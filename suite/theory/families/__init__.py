"""One module per family of claims. Each provides NAME, SIZES (per budget) and ``run(size, generator)``
returning a FamilyResult; measurements live here, theory values come from ``suite.theory.values``."""
