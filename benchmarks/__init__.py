"""Benchmarks: plain scripts ``bench_*.py``; ``python -m benchmarks`` runs them all in order."""
