"""``--format full`` (the default): location, code and message, the source line
under a gutter with a caret underline, and the fix as a ``help:`` line.

    examples/app.cue:7:6: CUE001 missing ',' before 'd'
      |
    7 | c: 1 d: 2
      |      ^
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.render import RenderInput
from plancheck.grammar.span import LineIndex

TAB = "    "

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_BLUE = "\x1b[34m"
_CYAN = "\x1b[36m"


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *codes: str) -> str:
        if not self.enabled or not text:
            return text
        return "".join(codes) + text + _RESET


def render(data: RenderInput) -> str:
    style = _Style(data.color)
    indexes: dict[str, LineIndex] = {}
    out: list[str] = []
    for d in data.diagnostics:
        text = data.sources.get(d.path)
        index = None
        if text is not None:
            index = indexes.get(d.path)
            if index is None:
                index = indexes[d.path] = LineIndex(text)
        out.append(render_one(d, index, style))
    if not data.quiet:
        out.append(summary(data, style))
    return "\n".join(out)


def render_one(d: Diagnostic, index: LineIndex | None, style: _Style) -> str:
    colour = _RED if d.severity is Severity.ERROR else _YELLOW
    start = d.span.start
    head = (
        f"{style(d.path, _BOLD)}:{start.line}:{start.column}: "
        f"{style(d.code, _BOLD, colour)} {d.message}"
    )
    lines = [head]
    if index is not None and start.line <= index.line_count:
        lines.extend(_snippet(d, index, style, colour))
    if d.fix is not None:
        note = "" if d.fix.applicability.value == "safe" else " (unsafe fix)"
        width = len(str(start.line))
        lines.append(f"{' ' * width} {style('=', _BLUE, _BOLD)} {style('help', _CYAN, _BOLD)}: {d.fix.message}{note}")
    for rel in d.related:
        lines.append(f"{' ' * len(str(start.line))} {style('=', _BLUE, _BOLD)} note: {rel.message} ({rel.path}:{rel.span.start.line}:{rel.span.start.column})")
    return "\n".join(lines) + "\n"


def _snippet(d: Diagnostic, index: LineIndex, style: _Style, colour: str) -> list[str]:
    start, end = d.span.start, d.span.end
    line_text = index.line_text(start.line)
    line_start = index.line_start(start.line)
    col0 = start.offset - line_start
    if end.line == start.line:
        col1 = max(end.offset - line_start, col0)
    else:
        col1 = len(line_text)
    shown, offsets = _display(line_text)
    caret_from = offsets[min(col0, len(line_text))]
    caret_to = offsets[min(col1, len(line_text))]
    carets = "^" * max(caret_to - caret_from, 1)
    gutter = " " * len(str(start.line))
    bar = style("|", _BLUE, _BOLD)
    return [
        f"{gutter} {bar}",
        f"{style(str(start.line), _BLUE, _BOLD)} {bar} {shown}",
        f"{gutter} {bar} {' ' * caret_from}{style(carets, colour, _BOLD)}",
    ]


def _display(line: str) -> tuple[str, list[int]]:
    """The line as printed (tabs expanded) and the display column of every character offset."""
    shown: list[str] = []
    offsets = [0]
    col = 0
    for ch in line:
        if ch == "\t":
            piece = TAB
        elif not ch.isprintable():
            piece = " "
        else:
            piece = ch
        shown.append(piece)
        col += len(piece) if ch == "\t" else _width(ch)
        offsets.append(col)
    return "".join(shown), offsets


def _width(ch: str) -> int:
    if ch.isascii():
        return 1
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def summary(data: RenderInput, style: _Style | None = None) -> str:
    """The closing line(s): what was fixed, then what remains."""
    style = style or _Style(False)
    diagnostics = data.diagnostics
    lines = []
    if data.fixed:
        lines.append(style(f"Fixed {_plural(data.fixed, 'problem')}.", _BOLD))
    if not diagnostics:
        lines.append(style(f"All checks passed ({_plural(data.files_checked, 'file')}).", _BOLD))
        return "\n".join(lines) + "\n"
    counts = Counter(d.severity for d in diagnostics)
    parts = []
    for sev, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note")):
        n = counts.get(sev, 0)
        if n:
            parts.append(_plural(n, word))
    safe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability.value == "safe")
    unsafe = sum(1 for d in diagnostics if d.fix is not None and d.fix.applicability.value != "safe")
    notes = []
    if data.unsafe_fixes and safe + unsafe:
        notes.append(f"{safe + unsafe} fixable with --fix --unsafe-fixes")
    else:
        if safe:
            notes.append(f"{safe} fixable with --fix")
        if unsafe:
            notes.append(f"{unsafe} more with --unsafe-fixes" if safe else f"{unsafe} fixable with --fix --unsafe-fixes")
    tail = f" ({', '.join(notes)})" if notes else ""
    lines.append(style("Found " + " and ".join(parts) + tail + ".", _BOLD))
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
