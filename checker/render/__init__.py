"""Output formats of ``plancheck``: one module per format, all rendering the same diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Mapping, Sequence

from plancheck.checker.diagnostics import Diagnostic

#: format name -> module under plancheck.checker.render
_MODULES = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
}
FORMATS = tuple(_MODULES)


@dataclass(frozen=True)
class RenderInput:
    diagnostics: Sequence[Diagnostic]
    #: path -> text, for source snippets
    sources: Mapping[str, str] = field(default_factory=dict)
    files_checked: int = 0
    color: bool = False
    #: problems fixed by this run (``--fix``)
    fixed: int = 0
    #: count unsafe fixes as available (``--unsafe-fixes``)
    unsafe_fixes: bool = False
    #: no summary line (``--quiet``)
    quiet: bool = False
    #: absolute folder that relative paths are relative to (SARIF ``originalUriBaseIds``)
    root: str | None = None


def render(fmt: str, data: RenderInput) -> str:
    try:
        name = _MODULES[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}") from None
    return import_module(f"plancheck.checker.render.{name}").render(data)
