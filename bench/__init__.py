"""Benchmarks: synthetic content (synth.py) and the driver of `make bench` (run.py)."""
