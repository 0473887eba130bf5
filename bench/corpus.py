"""A plan corpus in the style of the examples, for the benchmarks.

Copies the shipped examples and the stdlib-style test module N times into a
folder, each copy a separate package (identifiers made unique), so that the
corpus has the mix of real plans: imports, definitions, comprehensions,
multi-line shell scripts, comments. ``python bench/corpus.py OUT [--lines N]``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples", ROOT / "tests" / "fixtures" / "stdlib_module"]


def template_files() -> list[tuple[Path, str]]:
    out = []
    for base in SOURCES:
        for path in sorted(base.rglob("*.cue")):
            if "cue.mod" in path.parts:
                continue
            out.append((path.relative_to(ROOT), path.read_text()))
    return out


def build(out: Path, min_lines: int = 12_000) -> tuple[int, int]:
    """Write copies until the corpus has ``min_lines`` lines; returns (files, lines)."""
    if out.exists():
        shutil.rmtree(out)
    files = template_files()
    lines = 0
    count = 0
    copy = 0
    while lines < min_lines:
        dest = out / f"copy{copy:03}"
        for base in SOURCES:
            mod = base / "cue.mod"
            if mod.is_dir():
                shutil.copytree(mod, dest / base.relative_to(ROOT) / "cue.mod")
        for rel, text in files:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            lines += text.count("\n") + 1
            count += 1
        copy += 1
    return count, lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("--lines", type=int, default=12_000)
    args = p.parse_args()
    files, lines = build(args.out, args.lines)
    print(f"{files} files, {lines} lines in {args.out}")


if __name__ == "__main__":
    main()
