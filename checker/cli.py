"""The ``plancheck`` command (SPEC §5).

Exit codes: 0 no errors, 1 errors found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from plancheck.checker.version import __version__

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from plancheck.checker.render import FORMATS

    p = argparse.ArgumentParser(
        prog="plancheck",
        description="Check multi-architecture build plans (Dagger v0.1 CUE) for mistakes.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check ('-' reads standard input); default: .")
    p.add_argument("--format", choices=FORMATS, default="full", help="output format (default: full)")
    p.add_argument("--stdin-filename", metavar="NAME", help="the path of the file read from standard input")
    p.add_argument("--version", action="version", version=f"plancheck {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`plancheck … | head`); stay quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FOUND


def run(args: argparse.Namespace) -> int:
    from plancheck.checker import sources as src
    from plancheck.checker.check import check_sources
    from plancheck.checker.diagnostics import Severity
    from plancheck.checker.render import RenderInput, render

    paths = list(args.paths) or ["."]
    try:
        files: list[src.Source] = []
        if "-" in paths:
            if paths != ["-"]:
                return _usage("'-' (standard input) cannot be combined with other paths")
            name = args.stdin_filename or "<stdin>"
            files.append(src.decode(sys.stdin.buffer.read(), name))
        else:
            if args.stdin_filename:
                return _usage("--stdin-filename needs '-' as the path")
            for path in src.discover(paths):
                files.append(src.read(path))
    except src.SourceError as exc:
        print(f"plancheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = check_sources(files)
    color = args.format == "full" and _want_color(sys.stdout)
    out = render(args.format, RenderInput(report.diagnostics, report.sources, report.files_checked, color))
    sys.stdout.write(out)
    sys.stdout.flush()
    return EXIT_FOUND if report.count(Severity.ERROR) else EXIT_OK


def _usage(message: str) -> int:
    print(f"plancheck: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _want_color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
