"""Formatting: the document as ``cue fmt`` (CUE v0.4) prints it."""

from __future__ import annotations

from lsprotocol import types

from plancheck.grammar.format import format_text
from plancheck.lsp.analysis import FeatureContext


def format_document(ctx: FeatureContext) -> list[types.TextEdit]:
    """One edit covering what changes; none when the text is canonical or does not parse."""
    if not ctx.parsed.result.ok:
        return []
    formatted = format_text(ctx.document.text, check_syntax=False)
    if formatted is None or formatted == ctx.document.text:
        return []
    return [ctx.document.minimal_edit(formatted, ctx.encoding)]
