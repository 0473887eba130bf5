"""Applying fixes: overlap resolution, rounds, idempotence, never an unparsable file, atomic writes."""

from __future__ import annotations

import os
import re
import stat
from itertools import permutations

import pytest
from checker_factories import make_diag

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.fixes import WriteError, apply_fixes, fix_package, unified_diff, write_atomic
from plancheck.grammar.span import LineIndex

P = "plans/app.cue"


def fake_lint(texts):
    """Stand-in rules with fixes: PLT002 (alias spelling, inner word), PLT007 (whole string), PLT003 (list)."""
    out = []
    for path, text in texts.items():
        index = LineIndex(text)
        for m in re.finditer(r"aarch64", text):
            span = index.span(m.start(), m.end())
            out.append(Diagnostic("PLT002", Severity.WARNING, path, span, "alias", Fix(Applicability.SAFE, "use arm64", (Edit(span, "arm64"),))))
        for m in re.finditer(r'"linux/aarch64"', text):
            span = index.span(m.start(), m.end())
            out.append(Diagnostic("PLT007", Severity.ERROR, path, span, "whole", Fix(Applicability.SAFE, "canonical", (Edit(span, '"linux/arm64"'),))))
        # Only possible once the platform is canonical: depends on another fix.
        for m in re.finditer(r'platforms: \["(linux/arm64)"\]', text):
            span = index.span(m.start(), m.end())
            out.append(Diagnostic("PLT003", Severity.WARNING, path, span, "list", Fix(Applicability.SAFE, "platform", (Edit(span, f'platform: "{m.group(1)}"'),))))
        for m in re.finditer(r"unsafe-here", text):
            span = index.span(m.start(), m.end())
            out.append(Diagnostic("SCH001", Severity.ERROR, path, span, "unsafe", Fix(Applicability.UNSAFE, "drop", (Edit(span, "ok"),))))
        if "a: (" in text:
            at = text.index("(")
            out.append(Diagnostic("CUE001", Severity.ERROR, path, index.span(at, at + 1), "syntax"))
    return sorted(out, key=Diagnostic.sort_key)


def fix(texts, unsafe=False, targets=None, lint=fake_lint, **kw):
    return fix_package(texts, lint(texts), lint, targets=targets or list(texts), unsafe=unsafe, **kw)


def test_non_overlapping_fixes_apply_together():
    text = 'a: "linux/aarch64"\nb: "linux/aarch64"\n'
    diags = [make_diag(P, text, "aarch64", replace="arm64"), make_diag(P, text, "aarch64", replace="arm64", nth=1)]
    new, fixed = apply_fixes(text, diags)
    assert new == 'a: "linux/arm64"\nb: "linux/arm64"\n' and len(fixed) == 2


def test_overlap_resolution_does_not_depend_on_input_order():
    text = 'a: "linux/aarch64"\n'
    diags = [
        make_diag(P, text, '"linux/aarch64"', "PLT007", replace='"linux/arm64"'),
        make_diag(P, text, "aarch64", "PLT002", replace="arm64"),
        make_diag(P, text, "linux", "PLT003", replace="LINUX"),
    ]
    results = {apply_fixes(text, list(order))[0] for order in permutations(diags)}
    assert results == {'a: "linux/arm64"\n'}  # the fix that starts first wins


def test_a_fix_applies_all_its_edits_or_none():
    text = "a: 1\nb: 2\n"
    index = LineIndex(text)
    two = Diagnostic("PLT003", Severity.WARNING, P, index.span(0, 1), "m", Fix(Applicability.SAFE, "x", (Edit(index.span(0, 1), "A"), Edit(index.span(5, 6), "B"))))
    blocker = Diagnostic("PLT002", Severity.WARNING, P, index.span(5, 9), "m", Fix(Applicability.SAFE, "y", (Edit(index.span(3, 4), "9"), Edit(index.span(5, 9), "b: 3"))))
    new, fixed = apply_fixes(text, [blocker, two])
    assert fixed == [two] and new == "A: 1\nB: 2\n"


def test_two_insertions_at_one_point_are_not_both_applied():
    text = "a: 1\n"
    index = LineIndex(text)
    ins = [Diagnostic(c, Severity.WARNING, P, index.span(0, 0), "m", Fix(Applicability.SAFE, c, (Edit(index.span(0, 0), c),))) for c in ("X", "Y")]
    new, fixed = apply_fixes(text, ins)
    assert new == "Xa: 1\n" and len(fixed) == 1


def test_rounds_converge_dependent_and_conflicting_fixes():
    texts = {P: 'b: platforms: ["linux/aarch64"]\nc: "linux/aarch64"\n'}
    out = fix(texts)
    assert out.changed == {P: 'b: platform: "linux/arm64"\nc: "linux/arm64"\n'}
    assert out.converged and out.diagnostics == []
    assert out.fixed[P] == {"PLT007": 2, "PLT003": 1}
    assert out.count == 3
    again = fix(out.changed)  # a second run changes nothing
    assert again.changed == {} and again.count == 0


def test_unsafe_fixes_only_when_asked():
    texts = {P: "x: unsafe-here\n"}
    assert fix(texts).changed == {}
    assert fix(texts, unsafe=True).changed == {P: "x: ok\n"}


def test_only_targets_are_fixed():
    texts = {P: 'a: "linux/aarch64"\n', "plans/sibling.cue": 'a: "linux/aarch64"\n'}
    assert set(fix(texts, targets=[P]).changed) == {P}


def test_a_file_with_syntax_errors_is_not_fixed():
    out = fix({P: 'a: (\nb: "linux/aarch64"\n'})
    assert out.changed == {} and out.skipped == {P: "it has syntax errors"}


def test_a_fix_that_breaks_the_syntax_leaves_the_file_unchanged():
    text = "a: 1\nb: 2\n"
    index = LineIndex(text)

    def lint(texts):
        t = texts[P]
        if t.count("\n") == 2 and "{" not in t:
            return [Diagnostic("PLT002", Severity.WARNING, P, index.span(5, 6), "m", Fix(Applicability.SAFE, "x", (Edit(index.span(5, 6), "{"),)))]
        return []

    out = fix_package({P: text}, lint({P: text}), lint, targets=[P])
    assert out.changed == {} and out.skipped == {P: "the fixed text would not parse"} and out.count == 0


def test_fixes_that_undo_each_other_stop():
    def lint(texts):
        t = texts[P]
        index = LineIndex(t)
        word, other = ("alpha", "omega") if "alpha" in t else ("omega", "alpha")
        at = t.index(word)
        span = index.span(at, at + 5)
        return [Diagnostic("PLT002", Severity.WARNING, P, span, "m", Fix(Applicability.SAFE, "x", (Edit(span, other),)))]

    out = fix_package({P: "a: alpha\n"}, lint({P: "a: alpha\n"}), lint, targets=[P], max_rounds=50)
    assert not out.converged


def test_write_atomic_keeps_mode_and_symlinks(tmp_path):
    target = tmp_path / "real.cue"
    target.write_text("a: 1\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.cue"
    link.symlink_to(target)
    write_atomic(link, "a: 2\n", expected="a: 1\n")
    assert link.is_symlink() and target.read_text() == "a: 2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.cue", "real.cue"]  # no temp file left


def test_write_atomic_refuses_a_file_changed_meanwhile(tmp_path):
    path = tmp_path / "a.cue"
    path.write_text("a: 3\n")
    with pytest.raises(WriteError, match="changed on disk"):
        write_atomic(path, "a: 2\n", expected="a: 1\n")
    assert path.read_text() == "a: 3\n"


def test_unified_diff_marks_a_missing_final_newline():
    diff = unified_diff(P, "a: 1", "a: 2")
    assert diff.splitlines() == [f"--- {P}", f"+++ {P}", "@@ -1 +1 @@", "-a: 1", "\\ No newline at end of file", "+a: 2", "\\ No newline at end of file"]
