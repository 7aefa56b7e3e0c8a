"""Benchmarks run by ``make bench``: each module here defines ``run() -> dict``.

Results go to ``data/bench/results.json`` (and the README's table is updated by hand from
it). Every benchmark compares against a baseline measured in the same run, because
machines are noisy.
"""
