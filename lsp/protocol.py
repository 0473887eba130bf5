"""pygls's protocol with the two changes plancheck needs.

* A request whose parameters do not fit the LSP types is answered with an
  ``InvalidParams`` error. pygls raises while decoding it, before the request
  reaches a handler, and the client would wait for an answer forever.
* Document synchronisation is the server's own (:mod:`plancheck.lsp.documents`):
  the built-in ``didOpen``/``didChange``/``didClose`` handlers only pass the
  notification on, instead of also keeping pygls's copy of every buffer.
"""

from __future__ import annotations

import logging
from typing import Any, Generator

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol, lsp_method

log = logging.getLogger(__name__)


class _Undeliverable:
    """A message that could not be decoded; already answered if it was a request."""

    def __init__(self, data: Any) -> None:
        self.data = data


class PlancheckProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]):  # type: ignore[override]
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id") if isinstance(data, dict) else None
            if isinstance(data, dict) and "method" in data and isinstance(msg_id, (int, str)):
                self._send_response(msg_id, None, exc.to_response_error())
            log.warning("dropped an undecodable message: %s", exc)
            return _Undeliverable(data)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Undeliverable):
            return
        if not hasattr(message, "jsonrpc"):
            # Valid JSON that is not a JSON-RPC object (a list, a number, ...).
            log.warning("ignored a message that is not JSON-RPC: %.200r", message)
            if isinstance(message, dict) and isinstance(message.get("id"), (int, str)):
                self._send_response(message["id"], None, JsonRpcInvalidRequest().to_response_error())
            return
        super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None
