"""Cold start-up of `plancheck` on a 100-line plan, against a bare `python3 -c pass`.

    python bench/startup.py [--runs 15]

SPEC §8: within 10× the start-up time of a bare interpreter. Reports the
median wall time of each over ``--runs`` runs (fresh processes).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def plan_of(lines: int) -> str:
    out = ['package main\n', 'import "alpha.dagger.io/dagger/op"\n']
    i = 0
    while sum(s.count("\n") for s in out) < lines:
        out.append(
            f"// Service {i}.\nsvc{i}: #up: [\n\top.#FetchContainer & {{ref: \"alpine:3.18\", platform: \"linux/arm64\"}},\n"
            f"\top.#Exec & {{args: [\"sh\", \"-c\", \"echo {i}\"], env: {{N: \"{i}\"}}}},\n]\n"
        )
        i += 1
    return "".join(out)


def median_run(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.cue"
        plan.write_text(plan_of(100))
        exe = [sys.executable, "-m", "plancheck.checker.cli", "--no-cache", str(plan)]
        subprocess.run(exe, stdout=subprocess.DEVNULL, check=False)  # warm the LALR table cache
        bare = median_run([sys.executable, "-c", "pass"], args.runs)
        cold = median_run(exe, args.runs)
    print(f"python3 -c pass: {bare * 1000:.0f} ms")
    print(f"plancheck (100-line plan): {cold * 1000:.0f} ms  ({cold / bare:.1f}x)")


if __name__ == "__main__":
    main()
