"""Benchmarks: `make bench` runs every module of bench.run.MODULES on PostgreSQL."""
