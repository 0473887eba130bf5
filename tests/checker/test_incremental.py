"""Incremental re-checks give exactly the diagnostics of a whole check.

The main test edits plans at random (the edits people make: a platform
changed, a line typed, deleted, joined, indented, a declaration added, a name
renamed, a comment written, non-ASCII text) and compares, after every edit,
what :class:`IncrementalChecker` reports with what ``check_sources`` reports
for the same text. It also requires that most edits of a large plan are
checked incrementally, so it cannot pass by always falling back.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from plancheck.checker.check import CheckOptions, check_sources
from plancheck.checker.incremental import IncrementalChecker
from plancheck.checker.sources import Source
from plancheck.grammar import parse
from plancheck.grammar.parser import parse_range
from plancheck.grammar.span import Position

REPO = Path(__file__).resolve().parents[2]

PLATFORMS = ["linux/amd64", "linux/arm64", "linux/aarch64", "linux/arm/v7", "linux/arm", "linux/amd65", "darwin/arm64", "arm64"]


def plan(services: int) -> str:
    """A plan whose parts depend on each other: a constant with a platform mistake
    used by some pipelines, a definition, a pipeline loading another, an images map."""
    out = [
        "package main\n\nimport (\n\t\"alpha.dagger.io/dagger\"\n\t\"alpha.dagger.io/dagger/op\"\n)\n\n",
        "// Where images go.\nrepository: *\"registry.example.com/app\" | string @dagger(input)\n\n",
        "_armPlatform: \"linux/aarch64\"\n\n",
        "let goImage = \"golang:1.21-alpine\"\n\n",
        "#Build: {\n\tname: string\n\t#up: [\n\t\top.#FetchContainer & {ref: \"golang:1.21\", platform: \"linux/arm64\"},\n\t\top.#Exec & {args: [\"go\", \"build\", name]},\n\t]\n}\n\n",
    ]
    for i in range(services):
        platform = "_armPlatform" if i % 3 == 0 else f'"{PLATFORMS[i % 2]}"'
        image = "goImage" if i % 4 == 1 else '"golang:1.21-alpine"'
        out.append(
            f"// Service {i}.\nservice{i}: dagger.#Artifact & {{\n\t#up: [\n"
            f"\t\top.#FetchContainer & {{\n\t\t\tref:      {image}\n\t\t\tplatform: {platform}\n\t\t}},\n"
            f"\t\top.#Exec & {{\n\t\t\targs: [\"/bin/sh\", \"-c\", \"go build ./cmd/app{i}\"]\n\t\t\tdir:  \"/src\"\n\t\t}},\n"
            f"\t\top.#PushContainer & {{\n\t\t\tref: \"\\(repository)/svc{i}:1.0\"\n\t\t}},\n\t]\n}}\n\n"
        )
    out.append("built: #Build & {name: \"tool\"}\n\n")
    out.append("loader: #up: [op.#Load & {from: service1}, op.#Exec & {args: [\"true\"]}]\n\n")
    out.append(
        "release: #up: [\n\top.#PushContainer & {\n\t\tref: \"registry.example.com/app:1\"\n"
        "\t\timages: {\n\t\t\t\"linux/arm64\": service0\n\t\t\t\"linux/amd64\": service1\n\t\t}\n\t},\n]\n"
    )
    return "".join(out)


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    n = len(lines)
    kind = rng.randrange(13)
    i = rng.randrange(n)
    line = lines[i]
    if kind == 0 or kind == 1:  # a platform changed
        spots = [k for k, l in enumerate(lines) if "platform:" in l and '"' in l]
        if spots:
            k = rng.choice(spots)
            head, _, rest = lines[k].partition('"')
            _, _, tail = rest.partition('"')
            lines[k] = f'{head}"{rng.choice(PLATFORMS)}"{tail}'
    elif kind == 2:  # a character typed
        at = rng.randrange(len(line) + 1)
        lines[i] = line[:at] + rng.choice('abx{}[]":,/ \t#1') + line[at:]
    elif kind == 3 and line:  # a character deleted
        at = rng.randrange(len(line))
        lines[i] = line[:at] + line[at + 1 :]
    elif kind == 4:  # a line deleted
        del lines[i]
    elif kind == 5:  # a line duplicated
        lines.insert(i, line)
    elif kind == 6 and i + 1 < n:  # two lines joined
        lines[i : i + 2] = [line + lines[i + 1]]
    elif kind == 7:  # indented or unindented
        lines[i] = line[1:] if line.startswith("\t") else "\t" + line
    elif kind == 8:  # a comment written
        lines.insert(i, rng.choice(["// note", "\t// note é 日本", "// plancheck: ignore[PLT002]"]))
    elif kind == 9:  # a declaration added at a line start
        new = rng.choice([
            'extra: "x"',
            "copy: service1",
            '_armPlatform: "linux/arm64"',
            "repository: string",
            'late: #up: [op.#FetchContainer & {ref: "alpine", platform: "linux/aarch64"}]',
            "uses: undefinedName",
            'name: "café ☕"',
        ])  # fmt: skip
        starts = [k for k, l in enumerate(lines) if l == ""]
        k = rng.choice(starts) if starts else i
        lines[k:k] = ["", new]
    elif kind == 10:  # a name renamed
        old, new = rng.choice(
            [("repository", "repo"), ("service1", "service1x"), ("_armPlatform", "_arm"), ("op.#Exec", "op.#Exek"), ("goImage", "goImg")]
        )
        spots = [k for k, l in enumerate(lines) if old in l]
        if spots:
            k = rng.choice(spots)
            lines[k] = lines[k].replace(old, new, 1)
    elif kind == 11:  # a block of lines cut
        j = min(n, i + rng.randrange(1, 12))
        del lines[i:j]
    else:  # text pasted back: a copy of another line range somewhere else
        j = min(n, i + rng.randrange(1, 8))
        k = rng.randrange(n)
        lines[k:k] = lines[i:j]
    return "\n".join(lines)


class Package:
    def __init__(self, folder: Path, edited: str) -> None:
        self.folder = folder
        self.edited = str(folder / edited)
        self.texts = {str(p): p.read_text() for p in sorted(folder.glob("*.cue"))}

    def sources(self) -> list[Source]:
        return [Source(path, text) for path, text in self.texts.items()]

    def options(self) -> CheckOptions:
        return CheckOptions(overlays=dict(self.texts), include_siblings=False)


def run_edits(pkg: Package, rng: random.Random, edits: int) -> int:
    """Edit ``pkg`` ``edits`` times; after each edit both checks must agree. Returns
    how many edits were checked incrementally."""
    checker = IncrementalChecker()
    assert checker.check(pkg.sources(), pkg.options()).report.diagnostics == check_sources(pkg.sources(), pkg.options()).diagnostics
    partial = 0
    base = pkg.texts[pkg.edited]
    for step in range(edits):
        # Mistakes pile up, and get undone now and then.
        text = base if rng.random() < 0.3 else pkg.texts[pkg.edited]
        pkg.texts[pkg.edited] = mutate(text, rng)
        got = checker.check(pkg.sources(), pkg.options())
        want = check_sources(pkg.sources(), pkg.options()).diagnostics
        if got.report.diagnostics != want:
            detail = "\n".join(
                [f"- {d.code} {d.span} {d.message}" for d in want if d not in got.report.diagnostics]
                + [f"+ {d.code} {d.span} {d.message}" for d in got.report.diagnostics if d not in want]
            )
            pytest.fail(f"step {step} (partial={got.partial}) differs from a whole check:\n{detail}\n--- text ---\n{pkg.texts[pkg.edited]}")
        partial += got.partial
    return partial


def write(folder: Path, text: str, name: str = "main.cue") -> Path:
    (folder / "cue.mod").mkdir(parents=True, exist_ok=True)
    (folder / "cue.mod" / "module.cue").write_text('module: "example.com/inc"\n')
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_match_whole_checks(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    pkg = Package(write(tmp_path, plan(12)), "main.cue")
    partial = run_edits(pkg, rng, 40)
    # Random damage often needs a whole check (an unclosed bracket swallows
    # what follows); the comparison must still have seen incremental ones.
    assert partial >= 5, f"only {partial} of 40 edits were checked incrementally"


def test_everyday_edits_are_checked_incrementally(tmp_path: Path) -> None:
    """Platforms changed, comments written, names typed inside one pipeline."""
    rng = random.Random(11)
    pkg = Package(write(tmp_path, plan(24)), "main.cue")
    checker = IncrementalChecker()
    checker.check(pkg.sources(), pkg.options())
    partial = 0
    for step in range(30):
        lines = pkg.texts[pkg.edited].split("\n")
        kind = step % 3
        if kind == 0:
            spots = [k for k, l in enumerate(lines) if 'platform: "' in l]
            k = rng.choice(spots)
            lines[k] = lines[k].split('"')[0] + f'"{rng.choice(PLATFORMS)}"'
        elif kind == 1:
            spots = [k for k, l in enumerate(lines) if l.startswith("// Service")]
            lines.insert(rng.choice(spots) + 1, "// and a note")
        else:
            spots = [k for k, l in enumerate(lines) if "go build" in l]
            k = rng.choice(spots)
            lines[k] = lines[k].replace("go build", "go build -v", 1)
        pkg.texts[pkg.edited] = "\n".join(lines)
        got = checker.check(pkg.sources(), pkg.options())
        assert got.report.diagnostics == check_sources(pkg.sources(), pkg.options()).diagnostics, f"step {step}"
        partial += got.partial
    assert partial >= 27, f"only {partial} of 30 everyday edits were checked incrementally"


@pytest.mark.parametrize("example", ["multiarch-image", "fetch-sources", "go-service", "multi-file"])
def test_random_edits_of_the_examples(tmp_path: Path, example: str) -> None:
    folder = tmp_path / example
    shutil.copytree(REPO / "examples" / example, folder)
    run_edits(Package(folder, "main.cue"), random.Random(example), 25)


@pytest.mark.parametrize("fixture", ["platforms", "references", "schema", "suppression"])
def test_random_edits_of_bad_plans(tmp_path: Path, fixture: str) -> None:
    folder = tmp_path / fixture
    shutil.copytree(REPO / "tests" / "fixtures" / "bad_plans" / fixture, folder)
    run_edits(Package(folder, "main.cue"), random.Random(fixture), 25)


def test_a_file_of_a_multi_file_package(tmp_path: Path) -> None:
    write(tmp_path, plan(6))
    (tmp_path / "other.cue").write_text(
        'package main\n\nimport "alpha.dagger.io/dagger/op"\n\nmore: #up: [op.#FetchContainer & {ref: "alpine", platform: _armPlatform}]\n'
    )
    run_edits(Package(tmp_path, "main.cue"), random.Random(7), 30)


def check_twice(tmp_path: Path, before: str, after: str):
    pkg = Package(write(tmp_path, before), "main.cue")
    checker = IncrementalChecker()
    checker.check(pkg.sources(), pkg.options())
    pkg.texts[pkg.edited] = after
    got = checker.check(pkg.sources(), pkg.options())
    assert got.report.diagnostics == check_sources(pkg.sources(), pkg.options()).diagnostics
    return got


def test_an_edit_inside_one_pipeline_is_checked_incrementally(tmp_path: Path) -> None:
    before = plan(12)
    after = before.replace('platform: "linux/arm64"', 'platform: "linux/aarch64"', 1)
    got = check_twice(tmp_path, before, after)
    assert got.partial
    assert [d.code for d in got.report.diagnostics].count("PLT002") == 2  # the constant's and the new one


def test_a_diagnostic_in_a_constant_goes_with_its_last_user(tmp_path: Path) -> None:
    # PLT002 lies in `_p` but is found through `a`; once `a` no longer uses it, it goes.
    before = (
        'package main\n\nimport "alpha.dagger.io/dagger/op"\n\n_p: "linux/aarch64"\n\n'
        'a: #up: [op.#FetchContainer & {ref: "alpine", platform: _p}]\n\n'
        'b: #up: [op.#FetchContainer & {ref: "alpine", platform: "linux/arm64"}]\n'
    )
    after = before.replace("platform: _p", 'platform: "linux/amd64"')
    got = check_twice(tmp_path, before, after)
    assert got.report.diagnostics == []


def test_a_new_name_changes_the_suggestion_for_an_undefined_one_elsewhere(tmp_path: Path) -> None:
    filler = "".join(f"other{i}: {i}\n\n" for i in range(6))
    before = f"package main\n\nservicex: 1\n\n{filler}use: service\n"
    got = check_twice(tmp_path, before, before.replace("servicex:", "services:"))
    assert got.partial
    [d] = got.report.diagnostics
    assert 'did you mean "services"' in d.message


def test_removing_the_last_use_of_an_import(tmp_path: Path) -> None:
    before = 'package main\n\nimport "strings"\n\na: strings.ToUpper("x")\n\nb: 1\n'
    got = check_twice(tmp_path, before, before.replace('strings.ToUpper("x")', '"X"'))
    assert [d.code for d in got.report.diagnostics] == ["CUE004"]


def test_positions_after_non_ascii_text_and_moved_lines(tmp_path: Path) -> None:
    text = plan(16)
    pkg = Package(write(tmp_path, text), "main.cue")
    checker = IncrementalChecker()
    checker.check(pkg.sources(), pkg.options())
    # Non-ASCII text and a new line above, then an edit below: every later
    # diagnostic moves by a line and by more bytes than characters.
    edits = [
        text.replace("// Service 2.", "// Service 2: café ☕ 日本.\n// two lines now", 1),
    ]
    edits.append(edits[0].replace("go build ./cmd/app9", "go build -v ./cmd/app9", 1))
    for after in edits:
        pkg.texts[pkg.edited] = after
        got = checker.check(pkg.sources(), pkg.options())
        assert got.partial
        want = check_sources(pkg.sources(), pkg.options()).diagnostics
        assert got.report.diagnostics == want
        assert any(d.span.start.byte > d.span.start.offset for d in want)


@pytest.mark.parametrize("name", ["multiarch-image", "go-service", "fetch-sources"])
def test_parse_range_gives_the_declarations_of_the_whole_parse(name: str) -> None:
    text = (REPO / "examples" / name / "main.cue").read_text()
    whole = parse(text, "main.cue")
    assert whole.ok
    # Parse every top-level declaration on its own, where it stands, with the
    # comment lines right above it (its doc comment).
    lines = text.split("\n")
    for decl in whole.file.decls:
        start = decl.span.start
        assert start.column == 1
        line = start.line
        while line > 1 and lines[line - 2].startswith("//"):
            line -= 1
        offset = sum(len(l) + 1 for l in lines[: line - 1])
        at = Position(line, 1, offset, len(text[:offset].encode()))
        end = text.find("\n", decl.span.end.offset) + 1 or len(text)
        part = parse_range(text, at, end, "main.cue")
        assert part.ok, part.errors
        assert len(part.file.decls) == 1
        assert dump(part.file.decls[0]) == dump(decl)


def dump(node) -> object:
    """A node's fields, spans included, as plain data."""
    if isinstance(node, tuple) and not hasattr(node, "_fields"):
        return tuple(dump(x) for x in node)
    slots = getattr(type(node), "__dataclass_fields__", None)
    if slots is None:
        return node
    return (type(node).__name__,) + tuple((name, dump(getattr(node, name))) for name in slots)


def test_a_declaration_running_past_its_range_is_an_error() -> None:
    text = 'package a\n\nx: """\nfoo: 1\n"""\n'
    start = Position(3, 1, text.index("x:"), text.index("x:"))
    part = parse_range(text, start, text.index("foo"), "a.cue")
    assert not part.ok
