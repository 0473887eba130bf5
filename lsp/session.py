"""One editor session: buffers, settings, scheduled checks and published diagnostics.

The server (:mod:`plancheck.lsp.server`) turns LSP messages into calls on a
:class:`Session`; the session never touches the connection itself, it sends
through the ``publish`` and ``log`` callbacks it was given, so it can be
driven directly in tests.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable

from lsprotocol import types

from plancheck.checker.incremental import IncrementalChecker
from plancheck.grammar.parser import ParseResult
from plancheck.lsp.analysis import (
    CheckedPackage,
    FeatureContext,
    PackageSnapshot,
    ParseCache,
    PublishedDiagnostics,
    check_package,
    make_context,
    snapshot_package,
)
from plancheck.lsp.collector import IdleCollector
from plancheck.lsp.documents import UTF16, DocumentStore, TextDocument, is_file_uri, uri_to_path
from plancheck.lsp.features.diagnostics import to_lsp
from plancheck.lsp.scheduler import CheckScheduler
from plancheck.lsp.settings import Settings

log = logging.getLogger(__name__)

#: files whose change can alter every check (configuration, environment values)
_CONFIG_NAMES = frozenset({"pyproject.toml", ".plancheck.toml", "values.yaml", "module.cue"})


@dataclass
class Session:
    publish: Callable[[types.PublishDiagnosticsParams], None]
    log_message: Callable[[types.MessageType, str], None]
    check_executor: Executor
    settings: Settings = field(default_factory=Settings)
    encoding: str = UTF16
    documents: DocumentStore = field(default_factory=DocumentStore)
    parses: ParseCache = field(default_factory=ParseCache)
    #: folder -> the last check published for it
    checked: dict[str, CheckedPackage] = field(default_factory=dict)
    published: PublishedDiagnostics = field(default_factory=PublishedDiagnostics)
    #: file read by a check -> folders whose check read it (imported packages, cue.mod)
    dependents: dict[str, set[str]] = field(default_factory=dict)
    #: folder -> its last check, which the next edit's check builds on
    incremental: dict[str, IncrementalChecker] = field(default_factory=dict)
    #: collects garbage between keystrokes (installed by the server's main)
    collector: IdleCollector = field(default_factory=IdleCollector)
    _warned: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.scheduler: CheckScheduler[PackageSnapshot, CheckedPackage] = CheckScheduler(
            snapshot=self.snapshot,
            check=lambda snapshot: check_package(snapshot, self.settings, self._incremental(snapshot.folder)),
            publish=self._publish,
            on_error=self._check_failed,
            executor=self.check_executor,
        )

    # -- buffers -------------------------------------------------------------------
    def opened(self, item: types.TextDocumentItem) -> None:
        doc = self.documents.open(item.uri, item.text, item.version, item.language_id)
        self.changed_file(doc.path, doc.folder, delay=0)

    def changed(self, params: types.DidChangeTextDocumentParams) -> None:
        doc = self.documents.change(
            params.text_document.uri, list(params.content_changes), params.text_document.version, self.encoding
        )
        if doc is None:
            log.warning("change to a document that is not open: %s", params.text_document.uri)
            return
        self.collector.activity()
        self.changed_file(doc.path, doc.folder)

    def closed(self, uri: str) -> None:
        doc = self.documents.close(uri)
        if doc is None:
            return
        if self.documents.in_folder(doc.folder):
            # The file on disk takes the buffer's place in its package.
            self.changed_file(doc.path, doc.folder, delay=0)
            return
        self.scheduler.forget(doc.folder)
        self.checked.pop(doc.folder, None)
        self.incremental.pop(doc.folder, None)
        for params in self.published.clear_folder(doc.folder):
            self.publish(params)

    def changed_file(self, path: str, folder: str, delay: float | None = None) -> None:
        """Re-check the package of ``path`` and every open package that read it."""
        wait = self.settings.debounce_ms / 1000 if delay is None else delay
        if self.documents.in_folder(folder):
            self.scheduler.schedule(folder, wait)
        # A check depends on the files it read and on the folders it looked into
        # (a file created in an import's folder changes that import).
        readers = self.dependents.get(path, set()) | self.dependents.get(os.path.dirname(path), set())
        for other in sorted(readers):
            if other != folder and self.documents.in_folder(other):
                self.scheduler.schedule(other, wait)

    def files_changed_on_disk(self, uris: list[str]) -> None:
        # What a check read may have changed: the next checks start whole.
        for checker in self.incremental.values():
            checker.invalidate()
        if any(os.path.basename(uri_to_path(u)) in _CONFIG_NAMES for u in uris):
            self.recheck_all()
            return
        for uri in uris:
            path = uri_to_path(uri)
            self.changed_file(path, os.path.dirname(path))

    def recheck_all(self) -> None:
        for folder in sorted({d.folder for d in self.documents.all()}):
            self.scheduler.schedule(folder, 0)

    def update_settings(self, data: object) -> None:
        settings, warnings = self.settings.merged(data)
        for warning in warnings:
            self.log_message(types.MessageType.Warning, warning)
        if settings != self.settings:
            self.settings = settings
            for checker in self.incremental.values():
                checker.invalidate()
            self.recheck_all()

    # -- checks ----------------------------------------------------------------------
    def _incremental(self, folder: str) -> IncrementalChecker | None:
        if not self.settings.incremental:
            return None
        return self.incremental.setdefault(folder, IncrementalChecker())

    def snapshot(self, folder: str) -> PackageSnapshot:
        open_docs = self.documents.in_folder(folder)
        if not is_file_uri(open_docs[0].uri if open_docs else "file:"):
            return PackageSnapshot(folder, tuple(open_docs), {})
        return snapshot_package(folder, open_docs, self.documents.overlays())

    def _publish(self, checked: CheckedPackage) -> None:
        folder = checked.snapshot.folder
        if not self.documents.in_folder(folder):
            return  # closed while it was being checked
        self.checked[folder] = checked
        if not checked.partial:
            # A whole check parsed every buffer: requests need not parse them again.
            for document in checked.snapshot.documents:
                result = checked.report.parses.get(document.path)
                if isinstance(result, ParseResult):
                    self.parses.store(document, result)
        for dependency in checked.report.dependencies:
            self.dependents.setdefault(os.path.abspath(dependency), set()).add(folder)
        for warning in checked.warnings:
            if warning not in self._warned:
                self._warned.add(warning)
                self.log_message(types.MessageType.Warning, warning)
        log.debug("checked %s in %.1f ms", folder, checked.elapsed * 1000)
        for params in self.published.plan(checked, self._convert(checked)):
            self.publish(params)
        self.collector.published()

    def _convert(self, checked: CheckedPackage) -> Callable:
        by_path = {d.path: d for d in checked.snapshot.documents}

        def convert(diagnostic, document: TextDocument) -> types.Diagnostic:
            return to_lsp(diagnostic, document, self.encoding, by_path.get)

        return convert

    def _check_failed(self, folder: str, exc: BaseException) -> None:
        self.log_message(types.MessageType.Error, f"plancheck: checking {folder} failed: {type(exc).__name__}: {exc}")

    # -- requests ----------------------------------------------------------------------
    def context(self, uri: str) -> Callable[[], FeatureContext] | None:
        """A factory for the context of a request on ``uri`` (None for an unknown document).

        What belongs to the event loop (the buffers) is captured now; the
        parse runs when the factory is called, on a worker thread.
        """
        document = self.documents.get_or_read(uri)
        if document is None:
            return None
        open_docs = self.documents.in_folder(document.folder)
        overlays = self.documents.overlays()
        checked = self.checked.get(document.folder)
        encoding = self.encoding
        parses = self.parses

        def make() -> FeatureContext:
            return make_context(document, open_docs, overlays, parses, encoding, checked)

        return make

    async def pending_checks(self) -> None:
        """Wait until no check is scheduled or running (tests and benchmarks)."""
        while self.scheduler.pending():
            await asyncio.sleep(0.01)
