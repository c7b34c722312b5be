"""Benchmarks of Sammanbot against the fake Bot API: `python -m bench` (see bench/run.py)."""
