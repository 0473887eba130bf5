"""``--statistics``: how many times each code was reported, most frequent first (like ruff).

     3  PLT002  [*] non-canonical-platform
     1  CUE001      syntax-error

``[*]`` marks codes whose diagnostics ``--fix`` can all fix. With
``--format json`` the same table is a JSON array.
"""

from __future__ import annotations

from typing import Sequence

from plancheck.checker.run import Statistic


def render_text(stats: Sequence[Statistic]) -> str:
    if not stats:
        return ""
    count_w = max(len(str(s.count)) for s in stats)
    code_w = max(len(s.code) for s in stats)
    lines = []
    for s in stats:
        mark = "[*]" if s.fixable == s.count else "[-]" if s.fixable else "   "
        lines.append(f"{s.count:>{count_w}}  {s.code:<{code_w}}  {mark} {s.name}".rstrip() + "\n")
    return "".join(lines)


def render_json(stats: Sequence[Statistic]) -> str:
    import json

    items = [{"code": s.code, "name": s.name, "count": s.count, "fixable": s.fixable} for s in stats]
    return json.dumps(items, indent=2) + "\n"
