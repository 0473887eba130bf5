"""End to end: the real ``plancheck-lsp`` process, driven over stdio by pytest-lsp."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from lsp_helpers import (
    SERVER,
    RecordingClient,
    apply_edits,
    change_document,
    doc_id,
    initialize_params,
    make_client,
    open_document,
    plan,
    position,
    replace_document,
)

FETCH = plan(
    """base: dagger.#Artifact & {
	#up: [
		op.#FetchContainer & {
			ref:      "alpine:3.15"
			platform: "linux/aarch64"
		},
		op.#Exec & {
			args: ["sh", "-c", "echo hi"]
		},
	]
}
"""
)


# ---------------------------------------------------------------------------
# Diagnostics


async def test_diagnostics_arrive_with_codes_ranges_and_rule_links(client: RecordingClient, workspace: Path):
    text = FETCH.replace('ref:      "alpine:3.15"', 'ref "alpine:3.15"')
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    by_code = {d.code: d for d in published.diagnostics}
    assert set(by_code) >= {"CUE001", "PLT002"}
    syntax = by_code["CUE001"]
    assert syntax.severity == types.DiagnosticSeverity.Error
    assert syntax.range.start == position(text, '"alpine:3.15"')
    platform = by_code["PLT002"]
    assert platform.severity == types.DiagnosticSeverity.Warning
    # The checker points at the bad platform inside the quotes.
    assert platform.range.start == position(text, "linux/aarch64")
    assert platform.range.end == position(text, "linux/aarch64", len("linux/aarch64"))
    for d in published.diagnostics:
        assert d.source == "plancheck"
        assert d.code_description is not None and d.code_description.href.endswith(f"/{d.code}")


async def test_typing_a_fix_clears_the_diagnostics(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    first = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert [d.code for d in first.diagnostics] == ["PLT002"]
    start = position(FETCH, "aarch64")
    change_document(client, uri, 2, start, position(FETCH, "aarch64", len("aarch64")), "arm64")
    cleared = await client.wait_for_diagnostics(uri, lambda p: p.version == 2)
    assert not cleared.diagnostics


async def test_a_change_rechecks_the_whole_package_and_clears_stale_diagnostics(client: RecordingClient, workspace: Path):
    folder = workspace / "plan"
    (folder / "b.cue").write_text("package main\n\nshared: \"x\"\n")
    a_text = "package main\n\nuse: shared\n"
    a_uri = open_document(client, folder / "a.cue", a_text)
    first = await client.wait_for_diagnostics(a_uri, lambda p: p.version == 1)
    assert not first.diagnostics
    b_text = "package main\n\nshared: \"x\"\n"
    b_uri = open_document(client, folder / "b.cue", b_text)
    await client.wait_for_diagnostics(b_uri, lambda p: p.version == 1)
    mark = len(client.published)
    change_document(client, b_uri, 2, position(b_text, "shared"), position(b_text, "shared", 6), "renamed")
    broken = await client.wait_for_diagnostics(a_uri, lambda p: any(d.code == "CUE002" for d in p.diagnostics), after=mark)
    assert broken.diagnostics[0].range.start == position(a_text, "shared")
    mark = len(client.published)
    change_document(client, b_uri, 3, position(b_text, "shared"), position(b_text, "shared", 7), "shared")
    cleared = await client.wait_for_diagnostics(a_uri, lambda p: True, after=mark)
    assert not cleared.diagnostics


async def test_a_package_created_on_disk_rechecks_its_importers(client: RecordingClient, workspace: Path):
    text = 'package main\n\nimport "example.com/app/lib"\n\nx: lib.y\n'
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    first = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert "CUE003" in [d.code for d in first.diagnostics]
    mark = len(client.published)
    (workspace / "lib").mkdir()
    (workspace / "lib" / "lib.cue").write_text("package lib\n\ny: 1\n")
    created = types.FileEvent(uri=(workspace / "lib" / "lib.cue").as_uri(), type=types.FileChangeType.Created)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[created]))
    cleared = await client.wait_for_diagnostics(uri, lambda p: True, after=mark)
    assert not cleared.diagnostics


def _large_plan(services: int) -> str:
    parts = [plan('repository: "registry.example.com/app"\n_arm: "linux/aarch64"\n')]
    for i in range(services):
        platform = "_arm" if i % 7 == 3 else '"linux/arm64"'
        parts.append(
            f"// Service {i}.\nservice{i}: dagger.#Artifact & {{\n\t#up: [\n"
            f"\t\top.#FetchContainer & {{\n\t\t\tref:      \"alpine\"\n\t\t\tplatform: {platform}\n\t\t}},\n"
            f"\t\top.#PushContainer & {{ref: \"\\(repository)/s{i}:1\"}},\n\t]\n}}\n\n"
        )
    return "".join(parts)


async def test_edits_of_a_large_plan_publish_what_a_whole_check_finds(client: RecordingClient, workspace: Path):
    """Edits of a 40-pipeline plan are checked incrementally; after each, the published
    diagnostics (codes, ranges, messages) are those of a whole check of the same text."""
    from plancheck.lsp.analysis import check_package, snapshot_package
    from plancheck.lsp.documents import TextDocument
    from plancheck.lsp.features.diagnostics import to_lsp
    from plancheck.lsp.settings import Settings

    path = workspace / "plan" / "main.cue"
    text = _large_plan(40)
    uri = open_document(client, path, text)

    from plancheck.checker.incremental import IncrementalChecker

    incremental = IncrementalChecker()  # what the server does, in-process: these edits stay incremental

    def expected(body: str) -> list[tuple]:
        document = TextDocument(uri, body, 1)
        snapshot = snapshot_package(document.folder, [document], {document.path: body})
        checked = check_package(snapshot, Settings())
        mirrored = check_package(snapshot, Settings(), incremental)
        assert mirrored.partial == (body != _large_plan(40)) and mirrored.diagnostics == checked.diagnostics
        return [(d.code, to_lsp(d, document, "utf-16").range, d.message) for d in checked.diagnostics]

    def published(params) -> list[tuple]:
        return [(d.code, d.range, d.message) for d in params.diagnostics]

    got = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert published(got) == expected(text) and len(got.diagnostics) == 1  # PLT002 in `_arm`
    edits = [
        ("// Service 5.", "// Service 5.\n// two more lines\n// above it"),  # moves what follows
        ("service20: dagger.#Artifact & {\n\t#up: [\n\t\top.#FetchContainer & {\n\t\t\tref:      \"alpine\"\n\t\t\tplatform: \"linux/arm64\"",
         "service20: dagger.#Artifact & {\n\t#up: [\n\t\top.#FetchContainer & {\n\t\t\tref:      \"alpine\"\n\t\t\tplatform: \"linux/x86_64\""),
        ("ref:      \"alpine\"\n\t\t\tplatform: \"linux/arm64\"\n\t\t},\n\t\top.#PushContainer & {ref: \"\\(repository)/s30",
         "ref:      \"alpine\"\n\t\t\tplatform: \"linux/arm64\"\n\t\t},\n\t\top.#PushContainer & {ref: \"\\(repositry)/s30"),
        ("// two more lines\n", ""),
    ]  # fmt: skip
    for version, (old, new) in enumerate(edits, start=2):
        at = text.index(old)
        change_document(client, uri, version, position(text, old), position(text, old, len(old)), new)
        text = text[:at] + new + text[at + len(old) :]
        got = await client.wait_for_diagnostics(uri, lambda p, v=version: p.version == v)
        assert published(got) == expected(text), f"after edit {version - 1}"
    assert sorted(d.code for d in got.diagnostics) == ["CUE002", "PLT002", "PLT002"]


async def test_open_buffers_override_the_disk(client: RecordingClient, workspace: Path):
    path = workspace / "plan" / "main.cue"
    path.write_text(FETCH.replace('ref:      "alpine:3.15"', 'ref "alpine:3.15"'))
    uri = open_document(client, path, FETCH.replace("aarch64", "arm64"))
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert not published.diagnostics


async def test_the_newest_version_wins(client: RecordingClient, workspace: Path):
    text = FETCH
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    for version in range(2, 12):
        bad = "linux/aarch64" if version % 2 else "linux/arm64"
        replace_document(client, uri, version, FETCH.replace("linux/aarch64", bad))
    final = await client.wait_for_diagnostics(uri, lambda p: p.version == 11)
    assert [d.code for d in final.diagnostics] == ["PLT002"]
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions == sorted(versions), "an older version was published after a newer one"


async def test_closing_the_last_buffer_clears_its_diagnostics(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    await client.wait_for_diagnostics(uri, lambda p: p.version == 1 and bool(p.diagnostics))
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc_id(uri)))
    cleared = await client.wait_for_diagnostics(uri, after=mark)
    assert not cleared.diagnostics


# ---------------------------------------------------------------------------
# Completion, hover, definition


async def test_completion_after_op_hash_lists_the_operations(client: RecordingClient, workspace: Path):
    text = FETCH.replace("op.#Exec & {", "op.# & {")
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=position(text, "op.# &", 4))
    )
    labels = [item.label for item in result.items]
    assert {"#FetchContainer", "#Exec", "#DockerBuild", "#PushContainer"} <= set(labels)
    exec_item = next(item for item in result.items if item.label == "#Exec")
    assert "runs a command" in exec_item.documentation.value


async def test_completion_in_an_op_struct_lists_its_unset_fields(client: RecordingClient, workspace: Path):
    text = FETCH.replace('\t\t\targs: ["sh", "-c", "echo hi"]\n', '\t\t\targs: ["sh", "-c", "echo hi"]\n\t\t\t\n')
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=position(text, '"echo hi"]\n\t\t\t\n', 14))
    )
    by_label = {item.label: item for item in result.items}
    assert {"env", "dir", "mount", "user"} <= set(by_label)
    assert "args" not in by_label and "do" not in by_label
    assert by_label["dir"].detail == 'dir: string | *"/"'
    assert "directory the command runs in" in by_label["dir"].documentation.value


async def test_completion_in_a_platform_string_lists_platforms(client: RecordingClient, workspace: Path):
    text = FETCH.replace('"linux/aarch64"', '"linux/"')
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=position(text, '"linux/"', 7))
    )
    labels = [item.label for item in result.items]
    assert labels[:3] == ["linux/amd64", "linux/arm64", "linux/arm/v7"]
    assert all(label.startswith("linux/") for label in labels)
    arm = next(item for item in result.items if item.label == "linux/arm64")
    assert arm.text_edit.new_text == "linux/arm64"
    assert apply_edits(text, [arm.text_edit]) == FETCH.replace("aarch64", "arm64")


async def test_hover_shows_schema_docs_and_platforms(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    on_op = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position(FETCH, "#FetchContainer", 3))
    )
    assert "op.#FetchContainer" in on_op.contents.value
    assert "pulled from" in on_op.contents.value
    on_field = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position(FETCH, "ref:", 1))
    )
    assert "#FetchContainer.ref: string" in on_field.contents.value
    on_platform = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position(FETCH, "aarch64", 2))
    )
    assert "`linux/arm64`" in on_platform.contents.value and "64-bit ARM" in on_platform.contents.value


async def test_definition_of_an_op_goes_into_the_bundled_schema(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(uri), position=position(FETCH, "#Exec", 2))
    )
    assert len(result) == 1
    target = result[0]
    assert target.uri.endswith("/checker/schema/alpha.dagger.io/dagger/op/op.cue")
    schema_text = Path(target.uri.removeprefix("file://")).read_text()
    assert schema_text.splitlines()[target.range.start.line].startswith("#Exec:")


async def test_definition_of_a_reference_in_another_file(client: RecordingClient, workspace: Path):
    folder = workspace / "plan"
    (folder / "b.cue").write_text('package main\n\n// The shared tag.\nshared: "x"\n')
    text = "package main\n\nuse: shared\n"
    uri = open_document(client, folder / "a.cue", text)
    result = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc_id(uri), position=position(text, "shared", 2))
    )
    assert [(r.uri, r.range.start.line, r.range.start.character) for r in result] == [((folder / "b.cue").as_uri(), 3, 0)]


# ---------------------------------------------------------------------------
# Code actions, formatting, symbols, folding


async def test_quick_fix_applies_and_the_result_is_clean(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 1 and bool(p.diagnostics))
    diagnostic = published.diagnostics[0]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert len(actions) == 1 and actions[0].kind == types.CodeActionKind.QuickFix
    edit = actions[0].edit
    edits = edit.changes[uri] if edit.changes else edit.document_changes[0].edits
    fixed = apply_edits(FETCH, edits)
    assert '"linux/arm64"' in fixed
    replace_document(client, uri, 2, fixed)
    after = await client.wait_for_diagnostics(uri, lambda p: p.version == 2)
    assert not after.diagnostics


async def test_fix_all_source_action_fixes_every_safe_problem(client: RecordingClient, workspace: Path):
    text = FETCH.replace(
        '\t\top.#Exec & {', '\t\top.#FetchContainer & {\n\t\t\tref: "debian"\n\t\t\tplatform: "Linux/AMD64"\n\t\t},\n\t\top.#Exec & {'
    )
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 1 and bool(p.diagnostics))
    assert {d.code for d in published.diagnostics} >= {"PLT002"}
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.plancheck"]
    edit = actions[0].edit
    edits = edit.changes[uri] if edit.changes else edit.document_changes[0].edits
    fixed = apply_edits(text, edits)
    replace_document(client, uri, 2, fixed)
    after = await client.wait_for_diagnostics(uri, lambda p: p.version == 2)
    assert "PLT002" not in {d.code for d in after.diagnostics}


MANGLED = """package main
import (
"alpha.dagger.io/dagger"
  "alpha.dagger.io/dagger/op"
)
// The base image.
base:   dagger.#Artifact&{
 #up: [op.#FetchContainer & {ref: "alpine:3.15"
  platform:"linux/arm64"}, op.#Exec&{args:["true"]}
 ]
}
tags: [ "a","b",
  "c"]
"""


async def test_formatting_prints_what_cue_fmt_prints(client: RecordingClient, workspace: Path, cue_oracle):
    from cue_oracle import Case

    uri = open_document(client, workspace / "plan" / "main.cue", MANGLED)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc_id(uri), options=types.FormattingOptions(tab_size=4, insert_spaces=False))
    )
    formatted = apply_edits(MANGLED, edits)
    expected = cue_oracle.run([Case(("fmt", "a.cue"), {"a.cue": MANGLED}, return_files=True)])[0]
    assert expected.ok, expected.describe()
    assert formatted == expected.files["a.cue"]
    again = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc_id(uri), options=types.FormattingOptions(tab_size=4, insert_spaces=False))
    )
    assert again  # the buffer itself was not changed: the same edits are offered again


async def test_document_symbols_show_pipelines_and_their_ops(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", FETCH)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(uri)))
    assert [s.name for s in symbols] == ["base"]
    base = symbols[0]
    assert base.kind == types.SymbolKind.Function and base.detail == "pipeline, 2 ops"
    assert [c.name for c in base.children] == ["op.#FetchContainer", "op.#Exec"]
    assert base.children[0].detail == 'ref: "alpine:3.15"'


async def test_folding_ranges_cover_structs_lists_and_comment_blocks(client: RecordingClient, workspace: Path):
    text = "// one\n// two\n" + FETCH
    uri = open_document(client, workspace / "plan" / "main.cue", text)
    ranges = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc_id(uri)))
    spans = {(r.start_line, r.end_line, r.kind) for r in ranges}
    assert (0, 1, types.FoldingRangeKind.Comment) in spans
    assert (4, 6, types.FoldingRangeKind.Imports) in spans  # the closing line stays visible
    base_line = text.splitlines().index("base: dagger.#Artifact & {")
    assert (base_line, base_line + 9, None) in spans


# ---------------------------------------------------------------------------
# Encodings and settings


ONE_LINE = plan(
    """base: dagger.#Artifact & {
	#up: [op.#FetchContainer & {ref: "café/🚀:1", platform: "linux/aarch64"}]
}
"""
)


async def test_utf16_positions_with_non_ascii_text(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", ONE_LINE)
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 1 and bool(p.diagnostics))
    platform = next(d for d in published.diagnostics if d.code == "PLT002")
    # é is one UTF-16 unit, 🚀 two: the range is counted in UTF-16 units.
    assert platform.range.start == position(ONE_LINE, "linux/aarch64", encoding="utf-16")
    line = ONE_LINE.splitlines()[platform.range.start.line]
    assert platform.range.start.character == line.index("linux/aarch64") + 1
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position(ONE_LINE, "aarch64", 1))
    )
    assert "linux/arm64" in result.contents.value
    # An edit positioned in UTF-16 units lands where the client meant it.
    change_document(
        client, uri, 2, position(ONE_LINE, "aarch64"), position(ONE_LINE, "aarch64", len("aarch64")), "arm64"
    )
    cleared = await client.wait_for_diagnostics(uri, lambda p: p.version == 2)
    assert not cleared.diagnostics


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def utf8_client(lsp_client: RecordingClient):
    result = await lsp_client.initialize_session(initialize_params(encodings=["utf-8", "utf-16"]))
    lsp_client.init_result = result  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_utf8_is_used_when_the_client_offers_it(utf8_client: RecordingClient, workspace: Path):
    assert utf8_client.init_result.capabilities.position_encoding == "utf-8"  # type: ignore[attr-defined]
    uri = open_document(utf8_client, workspace / "plan" / "main.cue", ONE_LINE)
    published = await utf8_client.wait_for_diagnostics(uri, lambda p: p.version == 1 and bool(p.diagnostics))
    platform = next(d for d in published.diagnostics if d.code == "PLT002")
    assert platform.range.start == position(ONE_LINE, "linux/aarch64", encoding="utf-8")
    line = ONE_LINE.splitlines()[platform.range.start.line]
    assert platform.range.start.character == len(line[: line.index("linux/aarch64")].encode("utf-8"))


def _images_plan() -> str:
    return plan(
        """images: "linux/arm64": dagger.#Artifact & {
	#up: [op.#FetchContainer & {ref: "alpine:3.15"}]
}
release: #up: [op.#PushContainer & {ref: "registry.example.com/app:1", "images": images}]
"""
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def arm_client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(initialize_params(options={"defaultPlatform": "linux/arm64"}))
    yield
    await lsp_client.shutdown_session()


async def test_default_platform_comes_from_initialization_options(arm_client: RecordingClient, workspace: Path):
    uri = open_document(arm_client, workspace / "plan" / "main.cue", _images_plan())
    published = await arm_client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert not published.diagnostics


async def test_default_platform_follows_the_configuration_section(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", _images_plan())
    first = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    assert [d.code for d in first.diagnostics] == ["PLT007"]
    mark = len(client.published)
    client.set_configuration({"defaultPlatform": "linux/arm64"}, section="plancheck")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    cleared = await client.wait_for_diagnostics(uri, after=mark)
    assert not cleared.diagnostics


async def test_tcp_option_serves_lsp(tmp_path: Path):
    import asyncio
    import json
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "plancheck.lsp", "--tcp", f"127.0.0.1:{port}", stderr=asyncio.subprocess.PIPE
    )
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        answer = json.loads(await asyncio.wait_for(reader.readexactly(length), 60))
        assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "plancheck-lsp"
        writer.close()
    finally:
        process.terminate()
        await process.wait()
