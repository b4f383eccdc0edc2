"""Benchmarks of the Précis server: python -m bench.latency | throughput | memory | quality."""
