"""How ``plancheck`` scales to a monorepo: cold, warm-cache and parallel runs over many plans.

Generates N plan folders (default 2,000), each a small multi-architecture
package of two files that imports the Dagger packages (a per-platform build
map, a fetch, a push of a manifest list), one in ten with a non-canonical
platform, then times real ``plancheck`` processes:

* cold, one process (``-j 1``) and all CPUs (``-j 0``), empty cache;
* warm: everything cached;
* warm after editing 1% of the plans (what a commit usually touches);
* a pre-commit-like run that names 5 changed files;
* start-up: one small file.

    .venv/bin/python bench/cli_scale.py [--plans 2000] [--keep DIR]

Results are a Markdown table on stdout (recorded in docs/cli.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAIN = """package main

import (
\t"alpha.dagger.io/dagger"
\t"alpha.dagger.io/dagger/op"
)

src: dagger.#Artifact
images: [arch=string]: dagger.#Artifact
for arch in ["amd64", "arm64"] {
\timages: "linux/\\(arch)": #up: [
\t\top.#DockerBuild & {context: src, platform: "linux/\\(arch)"},
\t]
}
base: #up: [
\top.#FetchContainer & {ref: "alpine:3.18", platform: "{platform}"},
]
"""
PUSH = """package main

import "alpha.dagger.io/dagger/op"

release: #up: [
\top.#PushContainer & {ref: "registry.example.com/team{n}/app:1.0", "images": images},
]
"""


def generate(root: Path, plans: int) -> None:
    (root / ".git").mkdir(parents=True, exist_ok=True)  # the project root (cache location)
    for n in range(plans):
        folder = root / f"team{n // 100:02}" / f"app{n:04}"
        folder.mkdir(parents=True, exist_ok=True)
        platform = "linux/aarch64" if n % 10 == 0 else "linux/arm64"
        (folder / "main.cue").write_text(MAIN.replace("{platform}", platform))
        (folder / "push.cue").write_text(PUSH.replace("{n}", str(n)))


def plancheck(root: Path, *args: str) -> tuple[float, int, str]:
    cmd = [sys.executable, "-m", "plancheck.checker.cli", "--format", "concise", "-q", *args]
    start = time.perf_counter()
    # Byte-code is written as an installed package has it (some shells here disable it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env={**env, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"plancheck failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, proc.stdout.count("\n"), proc.stdout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plans", type=int, default=2000)
    p.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = p.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="plancheck-scale-"))
    try:
        generate(root, args.plans)
        files = args.plans * 2
        rows: list[tuple[str, float, int]] = []

        def record(name: str, *cli: str) -> None:
            elapsed, lines, _ = plancheck(root, *cli)
            rows.append((name, elapsed, lines))
            print(f"{name}: {elapsed:.2f} s, {lines} diagnostics", file=sys.stderr)

        cache = root / ".plancheck_cache"
        shutil.rmtree(cache, ignore_errors=True)
        record("cold, -j 1", "-j", "1", ".")
        record("warm cache", ".")
        shutil.rmtree(cache, ignore_errors=True)
        record(f"cold, -j 0 ({len(os.sched_getaffinity(0))} CPUs)", "-j", "0", ".")
        shutil.rmtree(cache, ignore_errors=True)
        record("cold, default -j", ".")
        edited = sorted(root.glob("team*/app*/main.cue"))[:: 100]
        for path in edited:
            path.write_text(path.read_text() + "\nextra: 1\n")
        record(f"warm, {len(edited)} plans edited", ".")
        named = [str(p.relative_to(root)) for p in edited[:5]]
        for path in edited[:5]:
            path.write_text(path.read_text() + "\nmore: 2\n")
        record("pre-commit: 5 changed files named", *named)
        record("pre-commit: 5 files, no cache", "--no-cache", *named)
        one = root / "team00" / "app0001" / "main.cue"
        record("one file, no cache (start-up)", "--no-cache", str(one.relative_to(root)))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare = time.perf_counter() - start

        print(f"| run ({args.plans} plans, {files} files) | wall time | diagnostics |")
        print("|---|---:|---:|")
        for name, elapsed, lines in rows:
            print(f"| {name} | {elapsed:.2f} s | {lines} |")
        print(f"| `python -c pass` | {bare:.2f} s | |")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
