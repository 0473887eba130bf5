"""The LALR(1) tables of ``cue.lark``.

Lark analyses the grammar and builds the tables once; they are then saved
(``marshal``: plain dicts and tuples) under the user's cache folder, keyed by
the grammar's content and the Python version, so that later runs load them in
a millisecond without importing Lark at all (start-up time matters: plancheck
runs in pre-commit on every commit).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from plancheck.grammar.lalr import Tables

GRAMMAR = Path(__file__).with_name("cue.lark")
_FORMAT = 1  # bump when the saved layout changes


def build() -> Tables:
    """The LALR tables of ``cue.lark`` (from the cache when it is current)."""
    text = GRAMMAR.read_bytes()
    key = hashlib.sha256(text + f"{_FORMAT}-{sys.version_info[:2]}".encode()).hexdigest()[:24]
    path = _cache_dir() / f"cue-tables-{key}.marshal"
    tables = _load(path)
    if tables is None:
        tables = _analyse(text.decode("utf-8"))
        _save(path, tables)
    return tables


def _analyse(grammar: str) -> Tables:
    from lark import Lark
    from lark.lexer import Lexer

    from plancheck.grammar.lalr import build_tables

    class TokenList(Lexer):
        """Lark's custom-lexer hook; never lexes: ``parse`` feeds the parser itself."""

        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, data: Any):  # pragma: no cover - unused
            return iter(())

    lark = Lark(grammar, parser="lalr", lexer=TokenList, maybe_placeholders=False)
    parser = lark.parser.parser.parser  # frontend -> LALR_Parser -> _Parser
    full = build_tables(parser.parse_table)
    # The Rule objects are only needed to plan the callbacks; drop them.
    return Tables(full.actions, full.gotos, full.start, full.end, (), full.identity, full.callback_plan)


def _load(path: Path) -> Tables | None:
    try:
        data = marshal.loads(path.read_bytes())
        actions, gotos, start, end, identity, plan = data
        return Tables(actions, gotos, start, end, (), frozenset(identity), tuple(plan))
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _save(path: Path, t: Tables) -> None:
    data = marshal.dumps((t.actions, t.gotos, t.start, t.end, tuple(sorted(t.identity)), t.callback_plan))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs speed


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or tempfile.gettempdir()
    return Path(base) / "plancheck"
