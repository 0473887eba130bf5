"""The build graph: which pipelines run, in which order, and how many at once.

One node per pipeline that must run for the requested targets: by default every pipeline that
publishes something (``#PushContainer``, ``#SaveImage``) or reads a value back (``#Export``),
plus every pipeline those depend on (``Pipeline.depends_on``: ``#Load``, ``#Copy from``, mount
``from``, ``#DockerBuild context``, ``images``). A target may also name a prefix of CUE paths
(``images`` selects ``images.amd64`` and ``images.arm64``).

`run_graph` schedules the nodes on a thread pool: a node starts as soon as every node it
depends on has succeeded, so nodes with no path between them overlap. When a node fails, its
dependents are skipped (each records which failure blocked it) while independent nodes carry on,
so one run reports every failure it can find.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, Literal, Mapping, Sequence, TypeVar

from plancheck.checker.plan import Plan, Pipeline

from .errors import CycleError, GraphError, UsageError

PUBLISHING_OPS = frozenset({"push-container", "save-image"})
READING_OPS = frozenset({"export"})

T = TypeVar("T")


@dataclass(frozen=True)
class Node:
    path: str
    #: canonical platform, or None when the plan cannot know it
    platform: str | None
    #: paths of the nodes this one needs, in the order the plan names them
    depends_on: tuple[str, ...]
    #: True when the user (or the default rule) asked for this pipeline, False when it is only
    #: here because a target depends on it
    requested: bool


@dataclass(frozen=True)
class BuildGraph:
    #: nodes in a topological order (dependencies first; ties broken by path)
    nodes: Mapping[str, Node]
    targets: tuple[str, ...]

    def order(self) -> list[str]:
        return list(self.nodes)

    def dependents(self, path: str) -> list[str]:
        return [node.path for node in self.nodes.values() if path in node.depends_on]

    def platforms(self) -> list[str]:
        return sorted({node.platform for node in self.nodes.values() if node.platform})

    def default_jobs(self, cpu_count: int | None = None) -> int:
        """Platforms × 2, capped at the CPU count: enough to overlap one platform's registry
        waits with another's builds without oversubscribing the machine."""
        cpus = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
        return max(1, min(max(1, len(self.platforms())) * 2, cpus))

    def mermaid(self, label: Callable[[Node], str] | None = None) -> str:
        """The graph as a Mermaid flowchart (edges point from a dependency to its user)."""
        ids = {path: f"n{index}" for index, path in enumerate(self.nodes)}
        lines = ["flowchart LR"]
        for path, node in self.nodes.items():
            text = label(node) if label else _default_label(node)
            shape = ('["', '"]') if node.requested else ('("', '")')
            lines.append(f"    {ids[path]}{shape[0]}{_mermaid_text(text)}{shape[1]}")
        for path, node in self.nodes.items():
            for dependency in node.depends_on:
                lines.append(f"    {ids[dependency]} --> {ids[path]}")
        return "\n".join(lines) + "\n"


def _default_label(node: Node) -> str:
    return f"{node.path}<br/>{node.platform or 'platform unknown'}"


def _mermaid_text(text: str) -> str:
    # Mermaid reads `"` as the end of the label and `#` as the start of an entity code.
    return text.replace("#", "#35;").replace('"', "#quot;")


def publishes(pipeline: Pipeline) -> bool:
    return any(op.do in PUBLISHING_OPS or op.do in READING_OPS for op in pipeline.ops)


def default_targets(plan: Plan) -> list[str]:
    """Every pipeline written at its own path that pushes, saves or exports."""
    return sorted(path for path, pipeline in plan.pipelines.items() if not pipeline.inline and publishes(pipeline))


def resolve_targets(plan: Plan, names: Sequence[str]) -> list[str]:
    """The pipelines each name selects: an exact path, or every pipeline below a path prefix."""
    selected: list[str] = []
    for name in names:
        text = name.strip()
        if text in plan.pipelines:
            matches = [text]
        else:
            matches = sorted(
                path for path in plan.pipelines if path.startswith(text + ".") or path.startswith(text + "[")
            )
        if not matches:
            raise UsageError(_unknown_target_message(plan, text))
        selected.extend(path for path in matches if path not in selected)
    return selected


def _unknown_target_message(plan: Plan, name: str) -> str:
    import difflib

    known = sorted(plan.pipelines)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listing = ", ".join(known[:8]) + (", …" if len(known) > 8 else "") if known else "none"
    return f"no pipeline at {name!r}{hint} (pipelines: {listing})"


def build_graph(plan: Plan, targets: Sequence[str] = ()) -> BuildGraph:
    """The nodes needed for ``targets`` (CUE paths; default: `default_targets`)."""
    requested = resolve_targets(plan, targets) if targets else default_targets(plan)
    needed: dict[str, None] = {}
    stack = list(reversed(requested))
    while stack:
        path = stack.pop()
        if path in needed:
            continue
        if path not in plan.pipelines:
            raise GraphError(f"the plan refers to a pipeline at {path!r} that it does not define")
        needed[path] = None
        stack.extend(reversed(plan.pipelines[path].depends_on))
    _check_cycles(plan, needed)
    order = _topological_order(plan, needed)
    nodes = {
        path: Node(
            path=path,
            platform=plan.pipelines[path].platform,
            depends_on=tuple(dict.fromkeys(plan.pipelines[path].depends_on)),
            requested=path in requested,
        )
        for path in order
    }
    return BuildGraph(nodes=nodes, targets=tuple(requested))


def _check_cycles(plan: Plan, paths: Iterable[str]) -> None:
    """Raise `CycleError` naming the first cycle found (depth-first, in path order)."""
    state: dict[str, Literal["open", "done"]] = {}
    for root in sorted(paths):
        if root in state:
            continue
        # Iterative DFS: plans can chain pipelines deeper than Python's recursion limit.
        trail: list[str] = [root]
        iterators = [iter(plan.pipelines[root].depends_on)]
        state[root] = "open"
        while iterators:
            dependency = next(iterators[-1], None)
            if dependency is None:
                state[trail.pop()] = "done"
                iterators.pop()
                continue
            if state.get(dependency) == "open":
                start = trail.index(dependency)
                raise CycleError(tuple(trail[start:] + [dependency]))
            if dependency not in state:
                state[dependency] = "open"
                trail.append(dependency)
                iterators.append(iter(plan.pipelines[dependency].depends_on))


def _topological_order(plan: Plan, paths: Iterable[str]) -> list[str]:
    remaining = {path: set(plan.pipelines[path].depends_on) for path in paths}
    order: list[str] = []
    while remaining:
        ready = sorted(path for path, deps in remaining.items() if not deps)
        if not ready:  # _check_cycles ran first; kept as a guard against a changed plan model
            raise GraphError("the build graph has a cycle")
        for path in ready:
            order.append(path)
            del remaining[path]
        for deps in remaining.values():
            deps.difference_update(ready)
    return order


# -- scheduling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeEvent:
    kind: Literal["started", "succeeded", "failed", "skipped"]
    node: str
    #: seconds on the scheduler's clock (monotonic)
    time: float
    error: BaseException | None = None
    #: for "skipped": the failed node that blocked this one
    blocked_by: str | None = None


@dataclass
class ScheduleOutcome(Generic[T]):
    results: dict[str, T] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    #: node -> the failed node it (transitively) depended on
    skipped: dict[str, str] = field(default_factory=dict)
    #: nodes that never started because the run was cancelled
    cancelled: list[str] = field(default_factory=list)
    events: list[NodeEvent] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped and not self.cancelled


def run_graph(
    graph: BuildGraph,
    work: Callable[[Node], T],
    *,
    jobs: int,
    on_event: Callable[[NodeEvent], None] | None = None,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ScheduleOutcome[T]:
    """Run ``work`` on every node, dependencies first, at most ``jobs`` at a time.

    ``work`` raising marks the node failed and skips everything that depends on it. Setting
    ``cancel`` stops new nodes from starting (running ones are expected to watch it too).
    """
    if jobs < 1:
        raise UsageError(f"-j must be at least 1, not {jobs}")
    outcome: ScheduleOutcome[T] = ScheduleOutcome()
    lock = threading.Lock()

    def emit(event: NodeEvent) -> None:
        with lock:
            outcome.events.append(event)
        if on_event is not None:
            on_event(event)

    waiting = {path: set(node.depends_on) for path, node in graph.nodes.items()}
    running: dict[Future[T], str] = {}

    def run_one(node: Node) -> T:
        emit(NodeEvent("started", node.path, clock()))
        return work(node)

    def skip_dependents(failed: str) -> None:
        blocked = [failed]
        while blocked:
            current = blocked.pop()
            for path in graph.dependents(current):
                if path in waiting:
                    del waiting[path]
                    outcome.skipped[path] = failed
                    emit(NodeEvent("skipped", path, clock(), blocked_by=failed))
                    blocked.append(path)

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="planrun") as pool:
        while waiting or running:
            if cancel is None or not cancel.is_set():
                for path in [p for p in graph.nodes if p in waiting and not waiting[p]]:
                    if len(running) >= jobs:
                        break
                    del waiting[path]
                    running[pool.submit(run_one, graph.nodes[path])] = path
            elif not running:
                break
            if not running:
                # Nothing runs and nothing is ready: everything left was skipped or cancelled.
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                path = running.pop(future)
                error = future.exception()
                if error is None:
                    outcome.results[path] = future.result()
                    emit(NodeEvent("succeeded", path, clock()))
                    for deps in waiting.values():
                        deps.discard(path)
                else:
                    outcome.failures[path] = error
                    emit(NodeEvent("failed", path, clock(), error=error))
                    skip_dependents(path)
    outcome.cancelled = [path for path in graph.nodes if path in waiting]
    return outcome
