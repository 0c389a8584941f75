"""Benchmarks run by ``kiosk bench NAME`` (see kiosk/cli/bench_cmd.py); not tests."""
