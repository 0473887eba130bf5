"""Output formats of ``plancheck``: one module per format, all rendering the same diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from plancheck.checker.diagnostics import Diagnostic

FORMATS = ("full", "json")


@dataclass(frozen=True)
class RenderInput:
    diagnostics: Sequence[Diagnostic]
    #: path -> text, for source snippets
    sources: Mapping[str, str] = field(default_factory=dict)
    files_checked: int = 0
    color: bool = False


def render(fmt: str, data: RenderInput) -> str:
    if fmt == "full":
        from plancheck.checker.render import full

        return full.render(data)
    if fmt == "json":
        from plancheck.checker.render import json_format

        return json_format.render(data)
    raise ValueError(f"unknown format {fmt!r}")
