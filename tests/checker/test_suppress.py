"""Suppression comments: where they apply, what they cannot hide, and SUP001 with its fixes."""

from __future__ import annotations

import pytest
from checker_factories import make_diag

from plancheck.checker import suppress
from plancheck.checker.diagnostics import Severity
from plancheck.checker.fixes import apply_fixes

P = "plans/app.cue"


def run(text: str, *diags):
    return suppress.apply(list(diags), {P: text})


def codes(found):
    return [(d.code, d.span.start.line) for d in found]


def test_end_of_line_suppression(fake_rules):
    text = 'a: "linux/aarch64" // plancheck: ignore[PLT002]\nb: "linux/aarch64"\n'
    found = run(text, make_diag(P, text, "linux/aarch64"), make_diag(P, text, "linux/aarch64", nth=1))
    assert codes(found) == [("PLT002", 2)]


def test_comment_line_above_applies_to_the_next_code_line(fake_rules):
    text = (
        "// plancheck: ignore[PLT002]\n"
        "// plancheck: ignore[PLT007] stacked, with a reason\n"
        "\n"
        "// an ordinary comment\n"
        'a: "linux/aarch64"\n'
        'b: "linux/aarch64"\n'
    )
    found = run(
        text,
        make_diag(P, text, "linux/aarch64"),
        make_diag(P, text, "linux/aarch64", "PLT007", "key does not match"),
        make_diag(P, text, "linux/aarch64", nth=1),
    )
    assert codes(found) == [("PLT002", 6)]


def test_several_codes_and_blanket(fake_rules):
    text = 'a: "x" // plancheck: ignore[PLT002, PLT007]\nb: "x" // plancheck: ignore\n'
    found = run(
        text,
        make_diag(P, text, '"x"', "PLT002"),
        make_diag(P, text, '"x"', "PLT007"),
        make_diag(P, text, '"x"', "PLT003", nth=1),
        make_diag(P, text, '"x"', "SCH001", nth=1),
    )
    assert found == []


def test_file_ignore_anywhere(fake_rules):
    text = 'a: "x"\nb: "y"\n// plancheck: file-ignore[PLT002]\n'
    found = run(text, make_diag(P, text, '"x"'), make_diag(P, text, '"y"'), make_diag(P, text, '"y"', "PLT007"))
    assert codes(found) == [("PLT007", 2)]


def test_syntax_errors_cannot_be_suppressed(fake_rules):
    text = "a: ( // plancheck: ignore[CUE001]\n"
    found = run(text, make_diag(P, text, "(", "CUE001", "unexpected '('", severity=Severity.ERROR))
    assert sorted(codes(found)) == [("CUE001", 1), ("SUP001", 1)]
    sup = next(d for d in found if d.code == "SUP001")
    assert sup.message == "unused suppression (cannot be suppressed: CUE001)"


def test_a_comment_inside_a_string_is_not_a_suppression(fake_rules):
    text = 'a: "// plancheck: ignore[PLT002]"\n'
    found = run(text, make_diag(P, text, "a"))
    assert codes(found) == [("PLT002", 1)]


def test_unused_unknown_and_duplicate_codes(fake_rules):
    text = 'a: "x" // plancheck: ignore[PLT002, PLX001, PLT007, PLT002]\n'
    found = run(text, make_diag(P, text, '"x"', "PLT002"))
    (sup,) = found
    assert sup.code == "SUP001" and sup.severity is Severity.WARNING
    assert sup.message == "unused suppression (unused: PLT007, PLT002; unknown: PLX001)"
    fixed, _ = apply_fixes(text, [sup])
    assert fixed == 'a: "x" // plancheck: ignore[PLT002]\n'
    assert run(fixed, make_diag(P, fixed, '"x"', "PLT002")) == []


@pytest.mark.parametrize(
    "text, fixed",
    [
        ('a: 1 // plancheck: ignore[PLT002]\nb: 2\n', "a: 1\nb: 2\n"),
        ('a: 1\n\t// plancheck: ignore[PLT002]\nb: 2\n', "a: 1\nb: 2\n"),
        ('a: 1\t// plancheck: ignore   because\n', "a: 1\n"),
        ('a: 1\n// plancheck: file-ignore[PLT002]', "a: 1\n"),
        ('// plancheck: ignore[PLT002]\n', ""),
    ],
)
def test_unused_suppression_is_removed_whole(fake_rules, text, fixed):
    (sup,) = run(text)
    assert sup.code == "SUP001" and sup.fix is not None and sup.fix.applicability.value == "safe"
    assert "unnecessary" in sup.tags
    new, _ = apply_fixes(text, [sup])
    assert new == fixed
    assert run(new) == []  # fixing twice changes nothing


@pytest.mark.parametrize(
    "comment, message",
    [
        ("// plancheck: ignore PLT002", "invalid suppression comment"),  # a bare word after ignore is a reason only after a space...
        ("// plancheck: ignor[PLT002]", "found 'ignor'"),
        ("// plancheck: file-ignore", "'file-ignore' needs the codes"),
        ("// plancheck: ignore[PLT002", "missing ']'"),
        ("// plancheck: ignore[]", "no codes between"),
        ("// plancheck: ignore[PLT002,,PLT003]", "empty code"),
        ("// plancheck: ignore[linux/arm64]", "'linux/arm64' is not a rule code"),
        ("// plancheck: ignore:PLT002", "invalid suppression comment"),
    ],
)
def test_invalid_suppression_comments_are_reported_without_fix(fake_rules, comment, message):
    text = f"a: 1 {comment}\n"
    found = run(text, make_diag(P, text, "1"))
    sups = [d for d in found if d.code == "SUP001"]
    if comment == "// plancheck: ignore PLT002":
        # "ignore" followed by a space is a blanket suppression with a reason.
        assert sups == [] and codes(found) == []
        return
    assert len(sups) == 1 and message in sups[0].message and sups[0].fix is None
    assert ("PLT002", 1) in codes(found)  # an invalid comment suppresses nothing


def test_unused_codes_are_not_reported_in_a_file_with_syntax_errors(fake_rules):
    text = 'a: "x" // plancheck: ignore[PLT002, NOPE01]\nb: )\n'
    found = run(text, make_diag(P, text, ")", "CUE001", "unexpected ')'", severity=Severity.ERROR))
    sup = [d for d in found if d.code == "SUP001"]
    assert [d.message for d in sup] == ["unused suppression (unknown: NOPE01)"]


def test_sup001_can_itself_be_suppressed_but_not_by_its_own_comment(fake_rules):
    text = "// plancheck: file-ignore[SUP001]\na: 1 // plancheck: ignore[PLT002]\n"
    assert run(text) == []
    text = "a: 1 // plancheck: ignore\n"
    assert [d.code for d in run(text)] == ["SUP001"]


def test_suppression_with_no_code_line_after_it(fake_rules):
    text = "a: 1\n// plancheck: ignore\n\n"
    (sup,) = run(text)
    assert sup.message == "unused blanket suppression: nothing is reported on the lines after it"


def test_diagnostics_of_other_files_pass_unchanged(fake_rules):
    text = "a: 1 // plancheck: ignore[PLT002]\n"
    other = make_diag("plans/other.cue", text, "1")
    found = suppress.apply([other, make_diag(P, text, "1")], {P: text})
    assert found == [other]


def test_files_without_the_word_are_not_scanned():
    assert suppress.scan(P, "a: 1 // plain\n").directives == ()
