"""Packages, parses and checks: what editor features work on.

A buffer's *package* is every ``.cue`` file of its folder, open or on disk
(open buffers win); a change re-checks the whole package through the same
pipeline as the CLI (``check_sources``, then configuration, suppression
comments, selection and severity through ``run.finish``). Features get a
:class:`FeatureContext`: the parsed document, the other files of its package
(parsed on demand), the bundled schema and the last check of the package.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Callable, Sequence

from lsprotocol import types

from plancheck.checker.check import CheckOptions, Report, check_sources
from plancheck.checker.config import ConfigError, ConfigResolver
from plancheck.checker.config import Settings as ProjectSettings
from plancheck.checker.diagnostics import Diagnostic
from plancheck.checker.incremental import IncrementalChecker
from plancheck.checker.run import finish
from plancheck.checker.sources import Source
from plancheck.grammar import parse
from plancheck.grammar.parser import ParseResult
from plancheck.grammar.span import Span

from plancheck.lsp.documents import TextDocument, is_file_uri, path_to_uri, read_text
from plancheck.lsp.schema import Schema, load_schema
from plancheck.lsp.settings import Settings
from plancheck.lsp.syntax import SourceFile


@dataclass(frozen=True)
class ParsedDocument:
    document: TextDocument
    result: ParseResult

    @property
    def tree(self):
        return self.result.file

    @property
    def text(self) -> str:
        return self.document.text

    @cached_property
    def source(self) -> SourceFile:
        return SourceFile(self.document.path, self.document.text, self.result.file)


class ParseCache:
    """Parses by file and text, shared by threads.

    Each file keeps its last two texts (the buffer being edited and the one
    before it), so a 50,000-line buffer edited many times does not pile up parses.
    """

    def __init__(self, files: int = 64, versions: int = 2) -> None:
        self._files = files
        self._versions = versions
        self._entries: OrderedDict[str, OrderedDict[str, ParseResult]] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, document: TextDocument, result: ParseResult) -> None:
        """Keep a parse made elsewhere (a whole check's) for requests on ``document``."""
        with self._lock:
            texts = self._entries.setdefault(document.path, OrderedDict())
            texts[document.text] = result
            while len(texts) > self._versions:
                texts.popitem(last=False)
            self._entries.move_to_end(document.path)
            while len(self._entries) > self._files:
                self._entries.popitem(last=False)

    def parse(self, document: TextDocument) -> ParsedDocument:
        with self._lock:
            texts = self._entries.get(document.path)
            found = texts.get(document.text) if texts is not None else None
            if found is not None:
                self._entries.move_to_end(document.path)
                return ParsedDocument(document, found)
        result = parse(document.text, document.path)
        self.store(document, result)
        return ParsedDocument(document, result)


# ---------------------------------------------------------------------------
# Packages


@dataclass(frozen=True)
class PackageSnapshot:
    """The files of one package at one moment: open buffers (with versions) and files on disk."""

    folder: str
    documents: tuple[TextDocument, ...]
    #: path -> text of every open buffer (imported packages read them too)
    overlays: dict[str, str] = field(default_factory=dict)

    def versions(self) -> dict[str, int | None]:
        return {d.uri: d.version for d in self.documents}


def snapshot_package(folder: str, open_docs: Sequence[TextDocument], overlays: dict[str, str]) -> PackageSnapshot:
    """Every ``.cue`` file of ``folder``: the open buffer where there is one, else the disk."""
    by_path = {d.path: d for d in open_docs}
    documents: list[TextDocument] = list(by_path.values())
    if os.path.isabs(folder):
        try:
            with os.scandir(folder) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".cue") and e.is_file())
        except OSError:
            names = []
        for name in names:
            path = os.path.join(folder, name)
            if path in by_path:
                continue
            text = read_text(path)
            if text is not None:
                documents.append(TextDocument(path_to_uri(path), text, None))
    documents.sort(key=lambda d: d.path)
    return PackageSnapshot(folder, tuple(documents), dict(overlays))


@dataclass
class CheckedPackage:
    """The result of checking a package snapshot."""

    snapshot: PackageSnapshot
    #: what the user sees (suppression, selection and severity applied), sorted
    diagnostics: list[Diagnostic]
    report: Report
    #: seconds spent in the check
    elapsed: float
    warnings: list[str] = field(default_factory=list)
    #: the check evaluated only what the last edit could change (``report``'s
    #: diagnostics are whole, its evaluations and plans are not)
    partial: bool = False
    #: what a whole check of the same snapshot needs
    rerun: tuple[list[Source], CheckOptions] | None = None
    _complete: Report | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def complete_report(self) -> Report:
        """A report whose evaluations and plans cover the whole package (checked on
        first use when the check was partial: hover needs it, typing does not)."""
        if not self.partial or self.rerun is None:
            return self.report
        with self._lock:
            if self._complete is None:
                self._complete = check_sources(*self.rerun)
            return self._complete

    def for_path(self, path: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.path == path]

    def document(self, uri: str) -> TextDocument | None:
        for d in self.snapshot.documents:
            if d.uri == uri:
                return d
        return None


def project_settings(folder: str, settings: Settings) -> tuple[ProjectSettings, list[str]]:
    """The configuration file's settings for ``folder``; the editor's default platform fills in
    only where no configuration file exists (a project's file speaks for the project)."""
    warnings: list[str] = []
    base = Path(folder) if os.path.isabs(folder) else Path.cwd()
    try:
        found = ConfigResolver(cwd=base).for_folder(base)
    except ConfigError as exc:
        warnings.append(f"plancheck configuration: {exc}")
        found = ProjectSettings(root=base)
    except OSError as exc:
        warnings.append(f"plancheck configuration: {exc}")
        found = ProjectSettings(root=base)
    if found.config_file is None and settings.default_platform:
        found = replace(found, default_platform=settings.default_platform)
    return found, warnings


def check_package(
    snapshot: PackageSnapshot, settings: Settings, incremental: IncrementalChecker | None = None
) -> CheckedPackage:
    """Check a package snapshot the way the CLI would, with the editor's buffers.

    With ``incremental`` (the package's last check), an edit re-checks only
    what it can change; the diagnostics are those of a whole check.
    """
    started = time.perf_counter()
    project, warnings = project_settings(snapshot.folder, settings)
    sources = [Source(d.path, d.text) for d in snapshot.documents]
    options = CheckOptions(default_platform=project.default_platform, overlays=dict(snapshot.overlays), include_siblings=False)
    if incremental is not None:
        result = incremental.check(sources, options)
        report, partial = result.report, result.partial
    else:
        report, partial = check_sources(sources, options), False
    texts = {d.path: d.text for d in snapshot.documents}
    shown = finish(report.diagnostics, texts, project)
    elapsed = time.perf_counter() - started
    return CheckedPackage(snapshot, shown, report, elapsed, warnings, partial, (sources, options))


# ---------------------------------------------------------------------------
# Publishing


@dataclass
class PublishedDiagnostics:
    """What was last published, so that stale diagnostics are cleared and unchanged ones not resent."""

    #: folder -> uris published for it
    by_folder: dict[str, set[str]] = field(default_factory=dict)
    #: uri -> (version, diagnostics) last sent
    last: dict[str, tuple[int | None, list[types.Diagnostic]]] = field(default_factory=dict)

    def plan(
        self,
        checked: CheckedPackage,
        convert: Callable[[Diagnostic, TextDocument], types.Diagnostic],
    ) -> list[types.PublishDiagnosticsParams]:
        """The notifications to send after a check: every buffer (its version moved on), every
        file whose list changed, and empty lists for files that left the package."""
        out: list[types.PublishDiagnosticsParams] = []
        folder = checked.snapshot.folder
        by_path = {d.path: d for d in checked.snapshot.documents}
        grouped: dict[str, list[types.Diagnostic]] = {d.uri: [] for d in checked.snapshot.documents}
        for diag in checked.diagnostics:
            document = by_path.get(diag.path)
            if document is not None:
                grouped[document.uri].append(convert(diag, document))
        versions = checked.snapshot.versions()
        current = set(grouped)
        for uri in self.by_folder.get(folder, set()) - current:
            if self.last.get(uri, (None, []))[1]:
                grouped[uri] = []
            else:
                self.last.pop(uri, None)
        for uri in sorted(grouped):
            items = grouped[uri]
            version = versions.get(uri)
            last = self.last.get(uri)
            if last == (version, items):
                continue
            if last is None and not items and version is None:
                continue  # a file on disk that never had diagnostics
            self.last[uri] = (version, items)
            out.append(types.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=version))
        self.by_folder[folder] = current
        return out

    def clear_folder(self, folder: str) -> list[types.PublishDiagnosticsParams]:
        out = []
        for uri in sorted(self.by_folder.pop(folder, set())):
            if self.last.pop(uri, (None, []))[1]:
                out.append(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        return out


# ---------------------------------------------------------------------------
# What features see


@dataclass
class FeatureContext:
    """One request's view of a document and its package."""

    parsed: ParsedDocument
    encoding: str
    schema: Schema
    #: the other files of the package, parsed on demand
    package_loader: Callable[[], Sequence[SourceFile]] = lambda: ()
    #: the last check of the package (may be for an older version of the buffer)
    checked: CheckedPackage | None = None
    #: open buffers by path (imports resolve through them)
    overlays: dict[str, str] = field(default_factory=dict)

    @property
    def document(self) -> TextDocument:
        return self.parsed.document

    @property
    def source(self) -> SourceFile:
        return self.parsed.source

    @cached_property
    def package(self) -> Sequence[SourceFile]:
        return tuple(self.package_loader())

    def offset(self, position: types.Position) -> int:
        return self.document.offset_at(position, self.encoding)

    def range(self, span: Span) -> types.Range:
        return self.document.span_range(span, self.encoding)

    def location(self, path: str, span: Span) -> types.Location:
        """A location in any file (read from the package, the buffers or the disk)."""
        text = self.text_of(path)
        document = TextDocument(path_to_uri(path), text if text is not None else "")
        return types.Location(uri=document.uri, range=document.span_range(span, self.encoding))

    def text_of(self, path: str) -> str | None:
        if path == self.document.path:
            return self.document.text
        for other in self.package:
            if other.path == path:
                return other.text
        if path in self.overlays:
            return self.overlays[path]
        return read_text(path)

    @property
    def current(self) -> bool:
        """Whether the last check saw this very version of the buffer."""
        if self.checked is None:
            return False
        seen = self.checked.document(self.document.uri)
        return seen is not None and seen.text == self.document.text


def make_context(
    document: TextDocument,
    open_docs: Sequence[TextDocument],
    overlays: dict[str, str],
    cache: ParseCache,
    encoding: str,
    checked: CheckedPackage | None,
) -> FeatureContext:
    """The context of one request; ``open_docs`` are the open buffers of the document's folder."""
    parsed = cache.parse(document)

    def package() -> list[SourceFile]:
        if not is_file_uri(document.uri):
            return []
        snapshot = snapshot_package(document.folder, open_docs, overlays)
        return [cache.parse(d).source for d in snapshot.documents if d.path != document.path]

    return FeatureContext(parsed, encoding, load_schema(), package, checked, dict(overlays))
