"""The composition every front end calls: packages, settings, suppression, selection, cache, workers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from checker_factories import make_diag

from plancheck.checker import run as runner
from plancheck.checker.cache import Cache, project_root
from plancheck.checker.config import ConfigResolver, Overrides, Settings
from plancheck.checker.diagnostics import Severity
from plancheck.checker.parallel import CheckJob, CheckResult, effective_jobs
from plancheck.checker.sources import Source

P = "plans/app.cue"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def settings(tmp_path, **kw) -> Settings:
    return Settings(root=tmp_path, **kw)


def test_finish_applies_suppression_selection_severity_and_order(tmp_path, fake_rules):
    text = 'a: "linux/aarch64" // plancheck: ignore[PLT002]\nb: "linux/aarch64"\nc: 1\n'
    raw = [
        make_diag(P, text, "c: 1", "PLT007", "key", severity=Severity.ERROR),
        make_diag(P, text, "linux/aarch64", nth=1),
        make_diag(P, text, "linux/aarch64"),
        make_diag(P, text, "c: 1", "SCH001", "not allowed", severity=Severity.ERROR),
        make_diag("elsewhere.cue", "x", "x", "PLT007"),
    ]
    s = settings(tmp_path, ignore=("SCH",), severity=(("PLT002", Severity.ERROR),))
    out = runner.finish(raw, {P: text}, s, targets=[P])
    assert [(d.code, d.span.start.line, d.severity.value) for d in out] == [("PLT002", 2, "error"), ("PLT007", 3, "error")]


def test_per_path_ignores_use_the_config_folder(tmp_path, fake_rules):
    write(tmp_path / ".plancheck.toml", '[per-path-ignores]\n"legacy/" = ["PLT002"]\n')
    s = ConfigResolver(cwd=tmp_path).for_folder(tmp_path)
    legacy = str(tmp_path / "legacy" / "a.cue")
    text = 'a: "linux/aarch64"\n'
    out = runner.finish([make_diag(legacy, text, "aarch64"), make_diag(P, text, "aarch64")], {legacy: text, P: text}, s)
    assert [d.path for d in out] == [P]


def test_lint_checks_in_memory_with_the_real_checker(tmp_path):
    sources = [Source(P, "package main\n\nx: 4Ki // plancheck: ignore[CUE006]\ny: (\n")]
    out = runner.lint(sources, settings(tmp_path))
    assert [d.code for d in out] == ["CUE001"]
    out = runner.lint(sources, settings(tmp_path, select=("CUE006",)))
    assert out == []


def test_siblings_are_context_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "plans" / "a.cue", "package p\na: 1\n")
    write(tmp_path / "plans" / "b.cue", "package p\nb: (\n")
    write(tmp_path / "plans" / "sub" / "c.cue", "package q\n")
    (pkg,) = runner.collect(["plans/a.cue"], ConfigResolver(cwd=tmp_path))
    assert pkg.targets == {"plans/a.cue"} and [s.path for s in pkg.sources] == ["plans/a.cue"]
    result = runner.run(["plans/a.cue"], runner.RunOptions(use_cache=False))
    assert result.diagnostics == [] and result.files_checked == 1  # b.cue's error is not reported
    result = runner.run(["plans"], runner.RunOptions(use_cache=False))
    assert [d.path for d in result.diagnostics] == ["plans/b.cue"] and result.failing == 1
    assert [p.folder.name for p in result.packages] == ["plans", "sub"]


def test_exclude_applies_to_named_files_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".plancheck.toml", 'exclude = ["gen/", "*.gen.cue"]\n')
    write(tmp_path / "gen" / "a.cue", "a: (\n")
    write(tmp_path / "plans" / "x.gen.cue", "a: (\n")
    write(tmp_path / "plans" / "ok.cue", "a: 1\n")
    result = runner.run(["gen/a.cue", "plans"], runner.RunOptions(use_cache=False))
    assert result.diagnostics == [] and list(result.sources) == ["plans/ok.cue"]


def test_stdin_replaces_the_file_on_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "plans" / "a.cue", "a: (\n")
    write(tmp_path / "plans" / "b.cue", "b: 1\n")
    result = runner.run(["-"], runner.RunOptions(), stdin=Source("plans/a.cue", "a: 1\n"))
    assert result.diagnostics == [] and result.sources == {"plans/a.cue": "a: 1\n"}


def test_fail_on_comes_from_each_files_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "strict" / ".plancheck.toml", 'fail-on = "warning"\n')
    write(tmp_path / "strict" / "a.cue", "x: 4Ki\n")
    write(tmp_path / "lax" / "a.cue", "x: 4Ki\n")
    assert runner.run(["lax"], runner.RunOptions(use_cache=False)).failing == 0
    assert runner.run(["strict"], runner.RunOptions(use_cache=False)).failing == 1
    assert runner.run(["lax"], runner.RunOptions(use_cache=False, overrides=Overrides(fail_on=Severity.WARNING))).failing == 1


def test_statistics(fake_rules):
    text = 'a: "x" "y"\n'
    diags = [make_diag(P, text, '"x"', replace="1"), make_diag(P, text, '"y"'), make_diag(P, text, "a", "PLT007", severity=Severity.ERROR)]
    stats = runner.statistics(diags)
    assert [(s.code, s.count, s.fixable) for s in stats] == [("PLT002", 2, 1), ("PLT007", 1, 0)]


# -- cache -----------------------------------------------------------------------


def job(*texts: str, platform: str = "linux/amd64") -> CheckJob:
    return CheckJob(tuple(Source(f"p/{i}.cue", t) for i, t in enumerate(texts)), platform)


def test_cache_round_trip_and_keys(tmp_path, fake_rules):
    cache = Cache(tmp_path / "c")
    j = job("a: 1\n", "b: 2\n")
    text = "a: 1\n"
    d = make_diag("p/0.cue", text, "1", replace="2")
    assert cache.get(j) is None
    cache.put(j, CheckResult([d], []))
    assert cache.get(j).diagnostics == [d]
    assert cache.get(job("a: 1\n", "b: 3\n")) is None  # content changed
    assert cache.get(job("a: 1\n", "b: 2\n", platform="linux/arm64")) is None  # settings changed
    assert (tmp_path / "c" / "CACHEDIR.TAG").is_file() and (tmp_path / "c" / ".gitignore").read_text().endswith("*\n")


def test_cache_checks_dependencies(tmp_path):
    dep = write(tmp_path / "cue.mod" / "pkg" / "x.cue", "x: 1\n")
    missing = tmp_path / "cue.mod" / "usr" / "y.cue"
    cache = Cache(tmp_path / "c")
    j = job("a: 1\n")
    cache.put(j, CheckResult([], [str(dep), str(missing)]))
    assert cache.get(j) is not None
    dep.write_text("x: 2\n")
    assert cache.get(j) is None
    cache.put(j, CheckResult([], [str(dep), str(missing)]))
    write(missing, "y: 1\n")  # a file that did not exist appears: imports may now resolve
    assert cache.get(j) is None


def test_corrupt_cache_entries_are_ignored(tmp_path):
    cache = Cache(tmp_path / "c")
    j = job("a: 1\n")
    cache.put(j, CheckResult([], []))
    (entry,) = (tmp_path / "c").rglob("*.json")
    for garbage in ("{", "[]", '{"content": 1}', json.dumps({"content": cache._content(j), "dependencies": {}, "diagnostics": [{"c": 1}]})):
        entry.write_text(garbage)
        assert cache.get(j) is None
    cache.put(j, CheckResult([], []))
    assert cache.get(j) is not None
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary file left


def test_run_uses_the_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path / "a" / "x.cue", "a: (\n")
    write(tmp_path / "b" / "x.cue", "b: 1\n")
    first = runner.run(["."], runner.RunOptions())
    assert first.cache_hits == 0 and (tmp_path / ".plancheck_cache").is_dir()
    second = runner.run(["."], runner.RunOptions())
    assert second.cache_hits == 2 and second.diagnostics == first.diagnostics
    write(tmp_path / "b" / "x.cue", "b: (\n")
    third = runner.run(["."], runner.RunOptions())
    assert third.cache_hits == 1 and [d.path for d in third.diagnostics] == ["a/x.cue", "b/x.cue"]
    assert runner.run(["."], runner.RunOptions(use_cache=False)).cache_hits == 0


def test_project_root_markers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "repo" / "cue.mod" / "module.cue", 'module: "x"\n')
    write(tmp_path / "repo" / "plans" / "a.cue", "")
    assert project_root(tmp_path / "repo" / "plans" / "a.cue") == tmp_path / "repo"
    assert project_root(tmp_path / "nowhere") == tmp_path


# -- workers ---------------------------------------------------------------------


def test_parallel_results_equal_serial_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(12):
        write(tmp_path / f"p{i:02}" / "a.cue", f"package p\nx: {i} y: 2\n" if i % 3 else "package p\nx: 4Ki\n")
    serial = runner.run(["."], runner.RunOptions(use_cache=False, jobs=1))
    parallel = runner.run(["."], runner.RunOptions(use_cache=False, jobs=2))
    assert parallel.diagnostics == serial.diagnostics and len(serial.diagnostics) == 12


def test_effective_jobs():
    cpus = len(os.sched_getaffinity(0))
    assert effective_jobs(None, 10, 10) == 1  # few files: no workers
    assert effective_jobs(None, 5000, 2000) == cpus
    assert effective_jobs(0, 1, 50) == min(cpus, 50)
    assert effective_jobs(8, 100, 3) == 3


def test_cache_sees_changes_in_sibling_files(tmp_path, monkeypatch):
    """A sibling is read by the checker, not named: the cache must still notice it changed."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path / "plans" / "a.cue", "package p\n\nx: y\n")
    write(tmp_path / "plans" / "b.cue", "package p\n\ny: 1\n")
    assert runner.run(["plans/a.cue"], runner.RunOptions()).diagnostics == []
    assert runner.run(["plans/a.cue"], runner.RunOptions()).cache_hits == 1
    write(tmp_path / "plans" / "b.cue", "package p\n\nz: 1\n")
    third = runner.run(["plans/a.cue"], runner.RunOptions())
    assert third.cache_hits == 0 and [d.code for d in third.diagnostics] == ["CUE002"]


def test_a_cached_result_goes_stale_when_an_import_appears(tmp_path, monkeypatch):
    """CUE003 for an import of the module that does not exist yet: once the package
    is written, the cached result must not be used (nothing the plan reads changed)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "cue.mod" / "module.cue", 'module: "example.com/m"\n')
    write(tmp_path / "plans" / "main.cue", 'package main\n\nimport "example.com/m/lib"\n\nx: lib.y\n')
    options = runner.RunOptions(cache_dir=tmp_path / "cache")
    first = runner.run(["plans/main.cue"], options)
    assert "CUE003" in [d.code for d in first.diagnostics]
    assert runner.run(["plans/main.cue"], options).cache_hits == 1
    write(tmp_path / "lib" / "lib.cue", "package lib\n\ny: 1\n")
    after = runner.run(["plans/main.cue"], options)
    assert after.cache_hits == 0 and after.diagnostics == []


def test_a_batch_gives_each_package_its_own_result(tmp_path, monkeypatch):
    """Packages checked in one check_sources call get the diagnostics of their files and
    the dependencies in their folder (plus shared ones), the same as checked alone."""
    from plancheck.checker.parallel import batches, check_batch, check_job
    from plancheck.checker.sources import read

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a" / "main.cue", "package p\n\nx: y\nbad: 4Ki\n")
    write(tmp_path / "a" / "sibling.cue", "package p\n\ny: 1\n")
    write(tmp_path / "b" / "main.cue", "package p\n\nx: y\n")
    write(tmp_path / "c" / "main.cue", "package p\n\nx: (\n")
    jobs = [CheckJob((read(Path(f"{d}/main.cue")),), "linux/amd64") for d in "abc"]
    together = check_batch(jobs)
    alone = [check_job(j) for j in jobs]
    assert [r.diagnostics for r in together] == [r.diagnostics for r in alone]
    assert [[d.code for d in r.diagnostics] for r in together] == [["CUE006"], ["CUE002"], ["CUE001"]]
    files = [[Path(p).name for p in r.dependencies if os.path.isfile(p)] for r in together]
    assert files == [["sibling.cue"], [], []]
    # Paths looked for count too (a cue.mod or a sibling that appears later); no
    # result gets the other folders' own.
    assert str(tmp_path / "a") in together[0].dependencies and str(tmp_path / "a") not in together[1].dependencies
    assert str(tmp_path / ".dagger" / "env") in together[1].dependencies
    # Batches group equal settings only, and give every worker several.
    mixed = jobs + [CheckJob(jobs[0].sources, "linux/arm64")]
    assert batches(mixed, 1) == [[0, 1, 2], [3]]
    assert batches(jobs * 8, 2) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11], [12, 13, 14], [15, 16, 17], [18, 19, 20], [21, 22, 23]]
