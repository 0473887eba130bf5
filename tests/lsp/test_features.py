"""The pieces of the language server, without a server: buffers, settings, publishing,
scheduling and every feature function on in-memory documents."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lsprotocol import types

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity
from plancheck.grammar.format import format_text
from plancheck.grammar.span import LineIndex
from plancheck.lsp.analysis import (
    CheckedPackage,
    FeatureContext,
    ParseCache,
    PackageSnapshot,
    PublishedDiagnostics,
    check_package,
    make_context,
    snapshot_package,
)
from plancheck.lsp.documents import TextDocument, choose_encoding, path_to_uri
from plancheck.lsp.features.code_actions import FIX_ALL_KIND, code_actions
from plancheck.lsp.features.completion import completion
from plancheck.lsp.features.definition import definition
from plancheck.lsp.features.diagnostics import to_lsp
from plancheck.lsp.features.folding import folding_ranges
from plancheck.lsp.features.formatting import format_document
from plancheck.lsp.features.hover import hover
from plancheck.lsp.features.symbols import document_symbols
from plancheck.lsp.scheduler import CheckScheduler
from plancheck.lsp.schema import load_schema
from plancheck.lsp.settings import Settings

from lsp_helpers import apply_edits, plan, position


def context(path: Path, text: str, check: bool = True, encoding: str = "utf-16") -> FeatureContext:
    document = TextDocument(path.as_uri(), text, 1)
    overlays = {document.path: text}
    checked = None
    if check:
        checked = check_package(snapshot_package(document.folder, [document], overlays), Settings())
    return make_context(document, [document], overlays, ParseCache(), encoding, checked)


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "cue.mod").mkdir()
    (tmp_path / "cue.mod" / "module.cue").write_text('module: "example.com/app"\n')
    (tmp_path / "lib" / "build").mkdir(parents=True)
    (tmp_path / "lib" / "build" / "build.cue").write_text(
        'package build\n\n// #Image builds an image.\n#Image: {\n\tname: string\n}\n_hidden: 1\n'
    )
    (tmp_path / "plan").mkdir()
    return tmp_path


FETCH = plan(
    """base: dagger.#Artifact & {
	#up: [
		op.#FetchContainer & {
			ref:      "alpine:3.15"
			platform: "linux/aarch64"
		},
	]
}
"""
)


def labels(result: types.CompletionList) -> list[str]:
    return [item.label for item in result.items]


# ---------------------------------------------------------------------------
# Buffers and encodings


def test_incremental_changes_are_applied_in_client_units() -> None:
    doc = TextDocument("file:///x.cue", 'a: "é🚀x"\nb: 1\n', 1)
    # Replace the "x" after the emoji: UTF-16 counts the emoji as two units.
    start = types.Position(line=0, character=7)
    change = types.TextDocumentContentChangePartial(range=types.Range(start=start, end=types.Position(line=0, character=8)), text="y")
    assert doc.apply([change], 2, "utf-16").text == 'a: "é🚀y"\nb: 1\n'
    start8 = types.Position(line=0, character=10)
    change8 = types.TextDocumentContentChangePartial(range=types.Range(start=start8, end=types.Position(line=0, character=11)), text="z")
    assert doc.apply([change8], 2, "utf-8").text == 'a: "é🚀z"\nb: 1\n'
    change32 = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=0, character=6), end=types.Position(line=0, character=7)), text="w"
    )
    assert doc.apply([change32], 2, "utf-32").text == 'a: "é🚀w"\nb: 1\n'


def test_changes_apply_in_order_and_positions_are_clamped() -> None:
    doc = TextDocument("file:///x.cue", "a: 1\n", 1)
    first = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=0, character=3), end=types.Position(line=0, character=4)), text="22"
    )
    # Refers to the text after the first change.
    second = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=0, character=5), end=types.Position(line=0, character=5)), text="3"
    )
    far = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=50, character=9), end=types.Position(line=40, character=0)), text="!"
    )
    result = doc.apply([first, second, far], 4, "utf-16")
    assert result.text == "a: 223\n!" and result.version == 4
    whole = types.TextDocumentContentChangeWholeDocument(text="b: 2\n")
    assert doc.apply([whole], 2, "utf-16").text == "b: 2\n"


def test_encoding_negotiation_prefers_the_clients_first_supported_choice() -> None:
    assert choose_encoding(None) == "utf-16"
    assert choose_encoding(["utf-32", "utf-8"]) == "utf-32"
    assert choose_encoding(["latin-1", "utf-8"]) == "utf-8"
    assert choose_encoding(["latin-1"]) == "utf-16"


def test_incremental_checks_can_be_turned_off() -> None:
    assert Settings().incremental
    off, warnings = Settings().merged({"incremental": False})
    assert not off.incremental and warnings == []
    same, warnings = off.merged({"incremental": "no"})
    assert same == off and warnings == ["plancheck.incremental must be true or false"]
    from plancheck.lsp.session import Session

    session = Session(publish=lambda p: None, log_message=lambda k, m: None, check_executor=None, settings=off)
    assert session._incremental("/p") is None
    assert Session(publish=lambda p: None, log_message=lambda k, m: None, check_executor=None)._incremental("/p") is not None


def test_settings_ignore_bad_values_with_a_warning() -> None:
    settings, warnings = Settings().merged({"defaultPlatform": "Linux/AArch64", "debounceMs": 10})
    assert settings == Settings(default_platform="linux/arm64", debounce_ms=10) and warnings == []
    same, warnings = settings.merged({"defaultPlatform": "linux/arm65", "debounceMs": "fast"})
    assert same == settings and len(warnings) == 2
    assert Settings().merged(None) == (Settings(), [])
    cleared, _ = settings.merged({"defaultPlatform": ""})
    assert cleared.default_platform is None


# ---------------------------------------------------------------------------
# Publishing and scheduling


def _checked(folder: str, docs: list[TextDocument], diagnostics: list[Diagnostic]) -> CheckedPackage:
    from plancheck.checker.check import Report

    return CheckedPackage(PackageSnapshot(folder, tuple(docs), {}), diagnostics, Report(), 0.0)


def _diag(path: str, text: str, code: str = "PLT002") -> Diagnostic:
    index = LineIndex(text)
    return Diagnostic(code, Severity.WARNING, path, index.span(0, 1), "bad")


def test_publishing_clears_stale_diagnostics_and_skips_unchanged_files(tmp_path: Path) -> None:
    folder = str(tmp_path)
    a = TextDocument(path_to_uri(str(tmp_path / "a.cue")), "a: 1\n", 1)
    b = TextDocument(path_to_uri(str(tmp_path / "b.cue")), "b: 1\n", None)
    state = PublishedDiagnostics()

    def convert(diagnostic: Diagnostic, document: TextDocument) -> types.Diagnostic:
        return to_lsp(diagnostic, document, "utf-16")

    first = state.plan(_checked(folder, [a, b], [_diag(b.path, b.text)]), convert)
    assert [(p.uri, p.version, len(p.diagnostics)) for p in first] == [(a.uri, 1, 0), (b.uri, None, 1)]
    a2 = TextDocument(a.uri, "a: 2\n", 2)
    second = state.plan(_checked(folder, [a2, b], [_diag(b.path, b.text)]), convert)
    assert [(p.uri, p.version) for p in second] == [(a.uri, 2)]  # b did not change
    third = state.plan(_checked(folder, [a2], []), convert)  # b.cue was deleted
    assert [(p.uri, len(p.diagnostics)) for p in third] == [(b.uri, 0)]
    assert [p.uri for p in state.clear_folder(folder)] == []


async def test_a_newer_request_supersedes_older_checks() -> None:
    started = threading.Event()
    release = threading.Event()
    published: list[int] = []
    calls: list[int] = []

    def check(snapshot: int) -> int:
        calls.append(snapshot)
        if snapshot == 1:
            started.set()
            release.wait(10)
        return snapshot

    counter = iter(range(1, 100))
    with ThreadPoolExecutor(1) as executor:
        scheduler: CheckScheduler[int, int] = CheckScheduler(
            snapshot=lambda key: next(counter),
            check=check,
            publish=published.append,
            on_error=lambda key, exc: pytest.fail(str(exc)),
            executor=executor,
        )
        scheduler.schedule("pkg", 0)
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        # While check 1 runs, two more changes arrive; the first of them never starts.
        scheduler.schedule("pkg", 0.05)
        scheduler.schedule("pkg", 0.05)
        release.set()
        deadline = asyncio.get_running_loop().time() + 10
        while scheduler.pending() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
    assert published == [2]
    assert calls == [1, 2]


async def test_a_failed_check_is_reported_not_raised() -> None:
    errors: list[str] = []

    def check(snapshot: int) -> int:
        raise ValueError("boom")

    with ThreadPoolExecutor(1) as executor:
        scheduler: CheckScheduler[int, int] = CheckScheduler(
            snapshot=lambda key: 1, check=check, publish=lambda r: None,
            on_error=lambda key, exc: errors.append(f"{key}: {exc}"), executor=executor,
        )  # fmt: skip
        scheduler.schedule("pkg", 0)
        while scheduler.pending():
            await asyncio.sleep(0.01)
    assert errors == ["pkg: boom"]


# ---------------------------------------------------------------------------
# Diagnostics


def test_diagnostics_carry_links_tags_and_related_locations(tmp_path: Path) -> None:
    text = 'import "strings"\na: 1\n'
    other = tmp_path / "b.cue"
    other.write_text("x: 1\n")
    doc = TextDocument(path_to_uri(str(tmp_path / "a.cue")), text, 3)
    index = LineIndex(text)
    related = Related(str(other), LineIndex("x: 1\n").span(0, 1), "declared here")
    unused = Diagnostic("CUE004", Severity.ERROR, doc.path, index.span(7, 16), "import not used", related=(related,))
    converted = to_lsp(unused, doc, "utf-16", lambda path: TextDocument(path_to_uri(path), other.read_text()))
    assert converted.tags == [types.DiagnosticTag.Unnecessary]
    assert converted.code_description.href.endswith("/CUE004")
    assert converted.related_information[0].location.uri == other.as_uri()
    assert converted.range == types.Range(start=types.Position(line=0, character=7), end=types.Position(line=0, character=16))
    odd = Diagnostic("XYZ999", Severity.INFO, doc.path, index.span(0, 1), "?", tags=("deprecated",))
    converted = to_lsp(odd, doc, "utf-16")
    assert converted.code_description is None and converted.tags == [types.DiagnosticTag.Deprecated]
    assert converted.severity == types.DiagnosticSeverity.Information


# ---------------------------------------------------------------------------
# Completion


def test_completion_after_op_hash_and_dagger_hash(module: Path) -> None:
    text = FETCH.replace("op.#FetchContainer & {", "op.#Fe & {")
    ctx = context(module / "plan" / "main.cue", text, check=False)
    result = completion(ctx, position(text, "op.#Fe", 6))
    ops = labels(result)
    assert ops[0] == "#Op" and "#FetchContainer" in ops and len(ops) == 17
    item = next(i for i in result.items if i.label == "#FetchContainer")
    assert item.text_edit.range.start == position(text, "#Fe") and item.text_edit.new_text == "#FetchContainer"
    text = FETCH.replace("dagger.#Artifact", "dagger.#")
    ctx = context(module / "plan" / "main.cue", text, check=False)
    assert set(labels(completion(ctx, position(text, "dagger.#", 8)))) == {"#Artifact", "#Secret", "#Stream", "#Input", "#Output"}


def test_completion_of_op_fields_through_a_reference(module: Path) -> None:
    text = plan('#Build: op.#DockerBuild\nimage: #up: [#Build & {\n\tdockerfile: "FROM x"\n\t\n}]\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    result = completion(ctx, position(text, '"FROM x"\n\t', 10))
    names = labels(result)
    assert "dockerfile" not in names and {"context", "platform", "buildArg", "target"} <= set(names)
    assert next(i for i in result.items if i.label == "platform").text_edit.new_text == "platform: "


def test_completion_of_do_values_and_unquoted_platforms(module: Path) -> None:
    text = plan('x: #up: [{do: }]\ny: #up: [op.#FetchContainer & {ref: "a", platform: }]\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    do = completion(ctx, position(text, "do: ", 4))
    assert '"exec"' in [i.text_edit.new_text for i in do.items] and "fetch-container" in labels(do)
    platform = completion(ctx, position(text, "platform: ", 10))
    assert platform.items[0].text_edit.new_text == '"linux/amd64"'


def test_completion_of_platforms_in_arch_lists_and_image_keys(module: Path) -> None:
    text = plan('a: op.#FetchContainer & {ref: "x", arch: "arm"}\nb: op.#DockerBuild & {platforms: ["linux/a"]}\nc: op.#PushContainer & {ref: "r", images: {\n\t"win"\n}}\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    arch = labels(completion(ctx, position(text, '"arm"', 4)))
    assert arch[:2] == ["linux/arm64", "linux/arm/v7"]
    listed = labels(completion(ctx, position(text, '"linux/a"', 8)))
    assert "linux/amd64" in listed and "linux/arm64" in listed
    keys = labels(completion(ctx, position(text, '"win"', 4)))
    assert keys and all(k.startswith("windows") for k in keys)


def test_completion_of_aliases_keeps_them_visible_to_the_editor_filter(module: Path) -> None:
    text = FETCH.replace("linux/aarch64", "linux/aarch")
    ctx = context(module / "plan" / "main.cue", text, check=False)
    result = completion(ctx, position(text, "linux/aarch", 11))
    arm = next(i for i in result.items if i.label == "linux/arm64")
    assert arm.filter_text == "linux/aarch"


def test_completion_of_import_paths(module: Path) -> None:
    text = 'package main\n\nimport (\n\t"ex"\n)\n'
    ctx = context(module / "plan" / "main.cue", text, check=False)
    paths = labels(completion(ctx, position(text, '"ex"', 3)))
    assert "alpha.dagger.io/dagger/op" in paths and "example.com/app/lib/build" in paths
    assert "example.com/app/plan" not in paths  # a package does not import itself


def test_completion_of_names_in_scope_and_members(module: Path) -> None:
    text = plan(
        'import b "example.com/app/lib/build"\n'.replace("import", "// no second import block\nlet tag = \"1\"\n_tmp: 1\n#Cfg: {port: 1, host: \"h\"}\nuse: #Cfg.\nimg: b.\nx: \n")
    )
    text = text.replace('import (\n', 'import (\n\tb "example.com/app/lib/build"\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    scope = labels(completion(ctx, position(text, "x: ", 3)))
    assert {"tag", "_tmp", "#Cfg", "use", "b", "op", "dagger"} <= set(scope)
    assert labels(completion(ctx, position(text, "#Cfg.", 5))) == ["host", "port"]
    assert labels(completion(ctx, position(text, "b.\n", 2))) == ["#Image"]


# ---------------------------------------------------------------------------
# Hover and definition


def test_hover_explains_invalid_platforms_and_references(module: Path) -> None:
    text = plan('// The tag of every image.\nlet tag = "1.0"\nversion: tag\nbad: op.#FetchContainer & {ref: "x", platform: "linux/arm65"}\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    invalid = hover(ctx, position(text, "arm65", 1))
    assert invalid.contents.value.startswith("**invalid platform** `linux/arm65`")
    ref = hover(ctx, position(text, "version: tag", 10))
    assert ref.contents.value.startswith('```cue\nlet tag = "1.0"\n```')
    on_import = hover(ctx, position(text, '"alpha.dagger.io/dagger/op"', 3))
    assert "bundled package" in on_import.contents.value
    assert hover(ctx, types.Position(line=1, character=0)) is None


def test_definition_of_lets_aliases_and_loop_variables(module: Path) -> None:
    text = "package main\n\nlet tag = 1\nX=out: {a: tag}\nfor k, v in {p: 1} {\n\t\"\\(k)\": v + X.a\n}\nimages: [P=string]: {name: P}\n"
    ctx = context(module / "plan" / "main.cue", text, check=False)

    def target(needle: str, delta: int = 0) -> tuple[int, int]:
        found = definition(ctx, position(text, needle, delta))
        assert len(found) == 1, needle
        return found[0].range.start.line, found[0].range.start.character

    assert target("tag}", 1) == (2, 4)
    assert target("v + X", 0) == (4, 7)
    assert target("X.a", 0) == (3, 0)
    assert target("name: P", 6) == (7, 9)
    assert target("(k)", 1) == (4, 4)


def test_definition_of_imports_and_imported_names(module: Path) -> None:
    text = 'package main\n\nimport "example.com/app/lib/build"\n\nimg: build.#Image & {name: "x"}\n'
    ctx = context(module / "plan" / "main.cue", text, check=False)
    files = definition(ctx, position(text, "example.com", 3))
    assert [Path(l.uri.removeprefix("file://")).name for l in files] == ["build.cue"]
    member = definition(ctx, position(text, "#Image", 2))
    assert member[0].uri.endswith("/lib/build/build.cue") and member[0].range.start.line == 3


# ---------------------------------------------------------------------------
# Symbols, folding, formatting


def test_symbols_include_definitions_lets_and_comprehension_output(module: Path) -> None:
    text = plan('let tag = "1"\n#Base: {a: 1}\nfor p in ["linux/amd64"] {\n\timages: "\\(p)": #up: [op.#FetchContainer & {ref: "x", platform: p}]\n}\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    symbols = document_symbols(ctx)
    assert [(s.name, s.kind) for s in symbols] == [
        ("tag", types.SymbolKind.Variable),
        ("#Base", types.SymbolKind.Class),
        ("images", types.SymbolKind.Struct),
    ]
    pipeline = symbols[2].children[0]
    assert pipeline.name == '"\\(p)"' and pipeline.kind == types.SymbolKind.Function
    assert pipeline.children[0].name == "op.#FetchContainer"


def test_symbols_and_folding_survive_syntax_errors(module: Path) -> None:
    text = plan('a: {\n\tb: 1 c: 2\n\td: """\n\t\tx\n\t\t"""\n}\ne: [\n')
    ctx = context(module / "plan" / "main.cue", text, check=False)
    assert [s.name for s in document_symbols(ctx)][:2] == ["a", "e"]
    kinds = {(r.start_line, r.end_line) for r in folding_ranges(ctx)}
    first = text.splitlines().index("a: {")
    assert (first, first + 4) in kinds and (first + 2, first + 3) in kinds


def test_formatting_gives_one_edit_to_the_cue_fmt_text(module: Path) -> None:
    messy = "package main\na:   1\nbb: {c:2}\n"
    ctx = context(module / "plan" / "main.cue", messy, check=False)
    edits = format_document(ctx)
    assert len(edits) == 1
    assert apply_edits(messy, edits) == format_text(messy)
    tidy = format_text(messy)
    assert format_document(context(module / "plan" / "main.cue", tidy, check=False)) == []
    assert format_document(context(module / "plan" / "main.cue", "a: {", check=False)) == []


# ---------------------------------------------------------------------------
# Code actions


def _context_with(module: Path, text: str, diagnostics: list[Diagnostic]) -> FeatureContext:
    ctx = context(module / "plan" / "main.cue", text, check=False)
    from plancheck.checker.check import Report

    ctx.checked = CheckedPackage(PackageSnapshot(ctx.document.folder, (ctx.document,), {}), diagnostics, Report(), 0.0)
    return ctx


def test_quick_fixes_follow_their_applicability(module: Path) -> None:
    text = "a: 1\nb: 2\n"
    path = str(module / "plan" / "main.cue")
    index = LineIndex(text)
    safe = Diagnostic("PLT002", Severity.WARNING, path, index.span(3, 4), "x", Fix(Applicability.SAFE, "write 3", (Edit(index.span(3, 4), "3"),)))
    unsafe = Diagnostic("PLT003", Severity.ERROR, path, index.span(8, 9), "y", Fix(Applicability.UNSAFE, "split", (Edit(index.span(8, 9), "4"),)))
    ctx = _context_with(module, text, [safe, unsafe])
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=2, character=0))
    actions = code_actions(ctx, whole, only=[types.CodeActionKind.QuickFix], document_changes=True)
    assert [(a.title, a.is_preferred) for a in actions] == [("write 3", True), ("split (unsafe)", False)]
    change = actions[0].edit.document_changes[0]
    assert change.text_document.version == 1 and change.edits[0].new_text == "3"
    fix_all = code_actions(ctx, whole, only=["source.fixAll"])
    assert [a.kind for a in fix_all] == [FIX_ALL_KIND]
    assert apply_edits(text, fix_all[0].edit.changes[ctx.document.uri]) == "a: 3\nb: 2\n"
    first_line = types.Range(start=types.Position(line=0, character=3), end=types.Position(line=0, character=3))
    assert [a.title for a in code_actions(ctx, first_line, only=[types.CodeActionKind.QuickFix])] == ["write 3"]


def test_no_fixes_for_a_buffer_the_check_did_not_see_or_that_would_break(module: Path) -> None:
    text = "a: 1\n"
    path = str(module / "plan" / "main.cue")
    index = LineIndex(text)
    breaking = Diagnostic("X", Severity.WARNING, path, index.span(3, 4), "x", Fix(Applicability.SAFE, "break", (Edit(index.span(3, 4), "{"),)))
    ctx = _context_with(module, text, [breaking])
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=1, character=0))
    assert code_actions(ctx, whole, only=["source.fixAll"]) == []
    ctx.checked = CheckedPackage(
        PackageSnapshot(ctx.document.folder, (TextDocument(ctx.document.uri, "a: 2\n", 0),), {}), [breaking], ctx.checked.report, 0.0
    )
    assert code_actions(ctx, whole) == []


def test_the_schema_documents_every_operation() -> None:
    schema = load_schema()
    operations = schema.operations()
    assert len(operations) == 16
    for op in operations:
        assert op.doc and op.do
        assert all(f.doc for f in op.fields), op.name
    assert schema.definition("dagger", "#Artifact").fields[0].name == "#up"


def test_no_completion_inside_comments(module: Path) -> None:
    text = FETCH.replace("base: dagger", "// see op.\nbase: dagger")
    ctx = context(module / "plan" / "main.cue", text, check=False)
    assert completion(ctx, position(text, "see op.", 7)).items == []


def test_the_parse_cache_keeps_two_versions_per_file() -> None:
    cache = ParseCache(files=2, versions=2)
    docs = [TextDocument("file:///p/a.cue", f"a: {n}\n", n) for n in range(3)]
    results = [cache.parse(d).result for d in docs]
    assert cache.parse(docs[2]).result is results[2]
    assert cache.parse(docs[1]).result is results[1]
    assert cache.parse(docs[0]).result is not results[0]  # evicted: parsed again
    other = TextDocument("file:///p/b.cue", "b: 1\n", 1)
    third = TextDocument("file:///p/c.cue", "c: 1\n", 1)
    cache.parse(other)
    cache.parse(third)
    assert cache.parse(docs[0]).result is not results[0]


def test_hover_on_a_pipeline_field_shows_what_the_check_evaluated(module: Path) -> None:
    text = plan(
        '// One image a platform.\nimages: [p=string]: dagger.#Artifact & {\n\t#up: [op.#FetchContainer & {ref: "alpine", platform: p}]\n}\n'
        'for p in ["linux/amd64", "linux/arm64"] {\n\timages: "\\(p)": {}\n}\n'
    )
    ctx = context(module / "plan" / "main.cue", text)
    result = hover(ctx, position(text, "images: [p", 2))
    value = result.contents.value
    assert '`images."linux/arm64"`: 1 op, `linux/arm64` (set by an op)' in value
    assert "One image a platform." in value
    stale = context(module / "plan" / "main.cue", text)
    stale.checked = context(module / "plan" / "main.cue", text + "\n").checked
    assert "pipeline" not in hover(stale, position(text, "images: [p", 2)).contents.value


def test_hover_on_a_reference_shows_its_evaluated_value(module: Path) -> None:
    text = plan(
        'arches: ["amd64", "arm64"]\nversion: *"1.2" | string\ntag: "\\(version)-\\(arches[1])"\n'
        "use: tag\nimg: op.#FetchContainer & {ref: \"alpine:\\(tag)\"}\n"
    )
    ctx = context(module / "plan" / "main.cue", text)
    on_tag = hover(ctx, position(text, "use: tag", 6))
    assert 'evaluates to (as last checked):\n```cue\n"1.2-arm64"\n```' in on_tag.contents.value
    on_arches = hover(ctx, position(text, "arches[1]", 1))
    assert '["amd64", "arm64"]' in on_arches.contents.value


def test_hover_after_an_incremental_check_sees_the_whole_package(module: Path) -> None:
    # The edit re-checks `img` only; hover on `tag` still shows its value.
    text = plan(
        'version: *"1.2" | string\ntag: "\\(version)-x"\nuse: tag\n\n'
        'img: #up: [op.#FetchContainer & {ref: "alpine", platform: "linux/arm64"}]\n'
    )
    path = module / "plan" / "main.cue"
    from plancheck.checker.incremental import IncrementalChecker

    incremental = IncrementalChecker()
    first = TextDocument(path.as_uri(), text, 1)
    check_package(snapshot_package(first.folder, [first], {first.path: text}), Settings(), incremental)
    edited = text.replace("linux/arm64", "linux/aarch64")
    document = TextDocument(path.as_uri(), edited, 2)
    checked = check_package(snapshot_package(document.folder, [document], {document.path: edited}), Settings(), incremental)
    assert checked.partial
    assert "PLT002" in [d.code for d in checked.diagnostics]
    assert checked.diagnostics == check_package(snapshot_package(document.folder, [document], {document.path: edited}), Settings()).diagnostics
    assert checked.complete_report() is not checked.report
    ctx = make_context(document, [document], {document.path: edited}, ParseCache(), "utf-16", checked)
    on_tag = hover(ctx, position(edited, "use: tag", 6))
    assert '"1.2-x"' in on_tag.contents.value


def test_the_parse_cache_keeps_what_a_check_parsed() -> None:
    cache = ParseCache()
    document = TextDocument("file:///p/a.cue", "a: 1\n", 1)
    from plancheck.grammar import parse

    made = parse(document.text, document.path)
    cache.store(document, made)
    assert cache.parse(document).result is made
    assert cache.parse(TextDocument("file:///p/a.cue", "a: 2\n", 2)).result is not made
