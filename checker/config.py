"""Settings of a check: ``[tool.plancheck]`` in ``pyproject.toml`` or a ``.plancheck.toml``.

A file is checked with the settings of the configuration nearest to its folder
(walking up, like ruff): in each folder ``.plancheck.toml`` (keys at the top
level) wins over ``pyproject.toml``, and a ``pyproject.toml`` without a
``[tool.plancheck]`` table is skipped. Settings never merge across files: the
nearest one is complete. Command-line options override it (:class:`Overrides`).

Keys::

    select = ["ALL"]                 # codes or prefixes ("PLT", "PLT00", "ALL")
    extend-select = []
    ignore = ["PLT002"]
    per-path-ignores = {"legacy/**" = ["PLT003"]}   # alias: per-file-ignores
    default-platform = "linux/arm64"
    severity = {"PLT002" = "error"}  # code or prefix -> error | warning | info
    fail-on = "warning"              # error (default) | warning | info
    exclude = ["vendor/", "*.gen.cue"]

Globs are relative to the folder of the configuration file: ``*`` and ``?``
stay within one path segment, ``**`` spans any number of segments, a pattern
without ``/`` matches a file or folder name at any depth (like ``.gitignore``),
and a pattern that matches a folder covers everything below it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from plancheck.checker import rules
from plancheck.checker.diagnostics import Severity

CONFIG_FILES = (".plancheck.toml", "pyproject.toml")
FAIL_ON = ("error", "warning", "info")
_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-path-ignores",
    "per-file-ignores",
    "default-platform",
    "severity",
    "fail-on",
    "exclude",
)


class ConfigError(Exception):
    """An invalid configuration (exit code 2); ``str()`` is ``path:line: message``."""

    def __init__(self, path: Path | None, message: str, line: int | None = None) -> None:
        where = "" if path is None else f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


# -- rule selection ------------------------------------------------------------


def check_selector(selector: str) -> str:
    """``selector`` upper-cased if it names ``ALL``, a code or a prefix of a known code."""
    sel = selector.strip().upper()
    if sel == "ALL" or (sel and any(code.startswith(sel) for code in rules.codes())):
        return sel
    prefixes = sorted({code[:3] for code in rules.codes()})
    raise ValueError(f"unknown rule code or prefix {selector!r} (known prefixes: {', '.join(prefixes)}, or ALL)")


def _specificity(selector: str, code: str) -> int:
    """How closely ``selector`` names ``code``: -1 no match, 0 ``ALL``, else its length."""
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else -1


@dataclass(frozen=True)
class RuleSelection:
    """Which codes are reported. The most specific selector wins; on a tie, ``ignore``.

    ``select = ["PLT"]`` with ``ignore = ["PLT002"]`` reports every PLT code but
    PLT002; ``select = ["PLT002"]`` with ``ignore = ["PLT"]`` reports PLT002 only.
    """

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        chosen = max((_specificity(s, code) for s in self.select), default=-1)
        dropped = max((_specificity(s, code) for s in self.ignore), default=-1)
        return chosen >= 0 and chosen > dropped


# -- globs ---------------------------------------------------------------------


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    pat = pattern.strip()
    while pat.startswith("./"):
        pat = pat[2:]
    anchored = "/" in pat.rstrip("/")
    pat = pat.strip("/")
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    return re.compile(prefix + "".join(out) + "(?:/.*)?$")


def glob_matches(pattern: str, relpath: str) -> bool:
    """Whether ``relpath`` (``/``-separated, relative to the config folder) matches ``pattern``."""
    return _glob_regex(pattern).match(relpath) is not None


# -- settings ------------------------------------------------------------------


@dataclass(frozen=True)
class PathIgnore:
    pattern: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """Everything that decides what is reported for one file, from one configuration."""

    #: folder the globs are relative to: the configuration file's (else the working folder)
    root: Path
    #: the file these settings came from; None for the defaults
    config_file: Path | None = None
    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_path_ignores: tuple[PathIgnore, ...] = ()
    #: canonical form
    default_platform: str = "linux/amd64"
    #: (selector, severity) pairs; the most specific selector wins
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.ERROR
    exclude: tuple[str, ...] = ()
    _selections: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def relative(self, path: str | os.PathLike) -> str | None:
        """``path`` relative to :attr:`root` with ``/`` separators; None when outside it."""
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive (Windows)
            return None
        if rel == ".." or rel.startswith(".." + os.sep):
            return None
        return rel.replace(os.sep, "/")

    def is_excluded(self, path: str | os.PathLike) -> bool:
        rel = self.relative(path)
        return rel is not None and any(glob_matches(p, rel) for p in self.exclude)

    def selection_for(self, path: str | os.PathLike) -> RuleSelection:
        """The selection for one file: ``select`` and ``ignore`` plus its per-path ignores."""
        rel = self.relative(path)
        extra: tuple[str, ...] = ()
        if rel is not None:
            extra = tuple(c for pi in self.per_path_ignores if glob_matches(pi.pattern, rel) for c in pi.codes)
        cached = self._selections.get(extra)
        if cached is None:
            cached = self._selections[extra] = RuleSelection(self.select + self.extend_select, self.ignore + extra)
        return cached

    def severity_of(self, code: str, default: Severity) -> Severity:
        best, chosen = -1, default
        for selector, severity in self.severity:
            s = _specificity(selector, code)
            if s > best:
                best, chosen = s, severity
        return chosen

    def cache_key(self) -> tuple:
        """The settings that change what the checker itself computes (not what is shown)."""
        return (self.default_platform,)


@dataclass(frozen=True)
class Overrides:
    """Command-line options; each one set replaces (``extend_select``/``ignore``: extends) the file's."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    default_platform: str | None = None
    fail_on: Severity | None = None

    def apply(self, settings: Settings) -> Settings:
        changes: dict[str, Any] = {}
        if self.select is not None:
            changes["select"] = self.select
            # An explicit --select is the whole selection, as in ruff.
            changes["extend_select"] = self.extend_select
        elif self.extend_select:
            changes["extend_select"] = settings.extend_select + self.extend_select
        if self.ignore:
            changes["ignore"] = settings.ignore + self.ignore
        if self.default_platform is not None:
            changes["default_platform"] = self.default_platform
        if self.fail_on is not None:
            changes["fail_on"] = self.fail_on
        return replace(settings, **changes) if changes else settings


def parse_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Command-line selectors (repeatable, comma separated); raises ValueError."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                out.append(check_selector(part))
    return tuple(out)


def canonical_platform(spec: str) -> str:
    """The canonical form of a default platform; raises ValueError with the reason."""
    from plancheck.checker import platforms

    return platforms.canonical(spec)


# -- reading files -------------------------------------------------------------


def _locate(text: str, key: str, table: str | None) -> int | None:
    """The line where ``key`` is set (inside ``[table]`` when given), for error messages."""
    in_table = table is None
    key_re = re.compile(r"""^\s*["']?""" + re.escape(key) + r"""["']?\s*[=.]""")
    header = f"{table}.{key}" if table else key
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = stripped.strip("[]").strip()
            if name == header:
                return n
            in_table = name == table
            continue
        if in_table and key_re.match(line):
            return n
    return None


def _load_table(path: Path) -> tuple[dict | None, str, str | None]:
    """The plancheck table of ``path`` (None when a pyproject.toml has none), its text, its name."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read configuration: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(m.group(1)) if m else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, f"invalid TOML: {message[:1].lower() + message[1:]}", line) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("plancheck") if isinstance(tool, dict) else None
        if table is None:
            return None, text, "tool.plancheck"
        if not isinstance(table, dict):
            raise ConfigError(path, "[tool.plancheck] must be a table", _locate(text, "plancheck", "tool"))
        return table, text, "tool.plancheck"
    return data, text, None


def load(path: Path) -> Settings | None:
    """Settings from one configuration file; None for a pyproject.toml without a plancheck table."""
    path = Path(os.path.abspath(path))
    table, text, table_name = _load_table(path)
    if table is None:
        return None
    return settings_from_table(table, path, text, table_name)


def settings_from_table(table: dict, path: Path, text: str = "", table_name: str | None = None) -> Settings:
    def fail(key: str, message: str, inner: str | None = None) -> ConfigError:
        line = None
        if inner is not None:
            line = _locate(text, inner, f"{table_name}.{key}" if table_name else key) or _locate(text, inner, table_name)
        line = line or _locate(text, key, table_name)
        shown = f"[{table_name}] " if table_name else ""
        return ConfigError(path, f"{shown}{key}: {message}", line)

    for key in table:
        if key not in _KEYS:
            import difflib

            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (valid keys: {', '.join(_KEYS)})"
            raise fail(key, f"unknown key{hint}")

    def str_list(key: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a list of strings")
        return value

    def selectors(key: str, values: list[str]) -> tuple[str, ...]:
        out = []
        for v in values:
            try:
                out.append(check_selector(v))
            except ValueError as exc:
                raise fail(key, str(exc), inner=None) from None
        return tuple(out)

    settings = Settings(root=path.parent, config_file=path)
    changes: dict[str, Any] = {}
    if "select" in table:
        changes["select"] = selectors("select", str_list("select"))
    changes["extend_select"] = selectors("extend-select", str_list("extend-select"))
    changes["ignore"] = selectors("ignore", str_list("ignore"))
    if "per-path-ignores" in table and "per-file-ignores" in table:
        raise fail("per-file-ignores", "set either per-path-ignores or per-file-ignores, not both")
    ppi_key = "per-path-ignores" if "per-path-ignores" in table else "per-file-ignores"
    ppi = table.get(ppi_key, {})
    if not isinstance(ppi, dict):
        raise fail(ppi_key, 'expected a table of glob = ["CODE", ...]')
    entries = []
    for pattern, codes in ppi.items():
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise fail(ppi_key, f"{pattern!r}: expected a list of rule codes", inner=pattern)
        try:
            entries.append(PathIgnore(pattern, tuple(check_selector(c) for c in codes)))
        except ValueError as exc:
            raise fail(ppi_key, f"{pattern!r}: {exc}", inner=pattern) from None
    changes["per_path_ignores"] = tuple(entries)
    if "default-platform" in table:
        value = table["default-platform"]
        if not isinstance(value, str):
            raise fail("default-platform", "expected a platform string such as \"linux/arm64\"")
        try:
            changes["default_platform"] = canonical_platform(value)
        except ValueError as exc:
            raise fail("default-platform", f"invalid platform {value!r}: {exc}") from None
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise fail("severity", 'expected a table of "CODE" = "error" | "warning" | "info"')
    pairs = []
    for selector, level in sev.items():
        try:
            sel = check_selector(selector)
        except ValueError as exc:
            raise fail("severity", str(exc), inner=selector) from None
        if level not in ("error", "warning", "info"):
            raise fail("severity", f"{selector}: expected \"error\", \"warning\" or \"info\", found {level!r}", inner=selector)
        pairs.append((sel, Severity(level)))
    changes["severity"] = tuple(pairs)
    if "fail-on" in table:
        value = table["fail-on"]
        if value not in FAIL_ON:
            raise fail("fail-on", f"expected one of {', '.join(map(repr, FAIL_ON))}, found {value!r}")
        changes["fail_on"] = Severity(value)
    changes["exclude"] = tuple(str_list("exclude"))
    return replace(settings, **changes)


@dataclass
class ConfigResolver:
    """Finds the settings of each folder; one per run (it caches what it read)."""

    #: the working folder: root of the default settings when no file applies
    cwd: Path
    overrides: Overrides = field(default_factory=Overrides)
    #: ``--config FILE``: use this file for every path
    explicit: Path | None = None
    #: ``--isolated``: ignore every configuration file
    isolated: bool = False
    _by_folder: dict[str, Settings] = field(default_factory=dict)
    _by_file: dict[Path, Settings | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._default = self.overrides.apply(Settings(root=self.cwd))
        if self.explicit is not None and not self.isolated:
            loaded = self._load(self.explicit)
            if loaded is None:
                raise ConfigError(self.explicit, "no [tool.plancheck] table")
            self._default = loaded

    def _load(self, path: Path) -> Settings | None:
        path = Path(os.path.abspath(path))
        if path not in self._by_file:
            loaded = load(path)
            self._by_file[path] = None if loaded is None else self.overrides.apply(loaded)
        return self._by_file[path]

    def for_folder(self, folder: str | os.PathLike) -> Settings:
        """The settings that apply to files in ``folder`` (nearest configuration file wins)."""
        if self.isolated or self.explicit is not None:
            return self._default
        start = os.path.abspath(folder)
        walked: list[str] = []
        found = self._default
        candidate = start
        while True:
            cached = self._by_folder.get(candidate)
            if cached is not None:
                found = cached
                break
            walked.append(candidate)
            hit = None
            for name in CONFIG_FILES:
                file = os.path.join(candidate, name)
                if os.path.isfile(file):
                    hit = self._load(Path(file))
                    if hit is not None:
                        break
            if hit is not None:
                found = hit
                break
            parent = os.path.dirname(candidate)
            if parent == candidate:
                break
            candidate = parent
        for folder_ in walked:
            self._by_folder[folder_] = found
        return found

    def for_file(self, path: str | os.PathLike) -> Settings:
        return self.for_folder(Path(os.path.abspath(path)).parent)
