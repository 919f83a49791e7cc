"""suite: statistical, property-based verification of weight initializers (any target)."""
