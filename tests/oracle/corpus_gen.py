"""Generated cases for the parser differential tests (deterministic, seeded).

The handwritten corpus (corpus/syntax/*.cue) covers each construct on purpose; this
module adds matrices that would be tedious by hand (number spellings, escapes in
every quote form, automatic comma insertion after every kind of token, keywords as
labels, operator precedence with concrete values) and seeded random mutations of the
handwritten valid files, which exercise error paths nobody thought of.

`generate()` returns the same list of GenCase on every call and every machine: no
clock, no hash randomisation, a fixed seed.  `expect` is set where the case is built
to be valid or invalid and None where the generator does not know (the live oracle
decides; the harness only checks it gives a definite verdict).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEED = 20210401  # the month dagger/dagger#1099 (multi-arch pipelines) was opened
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
SYNTAX_DIR = CORPUS_DIR / "syntax"


@dataclass(frozen=True)
class GenCase:
    name: str
    data: bytes
    expect: str | None  # "accept" | "reject" | None (unknown)
    check: str  # "fmt" | "eval" | "export"
    outside: tuple[str, ...]
    note: str
    quirk: bool = False


def _case(name, text, expect, check, note, outside=(), quirk=False):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return GenCase(name, data, expect, check, tuple(outside), note, quirk)


# ------------------------------------------------------------------ numbers

# (literal, expect, outside); checked with `eval`, because some malformed literals
# (1e) pass the scanner and fail only when the literal is converted.
NUMBERS: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("0", "accept", ()),
    ("7", "accept", ()),
    ("1_000_000", "accept", ()),
    ("0x0", "accept", ()),
    ("0xFF", "accept", ()),
    ("0Xab", "accept", ()),
    ("0x_FF", "accept", ()),
    ("0o0", "accept", ()),
    ("0o777", "accept", ()),
    ("0O7", "reject", ()),
    ("0b0", "accept", ()),
    ("0b1_0", "accept", ()),
    ("0B1", "reject", ()),
    ("1.0", "accept", ()),
    ("1.", "accept", ()),
    (".5", "accept", ()),
    ("0.5", "accept", ()),
    ("1e0", "accept", ()),
    ("1e+0", "accept", ()),
    ("1e-0", "accept", ()),
    ("1E5", "accept", ()),
    ("1.5e3", "accept", ()),
    (".5e3", "accept", ()),
    ("1_0.5", "accept", ()),
    ("1.5_0", "accept", ()),
    ("00.5", "accept", ()),
    ("1K", "accept", ("si-number",)),
    ("1Ki", "accept", ("si-number",)),
    ("1M", "accept", ("si-number",)),
    ("1Mi", "accept", ("si-number",)),
    ("1G", "accept", ("si-number",)),
    ("1Gi", "accept", ("si-number",)),
    ("1T", "accept", ("si-number",)),
    ("1Ti", "accept", ("si-number",)),
    ("1P", "accept", ("si-number",)),
    ("1Pi", "accept", ("si-number",)),
    ("1.5K", "accept", ("si-number",)),
    ("1.5Ki", "accept", ("si-number",)),
    (".5Ki", "accept", ("si-number",)),
    ("1_000K", "accept", ("si-number",)),
    ("0x10K", "reject", ("si-number",)),
    ("1e3K", "reject", ("si-number",)),
    ("08", "reject", ()),
    ("09", "reject", ()),
    ("00", "reject", ()),
    ("01", "reject", ()),
    ("0x", "reject", ()),
    ("0xg", "reject", ()),
    ("0o", "reject", ()),
    ("0o8", "reject", ()),
    ("0b", "reject", ()),
    ("0b2", "reject", ()),
    ("1__0", "reject", ()),
    ("1_", "reject", ()),
    ("1e", "reject", ()),
    ("1e+", "reject", ()),
    ("1.e", "reject", ()),
    ("0x1.5", "reject", ()),
    ("1k", "reject", ()),
    ("1KiB", "reject", ()),
    ("1Z", "reject", ()),
    ("1.2.3", "reject", ()),
    ("1_.5", "reject", ()),
    ("-0", "accept", ()),
    ("- 1", "accept", ()),
    ("+.5", "accept", ()),
]


# Accepted by CUE v0.4.0-beta.1 although the spec's grammar does not allow it.
NUMBER_QUIRKS = {"0x_FF"}


def _numbers() -> Iterator[GenCase]:
    for i, (lit, expect, outside) in enumerate(NUMBERS, 1):
        yield _case(
            f"gen-num-{i:03d}",
            f"x: {lit}\n",
            expect,
            "eval",
            f"the number literal `{lit}`",
            outside,
            quirk=lit in NUMBER_QUIRKS,
        )
    # The same literals inside a list, after a comma and before `]`.
    for i, (lit, expect, outside) in enumerate(NUMBERS[::3], 1):
        yield _case(
            f"gen-num-list-{i:03d}",
            f"x: [1, {lit}, {lit}]\n",
            expect,
            "eval",
            f"the number literal `{lit}` as list elements",
            outside,
            quirk=lit in NUMBER_QUIRKS,
        )


# ------------------------------------------------------------------ escapes

ESCAPE_CHARS = list("abfnrtv/\\\"'xuU0178cdeqzAN? #$%")
STRING_ESCAPES = set("abfnrtv/\\\"")
BYTES_ESCAPES = set("abfnrtv/\\'")


def _escapes() -> Iterator[GenCase]:
    for i, ch in enumerate(ESCAPE_CHARS, 1):
        expect = "accept" if ch in STRING_ESCAPES else "reject"
        yield _case(
            f"gen-esc-string-{i:03d}", f'x: "<\\{ch}>"\n', expect, "eval", f"`\\{ch}` in a string"
        )
        raw_expect = "accept" if ch in STRING_ESCAPES else "reject"
        yield _case(
            f"gen-esc-raw-{i:03d}", f'x: #"<\\#{ch}>"#\n', raw_expect, "eval", f"`\\#{ch}` in a raw string"
        )
        bexpect = "accept" if ch in BYTES_ESCAPES else "reject"
        yield _case(
            f"gen-esc-bytes-{i:03d}",
            f"x: '<\\{ch}>'\n",
            bexpect,
            "eval",
            f"`\\{ch}` in a bytes literal",
            ("bytes",),
        )
    # Escapes with digits.
    for i, (lit, expect, outside) in enumerate(
        [
            ('"\\u0041"', "accept", ()),
            ('"\\u004"', "reject", ()),
            ('"\\u00411"', "accept", ()),
            ('"\\U00000041"', "accept", ()),
            ('"\\U0000004"', "reject", ()),
            ('"\\uDFFF"', "reject", ()),
            ('"\\U0010FFFF"', "accept", ()),
            ('"\\U00110000"', "reject", ()),
            ("'\\x41'", "accept", ("bytes",)),
            ("'\\x4'", "reject", ("bytes",)),
            ("'\\xZZ'", "reject", ("bytes",)),
            ("'\\101'", "accept", ("bytes",)),
            ("'\\10'", "reject", ("bytes",)),
            ("'\\377'", "accept", ("bytes",)),
            ("'\\400'", "reject", ("bytes",)),
            ("'\\u00e9'", "accept", ("bytes",)),
        ],
        1,
    ):
        yield _case(f"gen-esc-digits-{i:03d}", f"x: {lit}\n", expect, "eval", f"the literal {lit}", outside)


# ------------------------------------------------------------------ comma insertion

# A value whose last token is of each kind that makes the scanner insert a comma at
# a newline, and the operand kinds that do not (`+`, `&`, `(`, `[`, `{`, `,`, `:`).
LINE_ENDERS = [
    ("int", "1"),
    ("float", "1.5"),
    ("string", '"s"'),
    ("interpolation", '"a\\(1)"'),
    ("raw-string", '#"s"#'),
    ("identifier", "y"),
    ("definition", "#Y"),
    ("hidden", "_y"),
    ("keyword-true", "true"),
    ("keyword-null", "null"),
    ("bottom", "_|_"),
    ("top", "_"),
    ("paren", "(1)"),
    ("list", "[1]"),
    ("struct", "{}"),
    ("call", "len([])"),
    ("index", "[1][0]"),
    ("selector", "y.z"),
]


def _commas() -> Iterator[GenCase]:
    for kind, v in LINE_ENDERS:
        yield _case(
            f"gen-comma-{kind}-newline",
            f"a: {v}\nb: {v}\n",
            "accept",
            "fmt",
            f"a comma is inserted after a {kind} at a newline",
        )
        yield _case(
            f"gen-comma-{kind}-same-line",
            f"a: {v} b: {v}\n",
            "reject",
            "fmt",
            f"two fields on one line after a {kind}",
        )
        yield _case(
            f"gen-comma-{kind}-operator-newline",
            f"a: {v} &\n\t{v}\n",
            "accept",
            "fmt",
            f"no comma after a trailing `&` ({kind})",
        )
        yield _case(
            f"gen-comma-{kind}-list-newline",
            f"a: [\n\t{v}\n\t{v}\n]\n",
            "reject",
            "fmt",
            f"list elements ({kind}) separated by a newline only",
        )
        yield _case(
            f"gen-comma-{kind}-list-trailing",
            f"a: [\n\t{v},\n\t{v}\n]\n",
            "accept",
            "fmt",
            f"an inserted comma before `]` after a {kind}",
        )
        yield _case(
            f"gen-comma-{kind}-comment",
            f"a: {v} // c\nb: {v} // d\n",
            "accept",
            "fmt",
            f"a comment after a {kind} ends the field",
        )


# ------------------------------------------------------------------ keywords as labels

KEYWORDS = [
    "package", "import", "for", "in", "if", "let", "null", "true", "false",
    "div", "mod", "quo", "rem", "len", "close", "and", "or",
    "int", "string", "bool", "bytes", "number", "float", "uint8", "top",
]  # fmt: skip


def _keywords() -> Iterator[GenCase]:
    for kw in KEYWORDS:
        yield _case(
            f"gen-kw-{kw}-after-field", f"x: 0\n{kw}: 1\n", "accept", "fmt", f"`{kw}:` as a label after a field"
        )
        yield _case(
            f"gen-kw-{kw}-nested", f"x: {{{kw}: 1}}\n", "accept", "fmt", f"`{kw}:` as a label in a struct"
        )
        yield _case(
            f"gen-kw-{kw}-optional",
            f"x: 0\n{kw}?: int\n",
            "accept",
            "fmt",
            f"`{kw}?:` as an optional label",
        )
        yield _case(
            f"gen-kw-{kw}-quoted-export",
            f'x: 0\n"{kw}": 1\ny: {{"{kw}": 2}}\n',
            "accept",
            "export",
            f'the quoted label "{kw}" (export)',
        )


# ------------------------------------------------------------------ operators (values)

ARITH = ["+", "-", "*", "/"]
COMPARE = ["==", "!=", "<", "<=", ">", ">="]


def _operators() -> Iterator[GenCase]:
    n = 0

    def op(text, note, expect="accept", outside=()):
        nonlocal n
        n += 1
        return _case(f"gen-op-{n:03d}", text, expect, "export", note, outside)

    for a in ARITH:
        for b in ARITH:
            yield op(f"x: 8 {a} 4 {b} 2\ny: (8 {a} 4) {b} 2\nz: 8 {a} (4 {b} 2)\n", f"precedence of `{a}` and `{b}`")
    for c in COMPARE:
        yield op(f"x: 1 + 2 {c} 3\ny: 2 * 2 {c} 3 + 1\n", f"`{c}` binds looser than arithmetic")
    for a in ["&&", "||"]:
        for b in ["&&", "||"]:
            yield op(
                f"x: false {a} true {b} true\ny: true {a} false {b} false\nz: !false {a} !true {b} false\n",
                f"precedence of `{a}` and `{b}`",
            )
    yield op("x: 1 < 2 && 2 < 3 || false\n", "comparison, then `&&`, then `||`")
    yield op("x: *1 | 2 & int\nz: (*1 | 2) & int\n", "defaults with `&` inside a disjunction")
    yield op("y: 1 | *2 & int\n", "`*2 & int`: a default marker inside `&` is not allowed", expect="reject")
    yield op("x: *\"a\" | \"b\" | *\"c\"\n", "two defaults: the default is their disjunction, not concrete", expect="reject")
    yield op("x: int & >2 & <5 & 3\n", "bounds unified with a value")
    yield op("x: -2 * -3\ny: - -1\nz: +-1\n", "unary minus binds tighter than `*`")
    yield op('x: "a" + "b" * 2\n', "`*` before `+` on strings")
    yield op("x: [1] + [2] * 2\n", "`*` before `+` on lists")
    yield op('x: "abc" =~ "b" && "abc" !~ "z"\n', "regex operators and `&&`")
    yield op("x: 7 div 2 + 7 mod 2 * 10\n", "infix div/mod have the precedence of `*`", outside=("infix-div-mod",))
    yield op("x: 1 / 3\ny: 2 / 2\nz: 10 / 4\n", "division gives a float")
    yield op("x: 1 + 1.5\ny: 3 - 0.5\nz: 2 * 0.25\n", "int and float mixed")


# ------------------------------------------------------------------ mutations

MUTATION_CHARS = list('{}[]()":,\n#@\\\'`!?=|&*._$ 0a') + ["\t", "\"\"\"", "\\(", "//"]


def _mutate(rng: random.Random, text: str) -> tuple[str, str]:
    kind = rng.choice(["delete", "insert", "swap", "dup-line", "drop-line", "truncate"])
    if not text:
        return "insert", rng.choice(MUTATION_CHARS)
    pos = rng.randrange(len(text))
    if kind == "delete":
        return f"delete {text[pos]!r} at {pos}", text[:pos] + text[pos + 1 :]
    if kind == "insert":
        ch = rng.choice(MUTATION_CHARS)
        return f"insert {ch!r} at {pos}", text[:pos] + ch + text[pos:]
    if kind == "swap" and len(text) > 1:
        pos = min(pos, len(text) - 2)
        return f"swap at {pos}", text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    lines = text.split("\n")
    li = rng.randrange(len(lines))
    if kind == "dup-line":
        return f"duplicate line {li + 1}", "\n".join(lines[: li + 1] + lines[li:])
    if kind == "drop-line":
        return f"drop line {li + 1}", "\n".join(lines[:li] + lines[li + 1 :])
    return f"truncate at {pos}", text[:pos]


def _mutations(count: int = 80) -> Iterator[GenCase]:
    rng = random.Random(SEED)
    with open(CORPUS_DIR / "manifest.toml", "rb") as f:
        manifest = tomllib.load(f)["syntax"]
    sources = []
    for path in sorted(SYNTAX_DIR.glob("*.cue")):
        data = path.read_bytes()
        if 0 < len(data) < 600 and b"\0" not in data:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            sources.append((path.stem, text, tuple(manifest.get(path.stem, {}).get("outside", ()))))
    for i in range(count):
        stem, text, outside = rng.choice(sources)
        what, mutated = _mutate(rng, text)
        if rng.random() < 0.3:  # sometimes two mutations
            what2, mutated = _mutate(rng, mutated)
            what = f"{what}; {what2}"
        # A mutant keeps its source's constructs outside the subset (it may have lost them).
        yield _case(f"gen-mut-{i + 1:03d}", mutated, None, "fmt", f"{stem} mutated: {what}", outside)


def generate() -> list[GenCase]:
    cases = [*_numbers(), *_escapes(), *_commas(), *_keywords(), *_operators(), *_mutations()]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "generated case names must be unique"
    return cases


if __name__ == "__main__":
    for c in generate():
        print(c.name, c.expect, c.check, c.data[:60])
