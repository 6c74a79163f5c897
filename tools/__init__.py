"""Developer tooling: the evaluation command, the benchmark and the server helpers the tests
use. Never imported by product code (tests/test_layout.py)."""
