"""Quick fixes for diagnostics, and "fix all safe problems in this file"."""

from __future__ import annotations

from lsprotocol import types

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit
from plancheck.checker.fixes import apply_fixes
from plancheck.grammar import parse
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.features.diagnostics import to_lsp

#: the kind editors run on save ("editor.codeActionsOnSave": {"source.fixAll": true})
FIX_ALL_KIND = "source.fixAll.plancheck"


def code_actions(
    ctx: FeatureContext,
    selection: types.Range,
    only: list[str] | None = None,
    document_changes: bool = False,
) -> list[types.CodeAction]:
    """The fixes that apply to ``selection``, and the fix-all source action.

    Fixes are offered only when the last check saw this very version of the
    buffer: their offsets would be wrong for any other.
    """
    if ctx.checked is None or not ctx.current:
        return []
    found = ctx.checked.for_path(ctx.document.path)
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        start, end = ctx.offset(selection.start), ctx.offset(selection.end)
        for diag in found:
            if diag.fix is None or not diag.fix.edits:
                continue
            if diag.span.end.offset < start or diag.span.start.offset > end:
                continue
            safe = diag.fix.applicability is Applicability.SAFE
            title = diag.fix.message or f"fix {diag.code}"
            actions.append(
                types.CodeAction(
                    title=title if safe else f"{title} (unsafe)",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[to_lsp(diag, ctx.document, ctx.encoding)],
                    edit=_workspace_edit(ctx, _text_edits(ctx, diag.fix.edits), document_changes),
                    is_preferred=safe,
                )
            )
    if _wanted(FIX_ALL_KIND, only):
        action = fix_all(ctx, found, document_changes)
        if action is not None:
            actions.append(action)
    return actions


def fix_all(ctx: FeatureContext, found: list[Diagnostic], document_changes: bool = False) -> types.CodeAction | None:
    """Every safe fix of the file that overlaps no other, as one edit; None if there is none.

    Like ``plancheck --fix``, a fix that would leave the file unparseable is not offered.
    """
    safe = [d for d in found if d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.SAFE]
    if not safe:
        return None
    text = ctx.document.text
    fixed_text, fixed = apply_fixes(text, safe)
    if not fixed or fixed_text == text:
        return None
    if parse(text, ctx.document.path).ok and not parse(fixed_text, ctx.document.path).ok:
        return None
    edit = ctx.document.minimal_edit(fixed_text, ctx.encoding)
    count = len(fixed)
    return types.CodeAction(
        title=f"Fix all safe problems in this file ({count} fix{'es' if count != 1 else ''})",
        kind=FIX_ALL_KIND,
        diagnostics=[to_lsp(d, ctx.document, ctx.encoding) for d in fixed],
        edit=_workspace_edit(ctx, [edit], document_changes),
    )


def _text_edits(ctx: FeatureContext, edits: tuple[Edit, ...]) -> list[types.TextEdit]:
    return [types.TextEdit(range=ctx.range(e.span), new_text=e.text) for e in edits]


def _workspace_edit(ctx: FeatureContext, edits: list[types.TextEdit], document_changes: bool) -> types.WorkspaceEdit:
    if document_changes:
        # The version makes the editor refuse the edit if the buffer changed meanwhile.
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=ctx.document.uri, version=ctx.document.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={ctx.document.uri: edits})


def _wanted(kind: str, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)
