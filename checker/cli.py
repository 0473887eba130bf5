"""The ``plancheck`` command (SPEC §5; every option is described in docs/cli.md).

Exit codes: 0 nothing at or above the fail-on severity (default: error) was
found, 1 something was (or ``--diff`` has changes to show), 2 usage,
configuration or I/O error.

This module only reads options and writes output: the check itself is
:mod:`plancheck.checker.run`. It imports lazily: ``plancheck`` runs in
pre-commit on every commit, and start-up time is most of a small run.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Sequence

from plancheck.checker.version import __version__

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from plancheck.checker.render import FORMATS

    p = argparse.ArgumentParser(
        prog="plancheck",
        description="Check multi-architecture build plans (Dagger v0.1 CUE) for mistakes.",
        epilog="Configuration: [tool.plancheck] in pyproject.toml or .plancheck.toml. Docs: docs/cli.md.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check ('-' reads standard input); default: .")
    out = p.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="full", help="output format (default: full)")
    out.add_argument("-o", "--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    out.add_argument("--statistics", action="store_true", help="print the number of diagnostics per code instead of the diagnostics")
    out.add_argument("-q", "--quiet", action="store_true", help="print diagnostics only, no summary")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the full format (auto: on a terminal, unless NO_COLOR is set or FORCE_COLOR forces it)")
    out.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    sel = p.add_argument_group("rule selection (codes or prefixes, comma separated: PLT, PLT002, ALL)")
    sel.add_argument("--select", action="append", metavar="CODES", help="report only these rules (replaces the configured selection)")
    sel.add_argument("--extend-select", action="append", default=[], metavar="CODES", help="report these rules too")
    sel.add_argument("--ignore", action="append", default=[], metavar="CODES", help="do not report these rules")
    sel.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that makes the exit code 1 (default: error)")
    sel.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    chk = p.add_argument_group("checking")
    chk.add_argument("--platform", metavar="PLATFORM", help="platform of pipelines that do not set one (default: linux/amd64)")
    chk.add_argument("--tag", action="append", default=[], metavar="NAME", help="set a tag for files guarded by @if(NAME) (repeatable)")
    chk.add_argument("--stdin-filename", metavar="NAME", help="the path of the file read from standard input")
    chk.add_argument("--config", metavar="FILE", help="use this pyproject.toml or .plancheck.toml for every path")
    chk.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    fix = p.add_argument_group("fixes")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes, then report what remains")
    fix.add_argument("--unsafe-fixes", action="store_true", help="apply (and count) unsafe fixes too")
    fix.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them (exit 1 if there are any)")
    fix.add_argument("--show-fixes", action="store_true", help="list what --fix changed, per file")
    perf = p.add_argument_group("performance")
    perf.add_argument("-j", "--jobs", type=_jobs, metavar="N", help="worker processes (0: one per CPU; default: 1 for few files, else one per CPU)")
    perf.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    perf.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: .plancheck_cache at the project root; env PLANCHECK_CACHE_DIR)")
    p.add_argument("--version", action="version", version=f"plancheck {__version__}")
    return p


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return n


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
    if args.explain:
        return _explain(args.explain)
    from pathlib import Path

    from plancheck.checker import run as runner
    from plancheck.checker import sources as src
    from plancheck.checker.config import ConfigError, Overrides, canonical_platform, parse_selectors
    from plancheck.checker.diagnostics import Severity

    try:
        select = parse_selectors(args.select) if args.select else None
        extend_select = parse_selectors(args.extend_select)
        ignore = parse_selectors(args.ignore)
    except ValueError as exc:
        return _usage(str(exc))
    platform = None
    if args.platform:
        try:
            platform = canonical_platform(args.platform)
        except ValueError as exc:
            return _usage(f"--platform: invalid platform {args.platform!r}: {exc}")
    overrides = Overrides(
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        default_platform=platform,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
    )
    cache_dir = args.cache_dir or os.environ.get("PLANCHECK_CACHE_DIR") or None
    options = runner.RunOptions(
        overrides=overrides,
        tags=frozenset(args.tag),
        config_file=Path(args.config) if args.config else None,
        isolated=args.isolated,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        cache_dir=Path(cache_dir) if cache_dir else None,
    )
    paths = list(args.paths) or ["."]
    stdin = None
    if "-" in paths:
        if paths != ["-"]:
            return _usage("'-' (standard input) cannot be combined with other paths")
        stdin = src.decode(sys.stdin.buffer.read(), args.stdin_filename or "<stdin>")
    elif args.stdin_filename:
        return _usage("--stdin-filename needs '-' as the path")
    try:
        result = runner.run(paths, options, stdin)
    except (src.SourceError, ConfigError) as exc:
        print(f"plancheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    fixing = args.fix or args.diff
    fixed = None
    if fixing:
        fixed = runner.fix(result, options, unsafe=args.unsafe_fixes)
        for path, reason in sorted(fixed.skipped.items()):
            print(f"plancheck: warning: {path}: fixes not applied: {reason}", file=sys.stderr)
        for path in fixed.unconverged:
            print(f"plancheck: warning: {path}: fixes did not converge after {runner.MAX_FIX_ROUNDS} rounds", file=sys.stderr)
        if args.diff:
            return _print_diff(args, fixed, stdin is not None)
        if stdin is None:
            from plancheck.checker.fixes import WriteError, write_atomic

            failed = False
            for pkg_path, file_path, before, after in fixed.writes():
                try:
                    write_atomic(file_path, after, expected=before)
                except WriteError as exc:
                    print(f"plancheck: error: {exc}", file=sys.stderr)
                    failed = True
            if failed:
                return EXIT_USAGE
        result = fixed.result

    return _report(args, result, fixed, stdin)


def _report(args, result, fixed, stdin) -> int:
    from plancheck.checker.render import RenderInput, render

    extra_err = ""
    out_stream: IO[str] = sys.stdout
    if fixed is not None and stdin is not None:
        # `plancheck --fix -`: the fixed text is the output, the report goes to stderr.
        sys.stdout.write(fixed.stdin_text(stdin))
        sys.stdout.flush()
        out_stream = sys.stderr
    human = args.format in ("full", "concise")
    n_fixed = fixed.count if fixed is not None else 0
    if args.statistics:
        from plancheck.checker.render import statistics as stats

        table = result.statistics(args.unsafe_fixes)
        text = stats.render_json(table) if args.format == "json" else stats.render_text(table)
    else:
        color = args.format == "full" and _color(args.color, out_stream if not args.output_file else None)
        data = RenderInput(
            result.diagnostics,
            result.sources,
            result.files_checked,
            color=color,
            fixed=n_fixed if human else 0,
            unsafe_fixes=args.unsafe_fixes,
            quiet=args.quiet,
            root=os.getcwd(),
        )
        text = render(args.format, data)
    if fixed is not None and not args.quiet:
        listing = _fix_listing(fixed) if args.show_fixes else ""
        if human and not args.statistics:
            text += listing
        else:
            extra_err = listing + (f"Fixed {n_fixed} problem{'s' if n_fixed != 1 else ''}.\n" if n_fixed else "")
    if not _emit(args.output_file, text, out_stream):
        return EXIT_USAGE
    if extra_err:
        sys.stderr.write(extra_err)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FOUND if result.failing else EXIT_OK


def _emit(output_file: str | None, text: str, stream: IO[str]) -> bool:
    if output_file:
        try:
            with open(output_file, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            print(f"plancheck: error: {output_file}: {exc.strerror or exc}", file=sys.stderr)
            return False
        return True
    stream.write(text)
    stream.flush()
    return True


def _fix_listing(fixed) -> str:
    from plancheck.checker import rules

    if not fixed.count:
        return ""
    lines = [f"Fixed {fixed.count} problem{'s' if fixed.count != 1 else ''}:\n"]
    for path, counts in sorted(fixed.by_path().items()):
        lines.append(f"- {path}:\n")
        for code, n in sorted(counts.items()):
            name = rules.info(code).name if rules.is_known(code) else ""
            lines.append(f"    {n} × {code}{f' ({name})' if name else ''}\n")
    return "".join(lines)


def _print_diff(args, fixed, from_stdin: bool) -> int:
    from plancheck.checker.fixes import unified_diff

    chunks = [unified_diff(path, before, after) for _, path, before, after in fixed.diffs()]
    if not _emit(args.output_file, "".join(chunks), sys.stdout):
        return EXIT_USAGE
    n = fixed.count
    if not args.quiet:
        if n:
            print(f"Would fix {n} problem{'s' if n != 1 else ''}.", file=sys.stderr)
        else:
            print("No fixes available.", file=sys.stderr)
    return EXIT_FOUND if chunks else EXIT_OK


def _explain(code: str) -> int:
    from plancheck.checker import docs, rules

    wanted = code.strip().upper()
    if not rules.is_known(wanted):
        return _usage(f"unknown rule code {code!r}; the rules are listed in docs/rules/README.md")
    sys.stdout.write(docs.rule_page(wanted))
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"plancheck: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _color(choice: str, stream: IO[str] | None) -> bool:
    if choice != "auto":
        return choice == "always"
    return stream is not None and _want_color(stream)


def _want_color(stream: IO[str]) -> bool:
    """NO_COLOR (any value) turns colour off, FORCE_COLOR (not "0") on; else only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force and force != "0":
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
