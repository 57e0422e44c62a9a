"""A tiny run of every benchmark, so bench/ never rots. Speed itself is measured in bench/."""

import importlib
import re

import pytest

from bench.__main__ import BENCHMARKS


@pytest.mark.django_db
@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_and_reports_ratios(name):
    module = importlib.import_module(f"bench.{name}")
    lines = module.run(60, repeat=2)
    assert len(lines) >= 3
    assert all(re.search(r"\d\.\d+x", line) for line in lines[1:]), lines
