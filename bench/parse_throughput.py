"""Parse and check throughput on the benchmark corpus (SPEC §8: >= 30,000 lines/s on one core).

    python bench/parse_throughput.py [--lines 12000] [--repeat 3]

Reports lines per second for: scanning, parsing (scan + LALR + AST), and
checking (parse + load packages + evaluate + plan model + every rule), each
the best of ``--repeat`` runs, CPU time of this process (one core).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from plancheck.checker.check import check_sources  # noqa: E402
from plancheck.checker.sources import discover, read  # noqa: E402
from plancheck.grammar import parse  # noqa: E402
from plancheck.grammar.lexer import tokenize  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, default=12_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "corpus"
        files, lines = corpus.build(out, args.lines)
        sources = [read(path) for path in discover([str(out)])]
        texts = [s.text for s in sources]
        parse("a: 1")  # build or load the LALR tables outside the timings
        scan = best(lambda: [tokenize(t) for t in texts], args.repeat)
        parsed = best(lambda: [parse(t) for t in texts], args.repeat)
        checked = best(lambda: check_sources(sources), args.repeat)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"corpus: {files} files, {lines} lines")
    for name, secs in (("scan", scan), ("parse", parsed), ("check", checked)):
        print(f"{name:6} {secs * 1000:8.0f} ms  {lines / secs:10.0f} lines/s")


if __name__ == "__main__":
    main()
