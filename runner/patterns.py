"""``#Local`` include/exclude patterns, matched the way BuildKit's local source matches them.

Dagger passes ``include`` and ``exclude`` to ``llb.Local`` (fsutil): patterns are slash-separated
paths relative to the folder, with ``*`` (any run of characters but ``/``), ``?`` (one such
character), ``[...]`` classes, ``**`` (any number of folders) and ``\\`` escapes; an exclude
pattern starting with ``!`` re-includes what an earlier pattern excluded; the last matching
exclude pattern wins. A pattern that matches a folder matches everything below it. With
includes, a path is kept when it, or a folder above it, matches an include pattern; folders on
the way to an included path are kept so the path has somewhere to live. Dagger always excludes
``**/.dagger/`` (its own state).

The runner materialises the filtered folder itself (see `runner.contexts`) so both engines get
the same files: buildah 1.28 has no ``COPY --exclude`` and BuildKit's named local contexts read
only a ``.dockerignore``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

DAGGER_EXCLUDE = "**/.dagger/"


def _clean(pattern: str) -> str:
    parts = [part for part in pattern.strip().split("/") if part not in ("", ".")]
    return "/".join(parts)


def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    #: the literal folders the pattern starts with (to know which folders may hold matches)
    prefix: tuple[str, ...]


def _rule(pattern: str) -> _Rule | None:
    negated = pattern.startswith("!")
    cleaned = _clean(pattern[1:] if negated else pattern)
    if not cleaned:
        return None
    prefix: list[str] = []
    for part in cleaned.split("/"):
        if any(c in part for c in "*?[\\"):
            break
        prefix.append(part)
    return _Rule(_compile(cleaned), negated, tuple(prefix))


def _matches_or_parent(rule: _Rule, path: str) -> bool:
    parts = path.split("/")
    return any(rule.regex.fullmatch("/".join(parts[:end])) for end in range(len(parts), 0, -1))


@dataclass(frozen=True)
class PathFilter:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    _includes: tuple[_Rule, ...] = field(init=False, repr=False, compare=False)
    _excludes: tuple[_Rule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_includes", tuple(r for r in map(_rule, self.include) if r))
        object.__setattr__(self, "_excludes", tuple(r for r in map(_rule, self.exclude) if r))

    @classmethod
    def for_local(cls, include: Sequence[str], exclude: Sequence[str]) -> PathFilter:
        """The filter of a ``#Local`` op: its patterns plus Dagger's own exclusion."""
        return cls(tuple(include), (DAGGER_EXCLUDE, *exclude))

    def excluded(self, path: str) -> bool:
        verdict = False
        for rule in self._excludes:
            if _matches_or_parent(rule, path):
                verdict = not rule.negated
        return verdict

    def included(self, path: str) -> bool:
        """Whether ``path`` (relative, ``/``-separated) itself is selected."""
        if self.excluded(path):
            return False
        if not self._includes:
            return True
        return any(_matches_or_parent(rule, path) for rule in self._includes if not rule.negated)

    def may_hold_included(self, folder: str) -> bool:
        """Whether a folder that is not itself included may contain included paths."""
        if self.excluded(folder) and not any(rule.negated for rule in self._excludes):
            return False
        if not self._includes:
            return True
        parts = folder.split("/")
        for rule in self._includes:
            if rule.negated:
                continue
            if not rule.prefix:
                # A pattern starting with a wildcard may match anywhere below.
                return True
            shared = min(len(parts), len(rule.prefix))
            if tuple(parts[:shared]) == rule.prefix[:shared]:
                return True
        return False
