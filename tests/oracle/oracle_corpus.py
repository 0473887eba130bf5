"""The corpus of CUE inputs for differential tests, and how to ask the oracle about it.

    from oracle_corpus import iter_syntax_cases, iter_string_cases, oracle_results

    cases = list(iter_syntax_cases())
    for case, result in zip(cases, oracle_results(cue_oracle, cases)):
        cue_accepts = result.ok          # the live verdict of CUE v0.4.0-beta.1
        ours = parse(case.text)          # plancheck
        if case.outside_subset:
            ...  # plancheck may warn CUE006 instead of agreeing
        elif case.quirk:
            ...  # CUE's answer contradicts its own spec; agreeing is optional
        else:
            ...  # must agree (and, when CUE rejects, CUE001 near result.errors[0].positions)

Where the cases come from:
  corpus/syntax/NNN-name.cue   handwritten, one construct or trap per file
  corpus/strings/NN-name.cue   fields whose values are string/bytes literals; compare
                               the values of `cue export` (check "export")
  corpus_gen.py                generated matrices and seeded mutations (names "gen-...")
  corpus/manifest.toml         per file: expect, check, outside, quirk, note; and the
                               per-construct subset decisions ([constructs])

A case's `check` says which command gives the verdict that matters for it: "fmt"
(CUE's parser and scanner), "eval" (also literal decoding and compiling: multi-line
indentation, `\\x` in strings, `1e`, unreferenced aliases) or "export" (also
evaluation to concrete JSON).  `expect` is the corpus author's reading of what CUE
does; the harness test checks it against the oracle, and differential tests should
use the oracle's live result instead.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import corpus_gen
from cue_oracle import Case, CueOracle, Result

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
SYNTAX_DIR = CORPUS_DIR / "syntax"
STRINGS_DIR = CORPUS_DIR / "strings"
MANIFEST = CORPUS_DIR / "manifest.toml"

# The name every case's text is given in the oracle's temp folder (and so in CUE's
# error positions: "./a.cue:LINE:COL").
FILENAME = "a.cue"
CHECKS = {
    "fmt": ("fmt", FILENAME),
    "eval": ("eval", FILENAME),
    "export": ("export", "--out", "json", FILENAME),
}


@dataclass(frozen=True)
class Construct:
    name: str
    in_subset: bool
    why: str


@dataclass(frozen=True)
class SyntaxCase:
    """One input.

    name:    "syntax/042-label-empty-string", "strings/07-…" or "gen/gen-num-012"
    data:    the exact bytes (BOM, NUL, CR and invalid UTF-8 included)
    text:    data decoded as UTF-8; bytes that are not UTF-8 become lone surrogates
             (errors="surrogateescape"), see `utf8`
    outside: constructs outside plancheck's subset that the case uses
    quirk:   CUE v0.4.0-beta.1 accepts it against its own spec
    expect:  "accept" / "reject" / None (generated, unknown): documentation only
    check:   "fmt" | "eval" | "export"
    """

    name: str
    data: bytes
    note: str
    check: str = "fmt"
    expect: str | None = None
    outside: tuple[str, ...] = ()
    quirk: bool = False
    path: Path | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "surrogateescape")

    @property
    def utf8(self) -> bool:
        try:
            self.data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    @property
    def outside_subset(self) -> bool:
        return bool(self.outside)

    @property
    def generated(self) -> bool:
        return self.path is None

    def oracle_case(self, check: str | None = None) -> Case:
        """The oracle Case for this input under `check` (default: the case's own)."""
        return Case(CHECKS[check or self.check], {FILENAME: self.data}, return_files=(check or self.check) == "fmt")

    def __str__(self) -> str:
        return self.name


def load_manifest() -> dict:
    with open(MANIFEST, "rb") as f:
        return tomllib.load(f)


def constructs() -> dict[str, Construct]:
    """plancheck's per-construct subset decisions (manifest [constructs])."""
    return {
        name: Construct(name, bool(entry["in_subset"]), entry["why"])
        for name, entry in load_manifest()["constructs"].items()
    }


def _from_files(directory: Path, section: dict, prefix: str, default_check: str) -> Iterator[SyntaxCase]:
    files = {p.stem: p for p in directory.glob("*.cue")}
    missing = sorted(set(section) - set(files))
    unlisted = sorted(set(files) - set(section))
    if missing or unlisted:
        raise ValueError(
            f"corpus/manifest.toml and {directory.name}/ disagree: "
            f"entries without a file {missing}, files without an entry {unlisted}"
        )
    for stem in sorted(files):
        m = section[stem]
        yield SyntaxCase(
            name=f"{prefix}/{stem}",
            data=files[stem].read_bytes(),
            note=m.get("note", ""),
            check=m.get("check", default_check),
            expect=m.get("expect", "accept" if default_check == "export" else None),
            outside=tuple(m.get("outside", ())),
            quirk=bool(m.get("quirk", False)),
            path=files[stem],
        )


def iter_syntax_cases(*, generated: bool = True) -> Iterator[SyntaxCase]:
    """The parser corpus: handwritten files, then (unless generated=False) the
    generated cases.  Deterministic order."""
    yield from _from_files(SYNTAX_DIR, load_manifest()["syntax"], "syntax", "fmt")
    if generated:
        for g in corpus_gen.generate():
            yield SyntaxCase(
                name=f"gen/{g.name}",
                data=g.data,
                note=g.note,
                check=g.check,
                expect=g.expect,
                outside=g.outside,
                quirk=g.quirk,
            )


def iter_string_cases() -> Iterator[SyntaxCase]:
    """String/bytes literal files; compare field values with `cue export` (check "export")."""
    yield from _from_files(STRINGS_DIR, load_manifest()["strings"], "strings", "export")


def oracle_results(oracle: CueOracle, cases: Iterable[SyntaxCase], check: str | None = None) -> list[Result]:
    """The oracle's results for the cases (one batch, one Node process), in order."""
    return oracle.run([c.oracle_case(check) for c in cases])
