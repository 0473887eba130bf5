"""Fixtures for the grammar tests: the reference CUE as a differential-test oracle.

The oracle's Python side lives in tests/oracle/ (cue_oracle.py, oracle_corpus.py,
corpus_gen.py), next to its Node runner and corpus.  pytest runs with
`--import-mode=importlib` and tests/ is not a package, so that folder is put on
sys.path here, once, for every test module of this folder:

    from cue_oracle import Case            # the wrapper
    from oracle_corpus import iter_syntax_cases, iter_string_cases, oracle_results

The `cue_oracle` fixture yields one CueOracle (one Node process) for the whole test
session and closes it at the end; it skips the test, with the reason, when Node or
the npm package are missing (set up with `npm ci --prefix tests/oracle`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ORACLE_DIR = Path(__file__).resolve().parents[1] / "oracle"
if str(ORACLE_DIR) not in sys.path:
    sys.path.insert(0, str(ORACLE_DIR))

from cue_oracle import CueOracle, unavailable_reason  # noqa: E402


@pytest.fixture(scope="session")
def cue_oracle() -> Iterator[CueOracle]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    oracle = CueOracle()
    try:
        yield oracle
    finally:
        oracle.close()
