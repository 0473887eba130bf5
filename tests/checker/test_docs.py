"""The rule documentation is generated from the rule modules and its examples are true.

Like actionlint's check of docs/checks.md: for every rule, the first ``cue``
block under ``## Example`` must produce the rule's code, and the block after
``Use instead:`` must not. Each example is checked as one file of its own
package, through the same pipeline as the CLI (suppression comments included).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plancheck.checker import docs, rules
from plancheck.checker.config import Settings
from plancheck.checker.run import lint
from plancheck.checker.sources import Source

ROOT = Path(__file__).resolve().parents[2]


def test_generated_rule_pages_are_current():
    stale = docs.stale(ROOT / "docs" / "rules")
    assert stale == [], f"docs/rules is out of date ({', '.join(stale)}): run python -m plancheck.checker.docs"


def test_every_page_names_its_rule_and_the_catalogue_lists_it():
    catalogue = docs.catalogue()
    for info in rules.all_rules():
        page = docs.rule_page(info.code)
        assert page.startswith(f"# {info.code} {info.name}\n\n**{info.severity.value}**")
        assert f"[{info.code}]({info.code}.md)" in catalogue


def codes_found(text: str, tmp_path: Path) -> list[str]:
    return [d.code for d in lint([Source("example.cue", text)], Settings(root=tmp_path))]


@pytest.mark.parametrize("code", rules.codes())
def test_documented_example_is_reported_and_the_fix_is_not(code, tmp_path):
    example = docs.examples(rules.doc(code))
    assert example.bad is not None, f"{code}: the doc has no ```cue block under '## Example'"
    assert example.good is not None, f"{code}: the doc has no ```cue block after 'Use instead:'"
    found = codes_found(example.bad, tmp_path)
    assert code in found, f"{code}: the example is not reported (found {found})"
    found = codes_found(example.good, tmp_path)
    assert code not in found, f"{code}: the corrected example is still reported"


def test_examples_are_read_from_the_right_sections():
    doc = "# X\n\n## What it does\n```cue\nnot: this\n```\n## Example\ntext\n```cue\nbad: 1\n```\nUse instead:\n```cue\ngood: 1\n```\n## Notes\n```cue\nn: 1\n```\n"
    assert docs.examples(doc) == docs.Example("bad: 1\n", "good: 1\n")
    assert docs.examples("# X\n## Why\n") == docs.Example(None, None)


def test_generator_writes_and_checks(tmp_path):
    assert docs.main(["--check", str(tmp_path)]) == 1
    assert docs.main([str(tmp_path)]) == 0
    assert docs.main(["--check", str(tmp_path)]) == 0
    (tmp_path / "GONE001.md").write_text("# GONE001 old\n\n" + docs.GENERATED + "\n")
    (tmp_path / "notes.md").write_text("# hand written\n")
    assert docs.stale(tmp_path) == ["GONE001.md"]
    docs.write(tmp_path)
    assert not (tmp_path / "GONE001.md").exists() and (tmp_path / "notes.md").exists()
