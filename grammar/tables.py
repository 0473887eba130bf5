"""The LALR(1) tables of ``cue.lark``, built by Lark (imported lazily by the parser).

Lark caches the analysed grammar on disk, so only the first run after an
install or a grammar change pays for building the tables.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lark import Lark
from lark import __version__ as lark_version
from lark.lexer import Lexer

from plancheck.grammar.lalr import Tables, build_tables

GRAMMAR = Path(__file__).with_name("cue.lark")


class TokenList(Lexer):
    """Lark's custom-lexer hook; never lexes: the parser is fed by ``parse`` itself."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, data: Any):  # pragma: no cover - unused
        return iter(())


def build() -> Tables:
    """The LALR tables of ``cue.lark``."""
    lark = Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=TokenList,
        maybe_placeholders=False,
        cache=_cache_path(),
    )
    parser = lark.parser.parser.parser  # frontend -> LALR_Parser -> _Parser
    return build_tables(parser.parse_table)


def _cache_path() -> str | bool:
    tag = f"{lark_version}-py{sys.version_info[0]}{sys.version_info[1]}-{GRAMMAR.stat().st_mtime_ns}"
    base = os.environ.get("XDG_CACHE_HOME") or tempfile.gettempdir()
    try:
        folder = Path(base) / "plancheck"
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / f"cue-lalr-{tag}.cache")
    except OSError:
        return False
