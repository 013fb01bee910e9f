"""Benchmarks: ``python -m bench`` (the dashboard) and the scripts next to it."""
