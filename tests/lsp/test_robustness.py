"""No message, request or document content crashes the server or leaves it unresponsive.

Each test ends by checking that the server still answers a request.
"""

from __future__ import annotations

import random
from pathlib import Path

from lsprotocol import types

from lsp_helpers import (
    RawServer,
    RecordingClient,
    change_document,
    doc_id,
    open_document,
    plan,
    position,
)

SMALL = plan('base: #up: [op.#FetchContainer & {ref: "alpine:3.15", platform: "linux/aarch64"}]\n')


async def _still_answers(client: RecordingClient, uri: str, text: str) -> None:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=position(text, "FetchContainer", 2))
    )
    assert result is not None and "op.#FetchContainer" in result.contents.value


def _errors(client: RecordingClient) -> list[str]:
    return [m.message for m in client.log_messages if m.type == types.MessageType.Error]


# ---------------------------------------------------------------------------
# The wire


async def test_malformed_json_rpc_is_survived(tmp_path: Path):
    server = RawServer()
    await server.start()
    try:
        server.send(b"{this is not json")
        server.send(b"[1, 2, 3]")
        server.send(b'"a string"')
        server.send({"jsonrpc": "2.0", "id": 7})  # neither a request nor a response
        server.send_bytes(b"X-Garbage: yes\r\n")
        answer = await server.request(1, "initialize", {"capabilities": {}})
        assert answer["result"]["serverInfo"]["name"] == "plancheck-lsp"
        server.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        # A request whose parameters do not fit the protocol gets an error, not silence.
        bad = await server.request(2, "textDocument/hover", {"textDocument": {"uri": 5}, "position": "top"})
        assert bad["error"]["code"] == -32602
        unknown = await server.request(3, "plancheck/noSuchMethod", {})
        assert unknown["error"]["code"] == -32601
        server.send({"jsonrpc": "2.0", "method": "plancheck/noSuchNotification", "params": {"x": 1}})
        server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": "nope"}})
        uri = (tmp_path / "main.cue").as_uri()
        server.send(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "cue", "version": 1, "text": SMALL}},
            }
        )
        pos = position(SMALL, "FetchContainer", 2)
        hover = await server.request(
            4, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": pos.line, "character": pos.character}}
        )
        assert "op.#FetchContainer" in hover["result"]["contents"]["value"]
        logged = [n for n in server.notifications if n.get("method") == "window/logMessage"]
        assert any(n["params"]["type"] == 1 for n in logged), "the undecodable message was not logged to the client"
        shutdown = await server.request(5, "shutdown", None)
        assert "error" not in shutdown
    finally:
        await server.stop()


async def test_unknown_methods_are_answered_with_an_error(client: RecordingClient, workspace: Path):
    import pytest

    from pygls.exceptions import JsonRpcMethodNotFound

    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("plancheck/unknown", {"a": 1})
    client.protocol.notify("plancheck/unknownNotification", {"a": 1})
    uri = open_document(client, workspace / "plan" / "main.cue", SMALL)
    await _still_answers(client, uri, SMALL)


# ---------------------------------------------------------------------------
# Documents and positions


async def test_requests_on_unknown_documents_answer_empty(client: RecordingClient, workspace: Path):
    missing = (workspace / "plan" / "missing.cue").as_uri()
    where = types.Position(line=0, character=0)
    assert await client.text_document_hover_async(types.HoverParams(text_document=doc_id(missing), position=where)) is None
    completion = await client.text_document_completion_async(types.CompletionParams(text_document=doc_id(missing), position=where))
    assert completion.items == [] or completion.items == ()
    assert not await client.text_document_definition_async(types.DefinitionParams(text_document=doc_id(missing), position=where))
    assert not await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(missing)))
    assert not await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc_id(missing), options=types.FormattingOptions(tab_size=4, insert_spaces=False))
    )
    untitled = "untitled:Untitled-1"
    assert await client.text_document_hover_async(types.HoverParams(text_document=doc_id(untitled), position=where)) is None
    change_document(client, missing, 2, where, where, "x")  # a change to a document never opened
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc_id(missing)))
    uri = open_document(client, workspace / "plan" / "main.cue", SMALL)
    await _still_answers(client, uri, SMALL)
    assert not _errors(client)


async def test_positions_past_the_end_are_clamped(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", SMALL)
    before = await client.wait_for_diagnostics(uri, lambda p: p.version == 1)
    far = types.Position(line=10**6, character=10**6)
    long_line = types.Position(line=2, character=10**6)
    for where in (far, long_line):
        await client.text_document_hover_async(types.HoverParams(text_document=doc_id(uri), position=where))
        await client.text_document_completion_async(types.CompletionParams(text_document=doc_id(uri), position=where))
        await client.text_document_definition_async(types.DefinitionParams(text_document=doc_id(uri), position=where))
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc_id(uri), range=types.Range(start=where, end=far), context=types.CodeActionContext(diagnostics=[])
            )
        )
    # An edit past the end appends; one with its ends swapped is applied the right way round.
    change_document(client, uri, 2, far, far, "\nextra: 1\n")
    change_document(client, uri, 3, types.Position(line=999, character=0), types.Position(line=998, character=3), "")
    published = await client.wait_for_diagnostics(uri, lambda p: p.version == 3)
    assert [d.code for d in published.diagnostics] == [d.code for d in before.diagnostics]
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(uri)))
    assert [s.name for s in symbols] == ["base", "extra"]
    await _still_answers(client, uri, SMALL)
    assert not _errors(client)


async def test_a_50000_line_document_does_not_block_the_server(client: RecordingClient, workspace: Path):
    lines = [f'field{i}: "value {i}"' for i in range(50_000)]
    lines[25_000] = 'broken: "x" "y"'
    big = "package main\n\n" + "\n".join(lines) + "\n"
    big_uri = open_document(client, workspace / "plan" / "big.cue", big)
    other = workspace / "other"
    other.mkdir()
    uri = open_document(client, other / "main.cue", SMALL)
    # Answered while the big package is still being checked.
    await _still_answers(client, uri, SMALL)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(big_uri)))
    assert len(symbols) >= 49_000
    published = await client.wait_for_diagnostics(big_uri, lambda p: p.version == 1, timeout=600)
    assert any(d.code == "CUE001" for d in published.diagnostics)
    await _still_answers(client, uri, SMALL)
    assert not _errors(client)


def _random_texts(count: int, seed: int = 5) -> list[str]:
    rnd = random.Random(seed)
    pieces = [
        "{", "}", "[", "]", "(", ")", ":", ",", "\n", " ", "\t", '"', "\\(", "#", "op.#", "op.#Exec", "&", "|", "*",
        "...", "for", "in", "if", "let", "=", "platform", "images", '"linux/', "#up", "_|_", "//", "é", "🚀", "\r\n",
        "@dagger(", "'", '"""', "\\", "import", "package", "0x", "1.5", "null", "\x00", "\ufeff",
    ]  # fmt: skip
    texts = []
    for _ in range(count):
        n = rnd.randint(0, 120)
        texts.append("".join(rnd.choice(pieces) for _ in range(n)))
    texts.append("[" * 3000 + "]" * 3000)
    texts.append("a: " + "{b: " * 500 + "1" + "}" * 500)
    return texts


async def test_random_text_gives_answers_not_crashes(client: RecordingClient, workspace: Path):
    uri = open_document(client, workspace / "plan" / "main.cue", SMALL)
    fuzz = workspace / "plan" / "fuzz.cue"
    fuzz_uri = open_document(client, fuzz, "")
    rnd = random.Random(11)
    for version, text in enumerate(_random_texts(25), start=2):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=fuzz_uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        lines = text.split("\n")
        line = rnd.randrange(len(lines))
        where = types.Position(line=line, character=rnd.randint(0, len(lines[line]) + 2))
        await client.text_document_completion_async(types.CompletionParams(text_document=doc_id(fuzz_uri), position=where))
        await client.text_document_hover_async(types.HoverParams(text_document=doc_id(fuzz_uri), position=where))
        await client.text_document_definition_async(types.DefinitionParams(text_document=doc_id(fuzz_uri), position=where))
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc_id(fuzz_uri)))
        await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc_id(fuzz_uri)))
        await client.text_document_formatting_async(
            types.DocumentFormattingParams(text_document=doc_id(fuzz_uri), options=types.FormattingOptions(tab_size=4, insert_spaces=False))
        )
    last = len(_random_texts(25)) + 1
    await client.wait_for_diagnostics(fuzz_uri, lambda p: p.version == last, timeout=300)
    await _still_answers(client, uri, SMALL)
    assert not _errors(client), _errors(client)
