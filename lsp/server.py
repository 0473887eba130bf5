"""``plancheck-lsp``: pygls wired to the session and the editor features.

Nothing here decides anything about plans: notifications go to the
:class:`~plancheck.lsp.session.Session`, requests to the feature functions in
:mod:`plancheck.lsp.features`, which run on worker threads so that a slow
request (a 50,000-line buffer) never stops the server from reading messages.
Every handler is guarded: a failure is logged to the client
(``window/logMessage``) and answered with an empty result.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Callable, Sequence, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from plancheck.checker.version import __version__
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.documents import choose_encoding
from plancheck.lsp.features.code_actions import FIX_ALL_KIND, code_actions
from plancheck.lsp.features.completion import completion
from plancheck.lsp.features.definition import definition
from plancheck.lsp.features.folding import folding_ranges
from plancheck.lsp.features.formatting import format_document
from plancheck.lsp.features.hover import hover
from plancheck.lsp.features.symbols import document_symbols
from plancheck.lsp.protocol import PlancheckProtocol
from plancheck.lsp.session import Session
from plancheck.lsp.settings import Settings

log = logging.getLogger("plancheck.lsp")

T = TypeVar("T")
CONFIG_SECTION = "plancheck"


class PlancheckServer(LanguageServer):
    session: Session

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls shows errors outside requests as pop-ups; a log entry is enough.
        try:
            self.window_log_message(
                types.LogMessageParams(type=types.MessageType.Error, message=f"plancheck-lsp: {type(error).__name__}: {error}")
            )
        except Exception:  # noqa: BLE001 - the connection itself may be what failed
            log.exception("could not report an error to the client")


def create_server(settings: Settings = Settings(), fixed_debounce: bool = False) -> PlancheckServer:
    """The server, with every handler registered. ``fixed_debounce`` keeps the command line's
    ``--debounce-ms`` when the client's settings name another value."""
    server = PlancheckServer("plancheck-lsp", __version__, protocol_cls=PlancheckProtocol)
    check_executor = ThreadPoolExecutor(1, thread_name_prefix="plancheck-check")
    feature_executor = ThreadPoolExecutor(2, thread_name_prefix="plancheck-request")

    def log_message(kind: types.MessageType, message: str) -> None:
        server.window_log_message(types.LogMessageParams(type=kind, message=message))

    session = Session(
        publish=server.text_document_publish_diagnostics,
        log_message=log_message,
        check_executor=check_executor,
        settings=settings,
    )

    def apply_settings(data: object) -> None:
        debounce = session.settings.debounce_ms
        session.update_settings(data)
        if fixed_debounce and session.settings.debounce_ms != debounce:
            session.settings = replace(session.settings, debounce_ms=debounce)

    async def run(uri: str, feature: Callable[[FeatureContext], T], empty: T) -> T:
        """Run a feature for ``uri`` on a worker thread; failures are logged, not raised."""
        make = session.context(uri)
        if make is None:
            return empty

        def work() -> T:
            return feature(make())

        try:
            return await asyncio.get_running_loop().run_in_executor(feature_executor, work)
        except Exception as exc:  # noqa: BLE001
            log.exception("request on %s failed", uri)
            log_message(types.MessageType.Error, f"plancheck-lsp: request failed: {type(exc).__name__}: {exc}")
            return empty

    def guarded(handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def wrapper(params: Any) -> None:
            try:
                handler(params)
            except Exception as exc:  # noqa: BLE001
                log.exception("notification failed")
                log_message(types.MessageType.Error, f"plancheck-lsp: {type(exc).__name__}: {exc}")

        wrapper.__name__ = handler.__name__
        return wrapper

    # -- lifecycle -------------------------------------------------------------------
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        general = params.capabilities.general
        session.encoding = choose_encoding(general.position_encodings if general else None)
        apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        await fetch_configuration()

    async def fetch_configuration() -> None:
        workspace = server.client_capabilities.workspace
        if workspace is None or not workspace.configuration:
            return
        try:
            answer = await asyncio.wait_for(
                server.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=CONFIG_SECTION)])
                ),
                timeout=10,
            )
        except Exception as exc:  # noqa: BLE001 - a client that cannot answer keeps the defaults
            log.warning("workspace/configuration failed: %s", exc)
            return
        if answer:
            apply_settings(answer[0])

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        check_executor.shutdown(wait=False, cancel_futures=True)
        feature_executor.shutdown(wait=False, cancel_futures=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        data = params.settings
        if isinstance(data, dict) and isinstance(data.get(CONFIG_SECTION), dict):
            apply_settings(data[CONFIG_SECTION])
        else:
            await fetch_configuration()

    # -- documents ---------------------------------------------------------------------
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        session.opened(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        session.changed(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        session.closed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        session.files_changed_on_disk([params.text_document.uri])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        session.files_changed_on_disk([change.uri for change in params.changes])

    # -- requests ------------------------------------------------------------------------
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", "#", '"', "/"]),
    )
    async def on_completion(params: types.CompletionParams) -> types.CompletionList:
        empty = types.CompletionList(is_incomplete=False, items=[])
        return await run(params.text_document.uri, lambda ctx: completion(ctx, params.position), empty)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        return await run(params.text_document.uri, lambda ctx: hover(ctx, params.position), None)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def on_definition(params: types.DefinitionParams) -> list[types.Location]:
        return await run(params.text_document.uri, lambda ctx: definition(ctx, params.position), [])

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def on_document_symbol(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        return await run(params.text_document.uri, document_symbols, [])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def on_code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        workspace = server.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        document_changes = bool(edit and edit.document_changes)
        only = list(params.context.only) if params.context.only else None
        return await run(
            params.text_document.uri, lambda ctx: code_actions(ctx, params.range, only, document_changes), []
        )

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    async def on_formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        return await run(params.text_document.uri, format_document, [])

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    async def on_folding_range(params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        return await run(params.text_document.uri, folding_ranges, [])

    server.session = session
    return server


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="plancheck-lsp", description="The plancheck language server (LSP over stdio by default).")
    p.add_argument("--stdio", action="store_true", help="talk LSP over standard input and output (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    p.add_argument(
        "--debounce-ms", type=int, metavar="MS",
        help="delay between a change and the check that follows it (default: the client's setting, else 75)",
    )  # fmt: skip
    p.add_argument(
        "--no-incremental", action="store_true",
        help="check the whole package on every change (by default an edit re-checks only what it can change)",
    )  # fmt: skip
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")
    p.add_argument("--version", action="version", version=f"plancheck-lsp {__version__}")
    return p


def parse_address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.log_level != "DEBUG":
        # pygls logs every message it sends at INFO.
        logging.getLogger("pygls").setLevel(logging.WARNING)
    settings = Settings()
    if args.debounce_ms is not None:
        if not 0 <= args.debounce_ms <= 10_000:
            parser.error("--debounce-ms must be between 0 and 10000")
        settings = Settings(debounce_ms=args.debounce_ms)
    if args.no_incremental:
        settings = replace(settings, incremental=False)
    server = create_server(settings, fixed_debounce=args.debounce_ms is not None)
    # This process is the server's own: garbage is collected between keystrokes.
    server.session.collector.install()
    if args.tcp:
        try:
            host, port = parse_address(args.tcp)
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
        server.start_tcp(host, port)
    else:
        server.start_io()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
