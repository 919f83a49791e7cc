"""Benchmarks: every initlib initializer against torch.nn.init (and JAX when installed), on CPU or CUDA.

``python -m suite bench`` builds a plan (:mod:`suite.bench.plan`), runs it through pytest-benchmark
(:mod:`suite.bench.benchmarks`, timed by :mod:`suite.bench.timing`), measures peak memory where it
matters (:mod:`suite.bench.memory`) and turns the raw timings into the ``initcheck.bench/1`` JSON
(:mod:`suite.bench.results`, described in docs/json-schemas.md).
"""
