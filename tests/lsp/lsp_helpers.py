"""Small helpers shared by the language-server tests."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "plancheck.lsp", "--debounce-ms", "20"]
#: seconds a test waits for the server (checks run on a busy shared machine)
DEADLINE = 60.0


class RecordingClient(LanguageClient):
    """A pytest-lsp client that records every diagnostics notification."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []

    async def wait_for_diagnostics(
        self,
        uri: str,
        predicate: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
        timeout: float = DEADLINE,
        after: int = 0,
    ) -> types.PublishDiagnosticsParams:
        """The first notification for ``uri`` (at index ``after`` or later) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            for params in self.published[after:]:
                if params.uri == uri and predicate(params):
                    return params
            if time.monotonic() > deadline:
                seen = [(p.uri.rsplit("/", 1)[-1], p.version, [d.code for d in p.diagnostics]) for p in self.published]
                raise AssertionError(f"no matching diagnostics for {uri} within {timeout}s; received {seen}")
            await asyncio.sleep(0.02)


def _record_diagnostics(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_diagnostics
    register_lsp_features(client, features)
    return client


def initialize_params(
    encodings: list[str] | None = None, options: dict | None = None, root: Path | None = None
) -> types.InitializeParams:
    capabilities = client_capabilities("visual-studio-code")
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return types.InitializeParams(
        capabilities=capabilities,
        initialization_options=options,
        root_uri=root.as_uri() if root else None,
    )


OP_IMPORTS = 'import (\n\t"alpha.dagger.io/dagger"\n\t"alpha.dagger.io/dagger/op"\n)\n'


def plan(body: str) -> str:
    """A plan file of package ``main`` importing dagger and op."""
    return "package main\n\n" + OP_IMPORTS + "\n" + body


def position(text: str, needle: str, delta: int = 0, encoding: str = "utf-16") -> types.Position:
    """The position of ``needle`` (plus ``delta`` characters) in ``text``, in ``encoding`` units."""
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    prefix = text[start:offset]
    if encoding == "utf-16":
        units = len(prefix.encode("utf-16-le")) // 2
    elif encoding == "utf-8":
        units = len(prefix.encode("utf-8"))
    else:
        units = len(prefix)
    return types.Position(line=line, character=units)


def offset_of(text: str, pos: types.Position) -> int:
    """The code-point offset of a UTF-16 position (for applying edits client-side)."""
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    i = 0
    while i < len(line) and units < pos.character:
        units += len(line[i].encode("utf-16-le")) // 2
        i += 1
    return start + i


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    for edit in ordered:
        start, end = offset_of(text, edit.range.start), offset_of(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def open_document(client, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="cue", version=version, text=text)
        )
    )
    return uri


def change_document(client, uri: str, version: int, start: types.Position, end: types.Position, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=text)],
        )
    )


def replace_document(client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


class RawServer:
    """``plancheck-lsp`` driven byte by byte, for messages no LSP client library would send."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.notifications: list[dict] = []

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *SERVER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def send_bytes(self, data: bytes) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(data)

    def send(self, message: dict | bytes) -> None:
        import json

        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def read(self, timeout: float = DEADLINE) -> dict:
        import json

        assert self.process is not None and self.process.stdout is not None
        header = await asyncio.wait_for(self.process.stdout.readuntil(b"\r\n\r\n"), timeout)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        return json.loads(await asyncio.wait_for(self.process.stdout.readexactly(length), timeout))

    async def response(self, msg_id: int, timeout: float = DEADLINE) -> dict:
        """The response to request ``msg_id``; notifications on the way are kept."""
        deadline = time.monotonic() + timeout
        while True:
            message = await self.read(max(deadline - time.monotonic(), 0.01))
            if message.get("id") == msg_id and "method" not in message:
                return message
            self.notifications.append(message)

    async def request(self, msg_id: int, method: str, params: object) -> dict:
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return await self.response(msg_id)
