"""Fixtures for the language server tests.

``client`` is a pytest-lsp client talking to the real ``plancheck-lsp`` process
(``python -m plancheck.lsp``) over stdio, initialised with VS Code's
capabilities. Its ``published`` list keeps every ``publishDiagnostics``
notification in order (pytest-lsp itself keeps only the last one per file),
and ``wait_for_diagnostics`` polls it with a deadline.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig

HERE = Path(__file__).resolve().parent
ORACLE_DIR = HERE.parent / "oracle"
# tests/ is not a package (--import-mode=importlib): lsp_helpers and cue_oracle are found here.
for folder in (HERE, ORACLE_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from lsp_helpers import SERVER, RecordingClient, initialize_params, make_client  # noqa: E402

@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(initialize_params())
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A CUE module: ``cue.mod/module.cue`` and an empty ``plan`` folder."""
    (tmp_path / "cue.mod").mkdir()
    (tmp_path / "cue.mod" / "module.cue").write_text('module: "example.com/app"\n')
    (tmp_path / "plan").mkdir()
    return tmp_path
