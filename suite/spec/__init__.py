"""What is promised: the claims table (one entry per initializer), the oracle's formulas, the laws and
the layers' documented defaults. Imports nothing from the layers above it."""
