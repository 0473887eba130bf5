"""``format_text`` prints exactly what ``cue fmt`` (CUE v0.4) prints.

Canonical files (the shipped plans, the bundled schema, the stdlib fixture module)
must come out unchanged; deliberately mangled inputs are compared with the real
``cue fmt`` through the oracle (``tests/oracle``), live.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from plancheck.grammar import parse
from plancheck.grammar.format import format_text
from plancheck.grammar.lexer import tokenize

ROOT = Path(__file__).resolve().parents[2]

CANONICAL = sorted(
    p
    for pattern in ("examples/**/*.cue", "checker/schema/**/*.cue", "tests/fixtures/stdlib_module/**/*.cue")
    for p in ROOT.glob(pattern)
)

# Hand-written inputs that exercise one formatting rule each.
BADLY_FORMATTED = [
    "a:   1\nbb: 2\nccc:    3\n",
    "a: 1 // c1\nbbbbb: 2 // c2\nc: { // open\n\tx: 1\n\t// end\n}\n",
    "package x\n\n\n// doc a\n\n\na: 1\nb:   2\n\n\nc: 3\n",
    "import (\n\t\"z.io/b\"\n\t\"a.io/c\"\n)\nx: b.x + c.y\n",
    'import "strings" // why\na: strings.ToUpper("x")\n',
    'import (\n\t// doc for s\n\t"strings"\n\tl "list" // the list\n)\na: strings.ToUpper(l.x)\n',
    "l: [1, 2, // c\n\t3]\nm: [\n\t1,\n\t2\n]\nn: [ ]\no: { }\np: {a: 1, b: 2}\nq: {\n}\n",
    'a: [\n\t"x",\n\t"y"]\nb: [ "x" ,\n  "y" ]\nc: f(1,\n\t2)\n',
    "a: [1,2,3]\nb: [ 1, 2, 3 ]\nc: [{a: 1}, {b: 2}]\nd: [\n\t{a: 1},\n\t{b: 2}]\n",
    "g: [\n\t1,\n\n\t2,\n\t// before three\n\t3, // three\n\t// after three\n]\n",
    "l: [\n\t1, // one\n\t22, // two\n\t333 // three\n]\n",
    "a: *1|int\nb: 1+2*3\nc: (1+2)*3\nd: >=1 & <=5\ne: a.b.c\nf: len(a)\ng: -1\nh: !true\n",
    'a: =~"^x" & !~"y$"\nb: >0 & <10\nc: !=""\nd: -x\ne: 1 - -1\ng: 3 * (1+2)\nh: "a" + "b"\ni: a || b && c\n',
    "a: b: c: 1\nd: {e: f: 2}\n",
    "a: b: {\n\tc: 1\n}\nd: e: [\n\t1,\n]\nf:\n\tg: 1\n",
    "a: 1\n  + 2\nb: x\n\t.y\nc: a &\n\tb\n",
    "x: {\n\ta: 1\n\n\n\tb: 2\n\tc: {\n\n\n\t\td: 1\n\t}\n}\n",
    "#A: {\n\ta: int\n}\n#B: {\n\tb: int\n}\nc: 1\n// doc\nd: 2\n",
    "// Doc for A.\n#A: 1\n// Doc for B.\n#B: 2\nc: 3\n// Doc for d.\nd: 4\n",
    "// leading\npackage main // trailing\n\n// doc for a\na: 1 // line a\n\n// floating\n\nb: 2\n",
    "x: {\n\t// only a comment\n}\ny: [\n\t// only a comment\n]\nz: [1, // one\n\t2, // two\n]\n",
    "a: {\n\tb: 1 // one\n\tcc: 2 // two\n\n\tddd: 3 // three\n}\n",
    "#Def: {\n\t// field doc\n\tf: string\n\tg?: int\n\t...\n}\n",
    'a: "x" @dagger(input)\nb: *"y" | string @dagger(input) @foo(x)\nc: {\n\td: 1 @x(y)\n\teeeee: 2\n}\n',
    'for x in [1, 2] {\n\t"a\\(x)": x\n}\nif true {\n\tz: 1\n}\nlet y = 3\nw: y\n',
    'a: [for x in [1,2] {x}]\nb: {\n\tfor k, v in a {\n\t\t"\\(k)": v\n\t}\n\tif true { c: 1 }\n}\n',
    "e: [for x in y if x > 1 {x}]\nf: [ for x in y {\n\tx\n}]\n",
    's: "a\\( x )b"\nt: """\n    foo\n      bar \\(x)\n    """\nu: """\n    foo\n    """\nx: 1\n',
    'a: """\n\tmulti\n\tline\n\t"""\nb: {\n\tc: """\n\t\tdeep\n\t\t"""\n}\nc: \'bytes\'\nd: #"raw \\#(x)"#\n',
    'a: b.c.d\ne: f[0]\ng: h["k"]\ni: len([1, 2])\nj: strings.Join(["a", "b"], ",")\n',
    "X = 1\na: X\n",
    "a: // after colon\n\t1\n",
    "a: 1 + // after plus\n\t2\n",
    "a: [1, 2] // after list\nb: {c: 1} // after struct\n",
    "x: {\n\ta: 1 // a\n\t// between\n\tb: 2\n}\n",
    "s: {\n\ta: 1\n\t// trailing in struct\n}\nt: 2\n",
    "// c1\n\n// c2\na: 1\n",
    "a: {\n\tb: c: d: 1 // deep\n}\n",
    "a: *\"x\" | // c\n\t\"y\"\n",
    "a: 1\n// end of file comment\n",
    "a: {b: 1, c: {x: 1, y: 2}}\ne: [...string]\nf: [1, ...int]\n",
    '"\\(k)-x": 1\nx?: int\n#X: {a: int, ...}\n_h: 1\n_#hd: 2\n',
    "a: 1,b: 2\n",
    "a:\n\t1\nb: 2\n",
    "x: 0o777\ny: 0.5\nz: 1e3\nw: 1.5Gi\n",
]


def mangle(text: str, seed: int) -> str:
    """``text`` with its layout scrambled: indentation, blanks, blank lines."""
    rnd = random.Random(seed)
    lexed = tokenize(text)
    items = sorted(
        [(t.start.offset, t.end.offset, True) for t in lexed.tokens if not t.inserted]
        + [(c.span.start.offset, c.span.end.offset, False) for c in lexed.comments]
    )
    out: list[str] = []
    prev_end = 0
    for start, end, is_token in items:
        gap = text[prev_end:start]
        newlines = gap.count("\n")
        if newlines:
            r = rnd.random()
            if r < 0.15:
                newlines += 1
            elif r < 0.25 and newlines > 1:
                newlines = 1
            out.append("\n" * newlines + rnd.choice(["", "\t", "  ", "    ", "\t\t", " "]))
        elif gap:
            out.append(rnd.choice([" ", "  ", "\t"]))
        elif is_token:
            out.append(rnd.choice(["", "", "", " "]))
        out.append(text[start:end])
        prev_end = end
    out.append(text[prev_end:])
    return "".join(out)


def mangled_inputs(count_per_file: int = 2) -> list[str]:
    out = []
    for i, path in enumerate(CANONICAL):
        text = path.read_text("utf-8")
        for k in range(count_per_file):
            candidate = mangle(text, 1000 * i + k)
            if parse(candidate).ok:
                out.append(candidate)
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", CANONICAL, ids=_ids(CANONICAL))
def test_canonical_files_are_unchanged(path: Path) -> None:
    text = path.read_text("utf-8")
    assert format_text(text) == text


def test_canonical_files_agree_with_cue_fmt(cue_oracle) -> None:
    texts = [p.read_text("utf-8") for p in CANONICAL]
    _assert_same_as_cue_fmt(cue_oracle, texts)


def test_badly_formatted_inputs_agree_with_cue_fmt(cue_oracle) -> None:
    _assert_same_as_cue_fmt(cue_oracle, BADLY_FORMATTED)


def test_mangled_plans_agree_with_cue_fmt(cue_oracle) -> None:
    texts = mangled_inputs()
    assert len(texts) >= 20
    assert sum(format_text(t) != t for t in texts) >= len(texts) // 2  # the mangling did something
    _assert_same_as_cue_fmt(cue_oracle, texts)


def _assert_same_as_cue_fmt(cue_oracle, texts: list[str]) -> None:
    from cue_oracle import Case

    results = cue_oracle.run([Case(("fmt", "a.cue"), {"a.cue": t}, return_files=True) for t in texts])
    mismatches = []
    for text, result in zip(texts, results):
        assert result.definite, result.describe()
        expected = result.files.get("a.cue") if result.ok else None
        got = format_text(text)
        if got != expected:
            mismatches.append((text, expected, got))
    assert not mismatches, "\n\n".join(
        f"input:\n{t!r}\ncue fmt:\n{e!r}\nformat_text:\n{g!r}" for t, e, g in mismatches[:5]
    )


@pytest.mark.parametrize("text", [t for t in BADLY_FORMATTED + mangled_inputs(1) if parse(t).ok])
def test_formatting_is_idempotent(text: str) -> None:
    once = format_text(text)
    assert once is not None
    assert format_text(once) == once


@pytest.mark.parametrize(
    "text",
    ["a: {", "a: 1 b: 2", 'a: "unterminated', "a: [1, 2", "}", "a: b: c:"],
)
def test_text_that_does_not_parse_gives_none(text: str) -> None:
    assert format_text(text) is None


def test_formatting_keeps_every_token_and_comment() -> None:
    for text in BADLY_FORMATTED:
        formatted = format_text(text)
        if formatted is None:
            assert not parse(text).ok
            continue
        before, after = tokenize(text), tokenize(formatted)
        assert [c.text for c in before.comments] == [c.text for c in after.comments]
        significant = lambda lexed: [  # noqa: E731
            (t.type, t.value if t.type not in ("STRING", "INTERP_START", "INTERP_MID", "INTERP_END") else None)
            for t in lexed.tokens
            # cue fmt may add commas and, around a commented import, parentheses
            if not t.inserted and t.type not in ("COMMA", "LPAREN", "RPAREN")
        ]
        if "X = 1" not in text:  # the let rewrite adds a token
            assert significant(before) == significant(after)
