"""The ``planrun`` command (SPEC §7): check a plan, build its pipelines, push their images.

``planrun [PATH] [TARGET...]``: PATH is a plan file or folder (default ``.``); a first argument
that is not a file or folder is taken as a target. Targets are CUE paths of pipelines, or
prefixes of them (``images`` for ``images.amd64`` and ``images.arm64``); the default is every
pipeline that pushes, saves or exports.

Exit status: 0 everything succeeded (or a dry run / graph was printed); 1 the plan has errors or
a build or push failed; 2 a usage error (bad option, unknown target, missing secret source,
engine not installed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, TextIO

from plancheck.checker.plan import Plan

if TYPE_CHECKING:  # the CLI imports its parts lazily, to start fast
    from .compile import CompiledPlan
    from .engines import BuildahStorage, BuildctlEngine, EngineChoice, EngineSettings
    from .execute import PushedReference, RunReport
    from .graph import BuildGraph, Node
    from .secrets import SecretSources

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _UsageExit(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 on its own; keep one code path
        raise _UsageExit(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="planrun",
        description="Run a build plan's pipelines with BuildKit (buildctl) or buildah and push their images.",
    )
    p.add_argument("arguments", nargs="*", metavar="[PATH] [TARGET]", help="plan file or folder (default .), then pipelines to run")
    p.add_argument("--engine", choices=("auto", "buildctl", "buildah"), default="auto", help="build engine (default: auto)")
    p.add_argument("--dry-run", action="store_true", help="print the build graph, Dockerfiles and engine commands; run nothing")
    p.add_argument("--graph", action="store_true", help="print the build graph as a Mermaid flowchart and exit")
    p.add_argument("--progress", choices=("auto", "plain", "tty"), default="auto", help="progress display (plain when not on a terminal)")
    p.add_argument("--output-json", metavar="FILE", help="write the summary (pushed references, digests, exports) as JSON")
    p.add_argument("--platform", metavar="PLATFORM", help="default platform of pipelines that name none (default linux/amd64)")
    p.add_argument("--tag", action="append", default=[], metavar="NAME", help="enable files guarded by @if(NAME)")
    p.add_argument("--insecure-registry", action="append", default=[], metavar="HOST", help="registry reached over plain HTTP (repeatable)")
    p.add_argument("--media-type", choices=("oci", "docker"), default="oci", help="manifest media types (default oci)")
    p.add_argument("--annotation", action="append", default=[], metavar="KEY=VALUE", help="annotation on pushed manifests and lists (OCI only)")
    p.add_argument("--secret", action="append", default=[], metavar="id=ID,env=VAR|src=FILE", help="where a secret's value is (repeatable)")
    p.add_argument("-j", "--jobs", type=int, metavar="N", help="pipelines run at once (default: platforms × 2, at most the CPU count)")
    p.add_argument("--workdir", metavar="DIR", help="keep generated contexts, Dockerfiles and outputs in DIR (default: a temporary folder)")
    bk = p.add_argument_group("BuildKit (buildctl)")
    bk.add_argument("--addr", metavar="ADDR", help="BuildKit daemon address (default: $BUILDKIT_HOST, else buildctl's default)")
    bk.add_argument("--builder", action="append", default=[], metavar="PLATFORM=ADDR", help="daemon for one platform, e.g. linux/arm64=tcp://arm-builder:1234 (repeatable)")
    bk.add_argument("--tlscacert", metavar="FILE")
    bk.add_argument("--tlscert", metavar="FILE")
    bk.add_argument("--tlskey", metavar="FILE")
    bk.add_argument("--tlsservername", metavar="NAME")
    bk.add_argument("--import-cache", action="append", default=[], metavar="SPEC", help="passed to buildctl ({platform} becomes e.g. linux-arm64)")
    bk.add_argument("--export-cache", action="append", default=[], metavar="SPEC", help="passed to buildctl ({platform} becomes e.g. linux-arm64)")
    bh = p.add_argument_group("buildah")
    bh.add_argument("--buildah-root", metavar="DIR", help="image storage (default: ~/.local/share/planrun/buildah)")
    bh.add_argument("--buildah-runroot", metavar="DIR", help="run state (default: $XDG_RUNTIME_DIR/planrun-buildah or /tmp/planrun-buildah-UID)")
    bh.add_argument("--storage-driver", default="vfs", metavar="DRIVER", help="buildah storage driver (default vfs)")
    p.add_argument("--version", action="version", version=f"planrun {_version()}")
    return p


def _version() -> str:
    from plancheck.checker.version import __version__

    return __version__


@dataclass(frozen=True)
class Invocation:
    path: str
    targets: tuple[str, ...]


def split_arguments(arguments: Sequence[str]) -> Invocation:
    if arguments and Path(arguments[0]).exists():
        return Invocation(arguments[0], tuple(arguments[1:]))
    return Invocation(".", tuple(arguments))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageExit as error:
        print(f"planrun: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    invocation = split_arguments(args.arguments)
    try:
        plan = load(invocation.path, args, sys.stderr)
    except _UsageExit as error:
        print(f"planrun: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if plan is None:
        return EXIT_FAILED
    return execute(plan, args, invocation.targets, stdout=sys.stdout, stderr=sys.stderr)


def load(path: str, args: argparse.Namespace, stderr: TextIO) -> Plan | None:
    """Check and evaluate the plan like ``plancheck``; None (after showing why) if it has errors."""
    from plancheck.checker import check, platforms
    from plancheck.checker.diagnostics import Severity
    from plancheck.checker.render import RenderInput, render

    if not hasattr(check, "load_plan"):
        raise _UsageExit("this plancheck has no plan evaluator yet (plancheck.checker.check.load_plan)")
    default_platform = "linux/amd64"
    if args.platform:
        try:
            default_platform = platforms.canonical(args.platform)
        except platforms.PlatformError as error:
            raise _UsageExit(f"--platform: {error}") from None
    options = check.CheckOptions(default_platform=default_platform, tags=frozenset(args.tag))
    result = check.load_plan(path, options)
    report = result.report
    if report.diagnostics:
        color = hasattr(stderr, "isatty") and stderr.isatty() and not os.environ.get("NO_COLOR")
        shown = RenderInput(report.diagnostics, report.sources, files_checked=report.files_checked, color=bool(color))
        stderr.write(render("full", shown))
    if report.count(Severity.ERROR):
        print("planrun: the plan has errors; nothing was run", file=stderr)
        return None
    if result.plan is None:
        print("planrun: the plan could not be evaluated; nothing was run", file=stderr)
        return None
    return result.plan


def _buildah_defaults(environ: Mapping[str, str]) -> tuple[str, str]:
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    runtime = environ.get("XDG_RUNTIME_DIR")
    runroot = f"{runtime}/planrun-buildah" if runtime else f"/tmp/planrun-buildah-{os.getuid()}"
    return f"{data_home}/planrun/buildah", runroot


def _key_values(values: Sequence[str], option: str) -> dict[str, str]:
    from .errors import UsageError

    out: dict[str, str] = {}
    for value in values:
        key, equals, rest = value.partition("=")
        if not equals or not key:
            raise UsageError(f"invalid {option} {value!r}: expected KEY=VALUE")
        out[key] = rest
    return out


def execute(
    plan: Plan,
    args: argparse.Namespace,
    targets: Sequence[str] = (),
    *,
    stdout: TextIO,
    stderr: TextIO,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Everything after loading: graph, compile, then print (``--graph``, ``--dry-run``) or run."""
    from .errors import RunnerError, UsageError

    env = dict(os.environ if environ is None else environ)
    try:
        return _execute(plan, args, targets, stdout=stdout, stderr=stderr, environ=env)
    except UsageError as error:
        print(f"planrun: error: {error}", file=stderr)
        return EXIT_USAGE
    except RunnerError as error:
        print(f"planrun: error: {error}", file=stderr)
        return EXIT_FAILED


def _execute(
    plan: Plan,
    args: argparse.Namespace,
    targets: Sequence[str],
    *,
    stdout: TextIO,
    stderr: TextIO,
    environ: dict[str, str],
) -> int:
    from . import dryrun
    from .compile import Workspace, compile_plan
    from .engines import BuildahEngine, BuildahStorage, Builder, BuilderMap, BuildctlEngine, EngineSettings, TLSConfig, choose_engine
    from .errors import UsageError
    from .graph import build_graph
    from .secrets import SecretSource, SecretSources

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"-j must be at least 1, not {args.jobs}")
    annotations = _key_values(args.annotation, "--annotation")
    if annotations and args.media_type == "docker":
        raise UsageError("--annotation needs OCI media types: Docker manifests and lists cannot carry annotations")
    graph = build_graph(plan, targets)
    jobs = args.jobs or graph.default_jobs()
    placeholder = args.dry_run or args.graph
    temporary: str | None = None
    if placeholder:
        workspace = Workspace(dryrun.WORKDIR_PLACEHOLDER, dryrun.RUN_ID_PLACEHOLDER)
    else:
        root = args.workdir or tempfile.mkdtemp(prefix="planrun-")
        if not args.workdir:
            temporary = root
        workspace = Workspace(str(Path(root).resolve()), uuid.uuid4().hex[:12])
    try:
        compiled = compile_plan(plan, graph, workspace)
        secrets = SecretSources.parse(args.secret, environ)
        needed = compiled.secrets()
        if placeholder:
            missing = [s for s in needed if s not in secrets.sources]
            for secret in missing:
                print(f"planrun: warning: no --secret for {secret}; a run would refuse to start", file=stderr)
            secrets = SecretSources({**secrets.sources, **{s: SecretSource.parse(f"id={s}", environ) for s in missing}})
        else:
            secrets.require(needed, environ)
        docker_config = environ.get("DOCKER_CONFIG") or None
        if docker_config and not (Path(docker_config) / "config.json").is_file():
            docker_config = None  # buildah refuses an --authfile that does not exist
        if compiled.logins and not placeholder:
            from .logins import write_login_config

            docker_config = str(write_login_config(compiled.logins, secrets, Path(workspace.path("docker")), environ))
        elif compiled.logins:
            docker_config = workspace.path("docker")
        settings = EngineSettings(
            secrets=secrets,
            insecure_registries=tuple(args.insecure_registry),
            media_types=args.media_type,
            annotations=annotations,
            docker_config=docker_config,
        )
        tls = TLSConfig(args.tlscacert, args.tlscert, args.tlskey, args.tlsservername)
        builders = BuilderMap.parse(args.builder, Builder(args.addr, tls))
        buildctl = BuildctlEngine(settings, builders, import_cache=args.import_cache, export_cache=args.export_cache)
        if args.graph:
            stdout.write(graph.mermaid(lambda node: _graph_label(node, compiled)))
            return EXIT_OK
        choice = choose_engine(args.engine, buildctl)
        root_default, runroot_default = _buildah_defaults(environ)
        storage = BuildahStorage(
            driver=args.storage_driver,
            root=args.buildah_root or root_default,
            runroot=args.buildah_runroot or runroot_default,
        )
        if args.dry_run:
            engine = buildctl if choice.name == "buildctl" else BuildahEngine(settings, None, storage)
            stdout.write(
                dryrun.render(compiled, graph, engine, engine_reason=choice.reason, jobs=jobs, media_types=args.media_type)
            )
            return EXIT_OK
        return _run(compiled, graph, buildctl, choice, storage, settings, secrets, jobs, args, stdout, stderr)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def _graph_label(node: Node, compiled: CompiledPlan) -> str:
    pipeline = compiled.pipelines[node.path]
    parts = [node.path, node.platform or "platform unknown"]
    for index in pipeline.indexes:
        parts.append(f"push {index.reference} ({len(index.entries)} platforms)")
    for tag in pipeline.tags:
        parts.append(f"push {tag.reference}")
    if pipeline.exports:
        parts.append(f"{len(pipeline.exports)} export{'s' if len(pipeline.exports) > 1 else ''}")
    if pipeline.inlined:
        parts.append("stages only")
    return "<br/>".join(parts)


def _run(
    compiled: CompiledPlan,
    graph: BuildGraph,
    buildctl: BuildctlEngine,
    choice: EngineChoice,
    storage: BuildahStorage,
    settings: EngineSettings,
    secrets: SecretSources,
    jobs: int,
    args: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    from .engines import BuildahEngine
    from .execute import PlanRunner
    from .progress import TtyProgress, make_progress
    from .registry import Credentials, RegistryClient

    credentials = Credentials.from_docker_config(
        Path(settings.docker_config) / "config.json" if settings.docker_config else None
    )
    with RegistryClient(credentials, insecure_registries=settings.insecure_registries) as client:
        engine = buildctl if choice.name == "buildctl" else BuildahEngine(settings, client, storage)
        engine.check_available()
        rows = [(path, node.platform or "") for path, node in graph.nodes.items()]
        view = make_progress(args.progress, stderr, rows)
        view.message(f"planrun: engine {engine.name} ({choice.reason}), {len(graph.nodes)} pipelines, -j {jobs}")
        cancel = threading.Event()
        runner = PlanRunner(
            compiled,
            graph,
            engine,
            client=client,
            view=view,
            secrets=secrets,
            jobs=jobs,
            media_types=settings.media_types,
            annotations=settings.annotations,
            cancel=cancel,
        )
        previous = _on_interrupt(cancel)
        try:
            report = runner.run()
        finally:
            _restore_interrupt(previous)
            view.close()
            engine.cleanup()
    if isinstance(view, TtyProgress) and report.failure_output:
        # The live view shows one line per pipeline; a failure needs the build's last lines.
        for path, tail in report.failure_output.items():
            stderr.write(f"--- last output of {path} ---\n{tail}\n")
    stdout.write(summary(report))
    if args.output_json:
        Path(args.output_json).write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    if cancel.is_set():
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_FAILED


def _on_interrupt(cancel: threading.Event) -> Any:
    """Ctrl-C stops the engines (by PID) and lets the scheduler wind down, instead of a traceback."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, lambda signum, frame: cancel.set())


def _restore_interrupt(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)


def summary(report: RunReport) -> str:
    lines: list[str] = []
    for pushed in report.pushed:
        if pushed.kind == "index":
            lines.append(f"pushed {pushed.reference}@{pushed.digest} (manifest list, {pipeline_of(pushed)})")
            for platform, digest in pushed.children:
                lines.append(f"    {platform:<14} {digest}")
        else:
            lines.append(f"pushed {pushed.reference}@{pushed.digest} ({pipeline_of(pushed)})")
    for export in report.exports:
        value = export.value if isinstance(export.value, str) else json.dumps(export.value, sort_keys=True)
        shown = value if len(value) <= 200 and "\n" not in value.strip() else value.strip()[:200].replace("\n", "\\n") + "…"
        lines.append(f"exported {export.pipeline} {export.source} ({export.format}): {shown.strip()}")
    for saved in report.saved:
        lines.append(f"saved {saved.tag} to {saved.path} ({saved.pipeline})")
    for path, error in report.failures.items():
        lines.append(f"failed {path}: {error}")
    for path, blocker in report.skipped.items():
        lines.append(f"skipped {path}: needs {blocker}, which failed")
    for path in report.cancelled:
        lines.append(f"cancelled {path}")
    status = "ok" if report.ok else "FAILED"
    lines.append(f"planrun: {status} in {report.seconds:.1f}s (engine {report.engine})")
    return "\n".join(lines) + "\n"


def pipeline_of(pushed: PushedReference) -> str:
    return f"{pushed.pipeline}, op #{pushed.op_index}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
