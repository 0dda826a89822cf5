"""Benchmarks: a full-scale synthetic snapshot and the scripts that time the site against it."""
