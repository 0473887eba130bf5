"""The build graph: node selection, cycles, topological scheduling, concurrency, failures."""

from __future__ import annotations

import threading
import time

import pytest
from plancheck.runner.errors import CycleError, UsageError
from plancheck.runner.graph import BuildGraph, Node, build_graph, default_targets, run_graph
from support.plans import busybox_release, go_service, op, pipeline, plan, ref

pytestmark = pytest.mark.timeout(60)


def test_default_targets_are_the_publishing_pipelines_plus_their_dependencies() -> None:
    graph = build_graph(go_service())
    assert graph.targets == ("release",)
    assert set(graph.nodes) == {
        "source",
        "builder",
        "test",
        "binaries.amd64",
        "binaries.arm64",
        'images."linux/amd64"',
        'images."linux/arm64"',
        "release",
    }
    order = graph.order()
    for path, node in graph.nodes.items():
        for dependency in node.depends_on:
            assert order.index(dependency) < order.index(path)
    assert [p for p, n in graph.nodes.items() if n.requested] == ["release"]


def test_pipelines_nothing_needs_are_left_out() -> None:
    the_plan = plan(
        pipeline("unused", [op("fetch-container", ref="alpine")]),
        pipeline("pushed", [op("fetch-container", ref="alpine"), op("push-container", ref="r.example/a:1")]),
    )
    assert default_targets(the_plan) == ["pushed"]
    assert list(build_graph(the_plan).nodes) == ["pushed"]


def test_targets_by_path_and_by_prefix() -> None:
    the_plan = busybox_release("127.0.0.1:5000")
    graph = build_graph(the_plan, ["images"])
    assert graph.targets == ("images.amd64", "images.arm64")
    assert set(graph.nodes) == {"banner", "images.amd64", "images.arm64"}
    assert list(build_graph(the_plan, ["banner"]).nodes) == ["banner"]


def test_unknown_target_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match=r"no pipeline at 'relase'; did you mean release\?"):
        build_graph(busybox_release("127.0.0.1:5000"), ["relase"])


def test_inline_pipelines_are_not_default_targets() -> None:
    the_plan = plan(
        pipeline("a", [op("fetch-container", ref="alpine"), op("export", source="/etc/os-release")], inline=True),
    )
    assert default_targets(the_plan) == []


def test_a_cycle_is_an_error_naming_the_cycle() -> None:
    the_plan = plan(
        pipeline("entry", [op("load", **{"from": ref("a")}), op("push-container", ref="r.example/x:1")]),
        pipeline("a", [op("load", **{"from": ref("b")})]),
        pipeline("b", [op("copy", **{"from": ref("c")})]),
        pipeline("c", [op("exec", args=["true"], mount={"/x": {"from": ref("a")}})]),
    )
    with pytest.raises(CycleError) as caught:
        build_graph(the_plan)
    assert caught.value.cycle == ("a", "b", "c", "a")
    assert "a -> b -> c -> a" in str(caught.value)


def test_a_pipeline_that_loads_itself_is_a_cycle() -> None:
    the_plan = plan(pipeline("x", [op("load", **{"from": ref("x")}), op("export", source="/f")]))
    with pytest.raises(CycleError, match="x -> x"):
        build_graph(the_plan)


def test_default_jobs_is_platforms_times_two_capped_at_cpus() -> None:
    graph = build_graph(busybox_release("127.0.0.1:5000"))
    assert graph.platforms() == ["linux/amd64", "linux/arm64"]
    assert graph.default_jobs(cpu_count=16) == 4
    assert graph.default_jobs(cpu_count=2) == 2
    assert graph.default_jobs(cpu_count=1) == 1


def test_mermaid_lists_nodes_and_edges() -> None:
    text = build_graph(busybox_release("127.0.0.1:5000")).mermaid()
    assert text.splitlines() == [
        "flowchart LR",
        '    n0("banner<br/>linux/amd64")',
        '    n1("images.amd64<br/>linux/amd64")',
        '    n2("images.arm64<br/>linux/arm64")',
        '    n3["release<br/>linux/amd64"]',
        "    n0 --> n1",
        "    n0 --> n2",
        "    n1 --> n3",
        "    n2 --> n3",
    ]


def test_mermaid_escapes_quotes_in_paths() -> None:
    text = build_graph(go_service()).mermaid()
    assert 'images.#quot;linux/amd64#quot;' in text


# -- scheduling ---------------------------------------------------------------------------------


def _graph(edges: dict[str, tuple[str, ...]]) -> BuildGraph:
    nodes = {path: Node(path, "linux/amd64", deps, requested=True) for path, deps in edges.items()}
    return BuildGraph(nodes=nodes, targets=tuple(nodes))


def test_independent_nodes_overlap_in_time() -> None:
    """Each of two independent nodes waits until the other has started: only concurrency passes."""
    graph = _graph({"a": (), "b": (), "c": ("a", "b")})
    started = {name: threading.Event() for name in ("a", "b")}
    seen: list[str] = []

    def work(node: Node) -> str:
        if node.path in started:
            started[node.path].set()
            other = "b" if node.path == "a" else "a"
            assert started[other].wait(timeout=10), f"{other} did not start while {node.path} ran"
        seen.append(node.path)
        return node.path.upper()

    outcome = run_graph(graph, work, jobs=2)
    assert outcome.ok
    assert outcome.results == {"a": "A", "b": "B", "c": "C"}
    assert seen[-1] == "c"
    events = {(e.kind, e.node): e.time for e in outcome.events}
    # Both started before either finished; c started after both succeeded.
    assert max(events[("started", "a")], events[("started", "b")]) <= min(
        events[("succeeded", "a")], events[("succeeded", "b")]
    )
    assert events[("started", "c")] >= max(events[("succeeded", "a")], events[("succeeded", "b")])


def test_jobs_limits_how_many_nodes_run_at_once() -> None:
    graph = _graph({name: () for name in "abcdef"})
    lock = threading.Lock()
    running = 0
    peak = 0

    def work(node: Node) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        # Give the scheduler a chance to start more than it should (no fixed sleep: yield only).
        for _ in range(1000):
            time.sleep(0)
        with lock:
            running -= 1

    outcome = run_graph(graph, work, jobs=2)
    assert outcome.ok and len(outcome.results) == 6
    assert peak <= 2


def test_a_dependency_finishes_before_its_dependent_starts() -> None:
    graph = _graph({"base": (), "mid": ("base",), "top": ("mid",)})
    outcome = run_graph(graph, lambda node: node.path, jobs=4)
    kinds = [(e.kind, e.node) for e in outcome.events]
    assert kinds == [
        ("started", "base"),
        ("succeeded", "base"),
        ("started", "mid"),
        ("succeeded", "mid"),
        ("started", "top"),
        ("succeeded", "top"),
    ]


def test_a_failure_skips_dependents_and_lets_independent_nodes_finish() -> None:
    graph = _graph({"bad": (), "good": (), "child": ("bad",), "grandchild": ("child",), "other": ("good",)})

    def work(node: Node) -> str:
        if node.path == "bad":
            raise RuntimeError("engine exited with status 1")
        return "ok"

    outcome = run_graph(graph, work, jobs=2)
    assert not outcome.ok
    assert list(outcome.failures) == ["bad"]
    assert str(outcome.failures["bad"]) == "engine exited with status 1"
    assert outcome.skipped == {"child": "bad", "grandchild": "bad"}
    assert outcome.results == {"good": "ok", "other": "ok"}
    skipped_events = [(e.node, e.blocked_by) for e in outcome.events if e.kind == "skipped"]
    assert skipped_events == [("child", "bad"), ("grandchild", "bad")]


def test_cancel_stops_new_nodes_from_starting() -> None:
    graph = _graph({"first": (), "second": ("first",)})
    cancel = threading.Event()

    def work(node: Node) -> str:
        cancel.set()
        return node.path

    outcome = run_graph(graph, work, jobs=1, cancel=cancel)
    assert outcome.results == {"first": "first"}
    assert outcome.cancelled == ["second"]
    assert not outcome.ok


def test_jobs_must_be_positive() -> None:
    with pytest.raises(UsageError):
        run_graph(_graph({"a": ()}), lambda node: None, jobs=0)
