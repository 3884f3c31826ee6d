"""Benchmarks: a synthetic registry at a given scale, and the dashboard's figures timed against hand-written SQL."""
