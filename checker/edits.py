"""Text edits that fixes share (removing a field, replacing a value)."""

from __future__ import annotations

from plancheck.checker.diagnostics import Edit
from plancheck.grammar.span import LineIndex, Span


def remove_declaration(text: str, span: Span) -> Edit:
    """Remove the declaration at ``span`` with its separator.

    On its own line the whole line goes; inside a one-line struct the
    declaration goes with the comma before it (or after it, if it is first).
    """
    index = LineIndex(text)
    start, end = span.start.offset, span.end.offset
    line_start = index.line_start(span.start.line)
    line_end = index.line_end(span.end.line)
    before = text[line_start:start]
    after = text[end:line_end]
    if before.strip() == "" and after.strip() in ("", ","):
        stop = line_end + 1 if line_end < len(text) else line_end
        return Edit(index.span(line_start, stop), "")
    # Inline: `{a: 1, b: 2}`.
    j = end
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] == ",":
        j += 1
        while j < len(text) and text[j] in " \t":
            j += 1
        return Edit(index.span(start, j), "")
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i > 0 and text[i - 1] == ",":
        i -= 1
        return Edit(index.span(i, end), "")
    return Edit(index.span(start, end), "")
