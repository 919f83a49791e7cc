"""Initialization theory as verified claims: criticality, dynamical isometry, deep CNNs, SELU, finite width.

``values/`` computes what theory predicts (quadrature, fixed points, closed forms), ``nets`` builds and runs
the measured networks with initlib's initializers, ``families/`` pairs the two into checks (one module per
family of claims), ``registry`` runs them and decides the run with ``suite.engine.decision.holm``.
"""
