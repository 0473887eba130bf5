"""The configuration snippets in editors/README.md parse and name the right things."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

EDITORS = Path(__file__).resolve().parents[2] / "editors"
README = (EDITORS / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


def test_vscode_settings_snippet_lists_the_contributed_settings() -> None:
    [snippet] = blocks("json")
    settings = json.loads(snippet)
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text())
    properties = manifest["contributes"]["configuration"]["properties"]
    assert settings == {name: spec["default"] for name, spec in properties.items()}


def test_helix_snippet() -> None:
    [snippet] = blocks("toml")
    config = tomllib.loads(snippet)
    server = config["language-server"]["plancheck"]
    assert server["command"] == "plancheck-lsp"
    assert server["config"]["defaultPlatform"] == "linux/amd64"
    assert server["config"]["plancheck"] == {"defaultPlatform": "linux/amd64"}
    [language] = config["language"]
    assert language["name"] == "cue"
    assert "plancheck" in language["language-servers"]


def test_emacs_snippets_register_plancheck_for_cue_mode() -> None:
    elisp = "\n".join(blocks("elisp"))
    assert "(add-to-list 'eglot-server-programs '(cue-mode . (\"plancheck-lsp\")))" in README
    assert ":initializationOptions (:defaultPlatform \"linux/amd64\")" in elisp
    assert "(define-derived-mode cue-mode prog-mode \"CUE\"" in elisp
    for snippet in blocks("elisp"):
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', snippet)  # strings
        code = re.sub(r"\?\\?.", "0", code)  # character literals such as ?/ and ?\n
        code = re.sub(r";.*", "", code)  # comments
        assert code.count("(") == code.count(")"), snippet


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")
def test_lua_snippets_compile(tmp_path: Path) -> None:
    snippets = blocks("lua")
    assert len(snippets) == 4
    checker = tmp_path / "check.lua"
    results = tmp_path / "results.json"
    files = []
    for index, snippet in enumerate(snippets):
        # lazy.nvim specs are table expressions, the others statements.
        source = f"return {snippet}" if snippet.lstrip().startswith("{") else snippet
        path = tmp_path / f"snippet{index}.lua"
        path.write_text(source)
        files.append(str(path))
    checker.write_text(
        "local errors = {}\n"
        f"for _, file in ipairs(vim.fn.json_decode({json.dumps(json.dumps(files))})) do\n"
        "  local _, err = loadfile(file)\n"
        "  table.insert(errors, err or vim.NIL)\n"
        "end\n"
        f"local out = io.open({json.dumps(str(results))}, 'w')\n"
        "out:write(vim.fn.json_encode(errors))\n"
        "out:close()\n"
        "vim.cmd('qall!')\n"
    )
    subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(checker)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert json.loads(results.read_text()) == [None] * len(snippets)
