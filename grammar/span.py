"""Source positions and spans.

Every AST node, value and diagnostic carries a :class:`Span`. Lines and
columns are 1-based and count characters (Unicode code points); ``offset`` is
the 0-based code-point index into the text (what Python slicing needs) and
``byte`` the 0-based UTF-8 byte offset. Ends are exclusive. Editors that
count in UTF-16 convert with :class:`LineIndex`.

Positions and spans are named tuples: the parser makes two per token, and a
tuple is several times cheaper to build than a frozen dataclass.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple


class Position(NamedTuple):
    line: int
    column: int
    offset: int
    byte: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class Span(NamedTuple):
    start: Position
    end: Position

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    def contains_offset(self, offset: int) -> bool:
        return self.start.offset <= offset <= self.end.offset

    def cover(self, other: "Span") -> "Span":
        """The smallest span holding both ``self`` and ``other``."""
        start = self.start if self.start.offset <= other.start.offset else other.start
        end = self.end if self.end.offset >= other.end.offset else other.end
        return Span(start, end)

    @property
    def empty(self) -> bool:
        return self.start.offset == self.end.offset


class LineIndex:
    """Converts between offsets and (line, column) positions of one text.

    Built once per text; lookups are O(log lines). Columns can be counted in
    code points, UTF-16 code units or UTF-8 bytes (LSP position encodings).
    """

    __slots__ = ("text", "_line_starts", "_ascii")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._line_starts = starts
        self._ascii = text.isascii()

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line`` (clamped)."""
        line = min(max(line, 1), len(self._line_starts))
        return self._line_starts[line - 1]

    def line_end(self, line: int) -> int:
        """Offset just past the last character of 1-based ``line`` (before ``\\r\\n``)."""
        start = self.line_start(line)
        end = self.text.find("\n", start)
        if end < 0:
            end = len(self.text)
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return end

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line) : self.line_end(line)]

    def position(self, offset: int) -> Position:
        offset = min(max(offset, 0), len(self.text))
        li = bisect.bisect_right(self._line_starts, offset) - 1
        col = offset - self._line_starts[li]
        return Position(li + 1, col + 1, offset, self.byte_offset(offset))

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))

    def byte_offset(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self.text[:offset].encode("utf-8", "surrogatepass"))

    def offset_at(self, line: int, column: int) -> int:
        """Offset of 1-based ``line`` and 1-based character ``column`` (clamped)."""
        if line > len(self._line_starts):
            return len(self.text)
        return min(self.line_start(line) + max(column - 1, 0), self.line_end(line))

    # -- editor encodings -------------------------------------------------
    def to_units(self, offset: int, encoding: str = "utf-16") -> tuple[int, int]:
        """0-based (line, character) of ``offset`` in the given encoding."""
        pos = self.position(offset)
        prefix = self.text[self._line_starts[pos.line - 1] : pos.offset]
        return pos.line - 1, _units(prefix, encoding)

    def from_units(self, line: int, character: int, encoding: str = "utf-16") -> int:
        """Offset of 0-based ``line`` and ``character`` counted in ``encoding``.

        Positions past the end of a line or of the text are clamped, as the
        LSP specification asks.
        """
        if line < 0:
            return 0
        if line >= len(self._line_starts):
            return len(self.text)
        start = self._line_starts[line]
        end = self.line_end(line + 1)
        if self._ascii or encoding == "utf-32":
            return min(start + max(character, 0), end)
        count = 0
        i = start
        while i < end and count < character:
            count += _units(self.text[i], encoding)
            i += 1
        return i


def _units(s: str, encoding: str) -> int:
    if encoding == "utf-32" or s.isascii():
        return len(s)
    if encoding == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s.encode("utf-16-le", "surrogatepass")) // 2
