"""A tiny run of every benchmark, so bench/ never rots. Speed itself is measured in bench/."""

import importlib
import re

import pytest

from bench.__main__ import BENCHMARKS


@pytest.mark.django_db(transaction=True)  # the orders benchmark uses parallel connections
@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_and_reports_ratios(name):
    module = importlib.import_module(f"bench.{name}")
    lines = module.run(60, repeat=2)
    assert len(lines) >= 2
    ratios = [line for line in lines if re.search(r"\d\.\d+x", line)]
    assert ratios, lines
    assert not any("nan" in line or "inf" in line for line in lines), lines
