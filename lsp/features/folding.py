"""Folding ranges: structs, lists, multi-line strings, import blocks and comment blocks."""

from __future__ import annotations

from lsprotocol import types

from plancheck.grammar import ast
from plancheck.lsp.analysis import FeatureContext


def folding_ranges(ctx: FeatureContext) -> list[types.FoldingRange]:
    tree = ctx.parsed.tree
    out: list[types.FoldingRange] = []
    for node in ast.walk(tree):
        kind = None
        if isinstance(node, ast.StructLit) and not node.implicit:
            pass
        elif isinstance(node, ast.ListLit):
            pass
        elif isinstance(node, (ast.String, ast.Interpolation)) and node.multiline:
            pass
        elif isinstance(node, ast.ImportDecl) and node.grouped:
            kind = types.FoldingRangeKind.Imports
        else:
            continue
        # Lines are 0-based; the closing line stays visible, as editors expect.
        start = node.span.start.line - 1
        end = node.span.end.line - 2
        if end > start:
            out.append(types.FoldingRange(start_line=start, end_line=end, kind=kind))
    out.extend(_comment_blocks(tree))
    out.sort(key=lambda r: (r.start_line, -r.end_line))
    return out


def _comment_blocks(tree: ast.File) -> list[types.FoldingRange]:
    out = []
    lines = sorted(c.span.start.line for c in tree.comments if c.own_line)
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and lines[j + 1] == lines[j] + 1:
            j += 1
        if j > i:
            out.append(types.FoldingRange(start_line=lines[i] - 1, end_line=lines[j] - 1, kind=types.FoldingRangeKind.Comment))
        i = j + 1
    return out
