"""Open editor buffers, and conversion between offsets and client positions.

The server keeps its own copy of every open buffer (``DocumentStore``) rather
than pygls's workspace: edits must be applied with the negotiated position
encoding and with positions clamped, and the checker needs immutable
snapshots it can read from a worker thread while the next edit arrives.

Positions inside the server are code-point offsets into the text (what the
AST's spans carry); only the edges convert to and from the client's units
(UTF-16 by default, UTF-8 or UTF-32 when the client offers them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from plancheck.grammar.span import LineIndex, Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def choose_encoding(offered: list[str] | None) -> str:
    """The client's first offered encoding the server supports; UTF-16 otherwise (as pygls picks)."""
    for encoding in offered or ():
        if encoding in (UTF8, UTF16, UTF32):
            return encoding
    return UTF16


@dataclass(frozen=True)
class TextDocument:
    """An immutable snapshot of a buffer (or of a file read from disk)."""

    uri: str
    text: str
    #: the client's version; None for a file read from disk
    version: int | None = None
    language_id: str = "cue"

    @cached_property
    def path(self) -> str:
        """The file path (or the URI itself for a buffer that is not a file)."""
        return uri_to_path(self.uri)

    @cached_property
    def index(self) -> LineIndex:
        return LineIndex(self.text)

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path) if is_file_uri(self.uri) else self.uri

    # -- positions ---------------------------------------------------------------
    def offset_at(self, position: types.Position, encoding: str) -> int:
        """Code-point offset of a client position, clamped to the text."""
        return self.index.from_units(max(position.line, 0), max(position.character, 0), encoding)

    def position_at(self, offset: int, encoding: str) -> types.Position:
        line, character = self.index.to_units(offset, encoding)
        return types.Position(line=line, character=character)

    def range_of(self, start: int, end: int, encoding: str) -> types.Range:
        return types.Range(start=self.position_at(start, encoding), end=self.position_at(end, encoding))

    def span_range(self, span: Span, encoding: str) -> types.Range:
        return self.range_of(span.start.offset, span.end.offset, encoding)

    def minimal_edit(self, after: str, encoding: str) -> types.TextEdit:
        """One edit turning this text into ``after``: what lies between their common prefix and suffix."""
        before = self.text
        limit = min(len(before), len(after))
        prefix = 0
        while prefix < limit and before[prefix] == after[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]:
            suffix += 1
        return types.TextEdit(
            range=self.range_of(prefix, len(before) - suffix, encoding),
            new_text=after[prefix : len(after) - suffix],
        )

    def line_text(self, offset: int) -> tuple[str, int]:
        """The text of the line holding ``offset`` up to it, and the line's start offset."""
        start = self.text.rfind("\n", 0, offset) + 1
        return self.text[start:offset], start

    # -- edits -----------------------------------------------------------------------
    def apply(self, changes: list, version: int, encoding: str) -> "TextDocument":
        """The buffer after ``didChange`` content changes (ranges clamped, applied in order)."""
        text = self.text
        doc = self
        for change in changes:
            change_range = getattr(change, "range", None)
            if change_range is None:
                text = change.text
            else:
                start = doc.offset_at(change_range.start, encoding)
                end = doc.offset_at(change_range.end, encoding)
                if end < start:
                    start, end = end, start
                text = text[:start] + change.text + text[end:]
            doc = TextDocument(self.uri, text, version, self.language_id)
        return TextDocument(self.uri, text, version, self.language_id)


def is_file_uri(uri: str) -> bool:
    return uri.startswith("file:")


def uri_to_path(uri: str) -> str:
    if is_file_uri(uri):
        path = to_fs_path(uri)
        if path:
            return os.path.abspath(path)
    return uri


def path_to_uri(path: str) -> str:
    if "://" in path or path.startswith("untitled:"):
        return path
    return from_fs_path(os.path.abspath(path)) or path


@dataclass
class DocumentStore:
    """The open buffers, by URI. Open buffers override the files on disk."""

    _docs: dict[str, TextDocument] = field(default_factory=dict)

    def open(self, uri: str, text: str, version: int, language_id: str = "cue") -> TextDocument:
        doc = TextDocument(uri, text, version, language_id)
        self._docs[uri] = doc
        return doc

    def change(self, uri: str, changes: list, version: int, encoding: str) -> TextDocument | None:
        doc = self._docs.get(uri)
        if doc is None:
            return None
        doc = doc.apply(changes, version, encoding)
        self._docs[uri] = doc
        return doc

    def close(self, uri: str) -> TextDocument | None:
        return self._docs.pop(uri, None)

    def get(self, uri: str) -> TextDocument | None:
        return self._docs.get(uri)

    def get_or_read(self, uri: str) -> TextDocument | None:
        """The open buffer, else the file on disk (requests may name closed files)."""
        doc = self._docs.get(uri)
        if doc is not None:
            return doc
        if not is_file_uri(uri):
            return None
        text = read_text(uri_to_path(uri))
        return None if text is None else TextDocument(uri, text, None)

    def all(self) -> list[TextDocument]:
        return list(self._docs.values())

    def in_folder(self, folder: str) -> list[TextDocument]:
        return [d for d in self._docs.values() if d.folder == folder]

    def overlays(self) -> dict[str, str]:
        """Path -> text of every open file buffer (what the checker reads instead of the disk)."""
        return {d.path: d.text for d in self._docs.values() if is_file_uri(d.uri)}


def read_text(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return None
