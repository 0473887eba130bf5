"""Latency of ``plancheck-lsp``: from ``didChange`` to the matching ``publishDiagnostics``.

Starts the real server over stdio, opens a generated plan of ``--lines`` lines
(a module of pipelines: fetch, exec, push) and makes ``--edits`` edits one
after the other: by default each toggles a platform between a canonical
spelling and a non-canonical one, so that every edit changes the diagnostics;
``--scenario typing`` types two fields into an op one character at a time and
deletes them again (every broken state in between is checked). The time of an
edit runs from writing the notification to reading the ``publishDiagnostics``
for that document *and version*. The debounce delay is set with
``--debounce-ms`` (default 0: the figure is what the server itself costs; the
delay, when set, adds to it one for one) and reported with the results.

The same plan is also checked in-process (``check_package``, the call the
server makes), both whole and incrementally after the same edit, so the
output separates the checker's share from the server's. ``--no-incremental``
runs the server with whole checks on every change (the figure before
incremental checks existed).

    .venv/bin/python bench/lsp_latency.py [--lines 2000] [--edits 200] [--debounce-ms 0]
        [--scenario platform|typing] [--no-incremental] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def generate_plan(lines: int) -> str:
    """A plan of at least ``lines`` lines: one pipeline per service."""
    head = (
        "package main\n\nimport (\n\t\"alpha.dagger.io/dagger\"\n\t\"alpha.dagger.io/dagger/op\"\n)\n\n"
        "// Repository the images are pushed to.\n"
        'repository: *"registry.example.com/app" | string @dagger(input)\n\n'
    )
    parts = [head]
    count = head.count("\n")
    i = 0
    while count < lines:
        part = f"""// Service {i}: built for arm64 and pushed.
service{i}: dagger.#Artifact & {{
	#up: [
		op.#FetchContainer & {{
			ref:      "golang:1.17-alpine"
			platform: "linux/arm64"
		}},
		op.#Exec & {{
			args: ["/bin/sh", "-c", "go build -o /out/app{i} ./cmd/app"]
			env: CGO_ENABLED: "0"
			dir: "/src"
		}},
		op.#PushContainer & {{
			ref: "\\(repository)/svc{i}:1.0"
		}},
	]
}}

"""
        parts.append(part)
        count += part.count("\n")
        i += 1
    return "".join(parts)


class Connection:
    """LSP framing over the server's stdio."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0

    def send(self, message: dict) -> None:
        assert self.process.stdin is not None
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def read(self) -> dict:
        assert self.process.stdout is not None
        header = await self.process.stdout.readuntil(b"\r\n\r\n")
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        return json.loads(await self.process.stdout.readexactly(length))

    async def request(self, method: str, params: object) -> dict:
        self.next_id += 1
        msg_id = self.next_id
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        while True:
            message = await self.read()
            if message.get("id") == msg_id and "method" not in message:
                return message
            if message.get("method") == "workspace/configuration":
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": [None]})

    async def diagnostics(self, uri: str, version: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while True:
            message = await asyncio.wait_for(self.read(), max(deadline - time.monotonic(), 0.001))
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] == uri and params.get("version") == version:
                    return params["diagnostics"]


#: what the typing scenario types into the middle service's exec op, and then deletes
TYPED = '\t\t\tenv: HOME: "/root"\n\t\t\tuser: "builder"\n'


def _changes(text: str, scenario: str, edits: int):
    """The ``contentChanges`` entries of the scenario, one per edit."""
    lines = text.splitlines()
    # The platform of the middle service: its line and the column of its value.
    middle = lines.index('\t\t\tplatform: "linux/arm64"', len(lines) // 2)
    if scenario == "platform":
        column = len('\t\t\tplatform: "linux/')
        current = "arm64"
        for n in range(edits):
            new = ["aarch64", "arm64"][n % 2]
            yield {
                "range": {"start": {"line": middle, "character": column}, "end": {"line": middle, "character": column + len(current)}},
                "text": new,
            }
            current = new
        return
    # typing: one character at a time after the exec op's `dir:` line, then backspaced
    at = lines.index('\t\t\tdir: "/src"', middle) + 1
    n = 0
    while True:
        line, col = at, 0
        positions = []
        for ch in TYPED:
            if n == edits:
                return
            yield {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch}
            positions.append((line, col))
            n += 1
            line, col = (line + 1, 0) if ch == "\n" else (line, col + 1)
        for line, col in reversed(positions):
            if n == edits:
                return
            yield {"range": {"start": {"line": line, "character": col}, "end": _after(line, col, positions)}, "text": ""}
            n += 1


def _after(line: int, col: int, positions: list[tuple[int, int]]) -> dict:
    """The position just after the character typed at (line, col)."""
    index = positions.index((line, col))
    if index + 1 < len(positions):
        nxt = positions[index + 1]
        return {"line": nxt[0], "character": nxt[1]}
    return {"line": line + 1, "character": 0}  # the last character typed is a newline


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def measure(
    lines: int, edits: int, debounce_ms: int, timeout: float, incremental: bool = True, scenario: str = "platform"
) -> dict:
    text = generate_plan(lines)
    with tempfile.TemporaryDirectory(prefix="plancheck-lsp-bench-") as tmp:
        root = Path(tmp)
        (root / "cue.mod").mkdir()
        (root / "cue.mod" / "module.cue").write_text('module: "example.com/bench"\n')
        plan = root / "main.cue"
        plan.write_text(text)
        uri = plan.as_uri()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "plancheck.lsp", "--debounce-ms", str(debounce_ms),
            *([] if incremental else ["--no-incremental"]),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            limit=2**24,
        )  # fmt: skip
        conn = Connection(process)
        try:
            await conn.request("initialize", {"processId": os.getpid(), "capabilities": {}, "rootUri": root.as_uri()})
            conn.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            conn.send(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {"textDocument": {"uri": uri, "languageId": "cue", "version": 1, "text": text}},
                }
            )
            started = time.perf_counter()
            await conn.diagnostics(uri, 1, timeout)
            first = time.perf_counter() - started
            times: list[float] = []
            codes: set[str] = set()
            for n, change in enumerate(_changes(text, scenario, edits)):
                version = n + 2
                sent = time.perf_counter()
                conn.send(
                    {
                        "jsonrpc": "2.0",
                        "method": "textDocument/didChange",
                        "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
                    }
                )
                found = await conn.diagnostics(uri, version, timeout)
                times.append(time.perf_counter() - sent)
                codes.update(d.get("code") for d in found)
            await conn.request("shutdown", None)
            conn.send({"jsonrpc": "2.0", "method": "exit"})
        finally:
            if process.returncode is None:
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except asyncio.TimeoutError:
                    process.kill()
                    await process.wait()
        check_times, incremental_times = in_process_check(root, text, runs=min(30, edits))
    return {
        "lines": text.count("\n"),
        "edits": edits,
        "debounce_ms": debounce_ms,
        "incremental": incremental,
        "scenario": scenario,
        "first_diagnostics_ms": first * 1000,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "check_median_ms": statistics.median(check_times) * 1000,
        "incremental_check_median_ms": statistics.median(incremental_times) * 1000,
        "codes_seen": sorted(c for c in codes if c),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def in_process_check(root: Path, text: str, runs: int) -> tuple[list[float], list[float]]:
    """The checker's own time on the same package (what the server calls on every
    change): whole checks, and incremental checks after the benchmark's edit."""
    from plancheck.checker.incremental import IncrementalChecker
    from plancheck.lsp.analysis import check_package, snapshot_package
    from plancheck.lsp.documents import TextDocument
    from plancheck.lsp.settings import Settings

    (root / "cue.mod").mkdir(exist_ok=True)
    (root / "cue.mod" / "module.cue").write_text('module: "example.com/bench"\n')
    (root / "main.cue").write_text(text)

    def check(body: str, incremental: IncrementalChecker | None) -> float:
        document = TextDocument((root / "main.cue").as_uri(), body, 1)
        snapshot = snapshot_package(document.folder, [document], {document.path: body})
        started = time.perf_counter()
        check_package(snapshot, Settings(), incremental)
        return time.perf_counter() - started

    whole = [check(text, None) for _ in range(runs)]
    incremental = IncrementalChecker()
    check(text, incremental)
    lines = text.splitlines(keepends=True)
    middle = lines.index('\t\t\tplatform: "linux/arm64"\n', len(lines) // 2)
    partial = []
    for n in range(runs):
        lines[middle] = f'\t\t\tplatform: "linux/{"aarch64" if n % 2 == 0 else "arm64"}"\n'
        partial.append(check("".join(lines), incremental))
    return whole, partial


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=2000)
    p.add_argument("--edits", type=int, default=200)
    p.add_argument("--debounce-ms", type=int, default=0)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one publish")
    p.add_argument("--no-incremental", action="store_true", help="run the server with whole checks on every change")
    p.add_argument(
        "--scenario", choices=["platform", "typing"], default="platform",
        help="platform: toggle a platform's spelling; typing: type two fields into an op one character at a time, then delete them",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args(argv)
    result = asyncio.run(measure(args.lines, args.edits, args.debounce_ms, args.timeout, not args.no_incremental, args.scenario))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        mode = "incremental" if result["incremental"] else "whole checks"
        print(f"plan: {result['lines']} lines; {result['edits']} edits ({result['scenario']}); debounce {result['debounce_ms']} ms; {mode}")
        print(f"first diagnostics after didOpen: {result['first_diagnostics_ms']:.0f} ms")
        print(f"didChange -> publishDiagnostics: median {result['median_ms']:.1f} ms, "
              f"p95 {result['p95_ms']:.1f} ms (min {result['min_ms']:.1f}, max {result['max_ms']:.1f})")  # fmt: skip
        print(
            f"the check itself (in-process, median of {min(30, args.edits)}): whole {result['check_median_ms']:.1f} ms, "
            f"incremental {result['incremental_check_median_ms']:.1f} ms"
        )
        print(f"machine: {result['cpus']} CPUs, load average {result['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
