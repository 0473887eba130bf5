"""A real editor: headless Neovim runs ``plancheck-lsp`` through the shipped plugin.

Neovim (``/usr/bin/nvim``, 0.7 on Debian 12) loads ``editors/nvim`` from its
runtimepath, ``require('plancheck').setup()`` starts the real server, and a
plan with a mistake is opened. The Lua side writes what Neovim received —
``vim.diagnostic.get()``, then the answer to a completion request — to JSON
files that this test polls with a deadline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "editors" / "nvim"
NVIM = shutil.which("nvim")
#: seconds to wait for Neovim and the server (a busy shared machine)
DEADLINE = 150

pytestmark = [
    pytest.mark.timeout(DEADLINE + 60),
    pytest.mark.skipif(NVIM is None, reason="nvim is not installed"),
]

PLAN = """package main

import (
	"alpha.dagger.io/dagger"
	"alpha.dagger.io/dagger/op"
)

base: dagger.#Artifact & {
	#up: [
		op.#FetchContainer & {
			ref:      "alpine:3.15"
			platform: "linux/aarch64"
		},
		op.#Exec & {
			args: ["true"]
			
		},
	]
}
"""

INIT_LUA = textwrap.dedent(
    r"""
    vim.opt.runtimepath:prepend(vim.env.PLANCHECK_PLUGIN)
    vim.cmd('runtime! plugin/plancheck.lua')
    vim.cmd('runtime! ftdetect/*.vim')
    require('plancheck').setup({ cmd = vim.fn.json_decode(vim.env.PLANCHECK_CMD) })

    local function write(path, value)
      local file = io.open(path, 'w')
      file:write(vim.fn.json_encode(value))
      file:close()
    end

    local function fail(message)
      write(vim.env.PLANCHECK_OUT .. '/error.json', { error = message })
      vim.cmd('qall!')
    end

    vim.defer_fn(function()
      local ok, err = pcall(function()
        local bufnr = vim.api.nvim_get_current_buf()
        local got = vim.wait(tonumber(vim.env.PLANCHECK_WAIT_MS), function()
          return #vim.diagnostic.get(bufnr) > 0
        end, 50)
        if not got then
          return fail('no diagnostics arrived')
        end
        write(vim.env.PLANCHECK_OUT .. '/diagnostics.json', vim.diagnostic.get(bufnr))

        -- Completion on the empty line inside the #Exec struct.
        vim.api.nvim_win_set_cursor(0, { tonumber(vim.env.PLANCHECK_LINE), tonumber(vim.env.PLANCHECK_COL) })
        local params = vim.lsp.util.make_position_params()
        local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, tonumber(vim.env.PLANCHECK_WAIT_MS))
        local labels = {}
        for _, answer in pairs(answers or {}) do
          local items = answer.result and (answer.result.items or answer.result) or {}
          for _, item in ipairs(items) do
            table.insert(labels, { label = item.label, detail = item.detail })
          end
        end
        write(vim.env.PLANCHECK_OUT .. '/completion.json', labels)
        vim.cmd('qall!')
      end)
      if not ok then
        fail(tostring(err))
      end
    end, 10)
    """
)


def _poll(path: Path, process: subprocess.Popen, deadline: float, out: Path) -> object:
    """The JSON in ``path`` once Neovim wrote it; fails early with what Neovim reported."""
    while time.monotonic() < deadline:
        if (out / "error.json").exists():
            raise AssertionError(json.loads((out / "error.json").read_text())["error"])
        if path.exists():
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass  # written while we read; try again
        if process.poll() is not None and not path.exists():
            raise AssertionError(f"Neovim exited ({process.returncode}) before writing {path.name}")
        time.sleep(0.1)
    raise AssertionError(f"{path.name} was not written within {DEADLINE}s")


def test_neovim_shows_plancheck_diagnostics_and_completes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "cue.mod").mkdir(parents=True)
    (project / "cue.mod" / "module.cue").write_text('module: "example.com/app"\n')
    plan = project / "main.cue"
    plan.write_text(PLAN)
    out = tmp_path / "out"
    out.mkdir()
    init = tmp_path / "init.lua"
    init.write_text(INIT_LUA)
    blank = PLAN.splitlines().index("\t\t\t")
    env = dict(
        os.environ,
        PLANCHECK_PLUGIN=str(PLUGIN),
        PLANCHECK_CMD=json.dumps([sys.executable, "-m", "plancheck.lsp"]),
        PLANCHECK_OUT=str(out),
        PLANCHECK_WAIT_MS=str(DEADLINE * 1000 // 2),
        PLANCHECK_LINE=str(blank + 1),
        PLANCHECK_COL="3",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    process = subprocess.Popen(
        [NVIM, "--headless", "-n", "-u", str(init), str(plan)],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        diagnostics = _poll(out / "diagnostics.json", process, deadline, out)
        assert isinstance(diagnostics, list)
        codes = {(d.get("code") or d.get("user_data", {}).get("lsp", {}).get("code")) for d in diagnostics}
        assert "PLT002" in codes
        platform = next(
            d for d in diagnostics if (d.get("code") or d.get("user_data", {}).get("lsp", {}).get("code")) == "PLT002"
        )
        line = PLAN.splitlines().index('\t\t\tplatform: "linux/aarch64"')
        assert platform["lnum"] == line  # 0-based in vim.diagnostic
        assert platform["col"] == PLAN.splitlines()[line].index("linux/aarch64")
        assert platform["source"] == "plancheck"
        completion = _poll(out / "completion.json", process, deadline, out)
        labels = {item["label"]: item for item in completion}
        assert "dir" in labels and labels["dir"]["detail"] == 'dir: string | *"/"'
        assert "args" not in labels
        process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
