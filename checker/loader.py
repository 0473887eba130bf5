"""Modules, packages and imports, the way CUE finds them.

* The module root is the nearest folder above a file holding
  ``cue.mod/module.cue``; its ``module: "…"`` field is the module path.
* The ``.cue`` files of one folder with the same ``package`` clause form a
  package (package scope spans its files; imports are per file). Files that
  start with ``@if(tag)`` take part only when the tag is set.
* An import path that starts with the module path is a folder under the
  root; any other is looked up in ``cue.mod/pkg/``, ``cue.mod/gen/`` and
  ``cue.mod/usr/``; the standard library is built in; and the two bundled
  packages ``alpha.dagger.io/dagger`` and ``…/dagger/op`` (also spelled
  ``dagger.io/dagger[/op]``) are served from plancheck's own schema, which
  carries the multi-architecture extension (it wins over a vendored copy).

Everything goes through :class:`Loader`, which reads files through overlays
(unsaved editor buffers) and caches parses by content.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from plancheck.grammar import ast, parse
from plancheck.grammar.parser import ParseResult

SCHEMA_ROOT = Path(__file__).resolve().parent / "schema"

#: import path -> folder of the bundled schema
BUNDLED = {
    "alpha.dagger.io/dagger": SCHEMA_ROOT / "alpha.dagger.io" / "dagger",
    "alpha.dagger.io/dagger/op": SCHEMA_ROOT / "alpha.dagger.io" / "dagger" / "op",
    "dagger.io/dagger": SCHEMA_ROOT / "alpha.dagger.io" / "dagger",
    "dagger.io/dagger/op": SCHEMA_ROOT / "alpha.dagger.io" / "dagger" / "op",
}


@lru_cache(maxsize=16)
def _parse_bundled(path: str, text: str) -> ParseResult:
    # The bundled schema is parsed once per process (its AST is immutable).
    return parse(text, path)


@lru_cache(maxsize=4096)
def is_bundled_path(path: str) -> bool:
    """Whether a file path lies in the bundled schema."""
    if not path:
        return False
    try:
        Path(path).resolve().relative_to(SCHEMA_ROOT)
        return True
    except (ValueError, OSError):
        return False


@dataclass
class FileUnit:
    """One parsed file."""

    path: str  # as shown to the user
    text: str
    result: ParseResult

    @property
    def ast(self) -> ast.File:
        return self.result.file

    @property
    def package_name(self) -> str:
        return self.ast.package_name or ""

    def if_tag(self) -> str | None:
        attr = self.ast.file_attribute("if")
        return attr.body.strip() if attr is not None else None


@dataclass
class Package:
    """The files of one package instance."""

    name: str
    folder: Path
    files: list[FileUnit]
    #: the import path it was loaded by ("" for the checked package)
    import_path: str = ""
    bundled: bool = False


@dataclass
class Module:
    root: Path
    path: str  # "" when module.cue has no module field


@dataclass
class Loader:
    overlays: dict[str, str] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    _parse_cache: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    _module_cache: dict[Path, Module | None] = field(default_factory=dict)
    _package_cache: dict[tuple[str, str], Package | None] = field(default_factory=dict)
    #: every file read besides the checked ones (for caches)
    read_paths: set[str] = field(default_factory=set)
    #: paths whose absence or listing decided something: a ``cue.mod`` not found,
    #: an import folder looked into (a file appearing there changes the result)
    probed_paths: set[str] = field(default_factory=set)
    #: the checked files, by absolute path: an import of their folder reuses them
    _checked: dict[str, FileUnit] = field(default_factory=dict)

    def register(self, unit: FileUnit) -> None:
        self._checked[os.path.abspath(unit.path)] = unit

    def __post_init__(self) -> None:
        self.overlays = {os.path.abspath(k): v for k, v in self.overlays.items()}

    # -- files -------------------------------------------------------------------
    def read(self, path: Path) -> str | None:
        key = os.path.abspath(path)
        if key in self.overlays:
            return self.overlays[key]
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def parse(self, path: str, text: str) -> ParseResult:
        key = (path, text)
        got = self._parse_cache.get(key)
        if got is None:
            got = _parse_bundled(path, text) if is_bundled_path(path) else parse(text, path)
            self._parse_cache[key] = got
        return got

    def unit(self, path: str, text: str, result: ParseResult | None = None) -> FileUnit:
        """The file ``path`` holding ``text``; ``result`` is its parse when the caller has one."""
        if result is not None:
            self._parse_cache[(path, text)] = result
            return FileUnit(path, text, result)
        return FileUnit(path, text, self.parse(path, text))

    def active(self, unit: FileUnit) -> bool:
        tag = unit.if_tag()
        if tag is None:
            return True
        negated = tag.startswith("!")
        name = tag.lstrip("!").strip()
        return (name in self.tags) != negated

    # -- modules -------------------------------------------------------------------
    def module_for(self, folder: Path) -> Module | None:
        folder = folder.resolve()
        if folder in self._module_cache:
            return self._module_cache[folder]
        found: Module | None = None
        for candidate in (folder, *folder.parents):
            module_file = candidate / "cue.mod" / "module.cue"
            text = self.read(module_file)
            if text is None:
                self.probed_paths.add(str(module_file))
                continue
            self.read_paths.add(str(module_file))
            found = Module(candidate, _module_path(self.parse(str(module_file), text)))
            break
        self._module_cache[folder] = found
        return found

    # -- packages --------------------------------------------------------------------
    def folder_files(self, folder: Path) -> list[Path]:
        names: set[str] = set()
        try:
            names = {n for n in os.listdir(folder) if n.endswith(".cue")}
        except OSError:
            pass
        for key in self.overlays:
            p = Path(key)
            if p.parent == folder.resolve() and p.name.endswith(".cue"):
                names.add(p.name)
        return [folder / n for n in sorted(names)]

    def load_import(self, import_path: str, from_folder: Path) -> Package | None:
        """The package an import path names, seen from a file in ``from_folder``."""
        path, _, qualifier = import_path.partition(":")
        if path in BUNDLED:
            key = ("bundled", path)
            if key not in self._package_cache:
                self._package_cache[key] = self._load_folder(BUNDLED[path], qualifier or path.rsplit("/", 1)[-1], path, bundled=True)
            return self._package_cache[key]
        module = self.module_for(from_folder)
        folders: list[Path] = []
        if module is not None:
            if module.path and (path == module.path or path.startswith(module.path + "/")):
                rest = path[len(module.path) :].lstrip("/")
                folders.append(module.root / rest if rest else module.root)
            for sub in ("pkg", "gen", "usr"):
                folders.append(module.root / "cue.mod" / sub / path)
        default_name = qualifier or path.rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
        for folder in folders:
            self.probed_paths.add(str(folder))
            key = (str(folder), default_name)
            if key in self._package_cache:
                got = self._package_cache[key]
            else:
                got = self._load_folder(folder, default_name, path, bundled=False, explicit=bool(qualifier))
                self._package_cache[key] = got
            if got is not None:
                return got
        return None

    def _load_folder(self, folder: Path, name: str, import_path: str, bundled: bool, explicit: bool = False) -> Package | None:
        files = self.folder_files(folder)
        if not files:
            return None
        units = []
        for f in files:
            known = self._checked.get(os.path.abspath(f))
            if known is not None:
                units.append(known)
                continue
            text = self.read(f)
            if text is None:
                continue
            if not bundled:
                self.read_paths.add(str(f))
            units.append(self.unit(str(f), text))
        by_name: dict[str, list[FileUnit]] = {}
        for u in units:
            if u.package_name:
                by_name.setdefault(u.package_name, []).append(u)
        chosen = by_name.get(name)
        if chosen is None and not explicit and len(by_name) == 1:
            # A folder with a single package: its name need not match the path.
            name, chosen = next(iter(by_name.items()))
        if chosen is None:
            return None
        return Package(name, folder, [u for u in chosen if self.active(u)], import_path, bundled)


def _module_path(result: ParseResult) -> str:
    for decl in result.file.decls:
        if isinstance(decl, ast.Field) and decl.label.name == "module" and isinstance(decl.value, ast.String):
            value = decl.value.value
            return value if isinstance(value, str) else ""
    return ""


def group_packages(units: list[FileUnit]) -> list[list[FileUnit]]:
    """Split files into packages: same folder and same package clause.

    Files without a package clause each stand alone (as in CUE).
    """
    groups: dict[tuple[str, str], list[FileUnit]] = {}
    alone: list[list[FileUnit]] = []
    for u in units:
        folder = os.path.dirname(os.path.abspath(u.path))
        if not u.package_name:
            alone.append([u])
            continue
        groups.setdefault((folder, u.package_name), []).append(u)
    return list(groups.values()) + alone
