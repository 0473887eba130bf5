"""Unit tests of the parser: every construct of SPEC §3, spans, errors and recovery."""

from __future__ import annotations

import textwrap

import pytest

from plancheck.grammar import ast, parse
from plancheck.grammar.ast import LabelKind


def ok(text: str) -> ast.File:
    result = parse(textwrap.dedent(text))
    assert [e for e in result.errors if e.code == "CUE001"] == [], result.errors
    return result.file


def value(text: str) -> ast.Expr:
    """The value of the single field ``x`` in ``text``."""
    file = ok(text)
    fields = [d for d in file.decls if isinstance(d, ast.Field)]
    assert len(fields) == 1
    return fields[0].value


def errors(text: str) -> list[str]:
    return [e.message for e in parse(textwrap.dedent(text)).errors if e.code == "CUE001"]


def src(text: str, node: ast.Node) -> str:
    return text[node.span.start.offset : node.span.end.offset]


# -- preamble ----------------------------------------------------------------


def test_package_imports_and_file_attribute():
    f = ok(
        """\
        @if(fullop)
        package op

        import "strings"
        import (
        \t"alpha.dagger.io/dagger"
        \tapi "alpha.dagger.io/dagger/op"
        \t"example.com/x:y"
        )

        a: 1
        """
    )
    assert [a.name for a in f.attributes] == ["if"]
    assert f.attributes[0].body == "fullop"
    assert f.package_name == "op"
    specs = f.import_specs
    assert [s.path for s in specs] == ["strings", "alpha.dagger.io/dagger", "alpha.dagger.io/dagger/op", "example.com/x:y"]
    assert [s.default_name for s in specs] == ["strings", "dagger", "api", "y"]
    assert f.imports[1].grouped and not f.imports[0].grouped
    assert len(f.decls) == 1


def test_package_and_import_are_identifiers_after_the_preamble():
    f = ok(
        """\
        package main
        a: 1
        package: "x"
        import: package
        b: {"package": package, bash: true}
        """
    )
    labels = [d.label.name for d in f.decls]
    assert labels == ["a", "package", "import", "b"]
    assert isinstance(f.decls[2].value, ast.Ident) and f.decls[2].value.name == "package"


def test_leading_attribute_without_package_is_a_declaration():
    f = ok("@foo(bar)\na: 1\n")
    assert f.attributes == ()
    assert isinstance(f.decls[0], ast.AttributeDecl)


# -- labels ------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, kind, name",
    [
        ("a", LabelKind.IDENT, "a"),
        ("#A", LabelKind.DEFINITION, "#A"),
        ("_a", LabelKind.HIDDEN, "_a"),
        ("_#A", LabelKind.HIDDEN_DEFINITION, "_#A"),
        ('"a-b"', LabelKind.STRING, "a-b"),
        ("$x", LabelKind.IDENT, "$x"),
        ("null", LabelKind.KEYWORD, "null"),
        ("true", LabelKind.KEYWORD, "true"),
        ("for", LabelKind.IDENT, "for"),
        ("if", LabelKind.IDENT, "if"),
        ("in", LabelKind.IDENT, "in"),
        ("let", LabelKind.IDENT, "let"),
    ],
)
def test_label_kinds(label, kind, name):
    f = ok(f"{label}: 1\n")
    lab = f.decls[0].label
    assert (lab.kind, lab.name) == (kind, name)
    assert lab.binds == (kind in (LabelKind.IDENT, LabelKind.DEFINITION, LabelKind.HIDDEN, LabelKind.HIDDEN_DEFINITION))


def test_quoted_label_next_to_identifier_label_of_same_name():
    text = 'env: {A: "1"}\nx: {"env": env, env2: env}\n'
    f = ok(text)
    inner = f.decls[1].value.decls
    assert inner[0].label.kind is LabelKind.STRING and inner[0].label.name == "env"
    assert not inner[0].label.binds
    assert isinstance(inner[0].value, ast.Ident) and inner[0].value.name == "env"
    assert src(text, inner[0].label) == '"env"'


def test_optional_and_chained_labels():
    text = "a?: b: c?: 1\n"
    f = ok(text)
    a = f.decls[0]
    assert a.label.optional and a.label.name == "a"
    assert isinstance(a.value, ast.StructLit) and a.value.implicit
    b = a.value.decls[0]
    assert not b.label.optional
    c = b.value.decls[0]
    assert c.label.optional and isinstance(c.value, ast.Int) and c.value.value == 1
    assert src(text, a) == "a?: b: c?: 1"
    assert src(text, c) == "c?: 1"


def test_pattern_labels_with_and_without_alias():
    f = ok("a: [string]: int\nb: [Name=string]: {n: Name}\n")
    pa = f.decls[0].value.decls[0].label
    assert pa.kind is LabelKind.PATTERN and isinstance(pa.expr, ast.Ident) and pa.expr.name == "string"
    pb = f.decls[1].value.decls[0].label
    assert pb.kind is LabelKind.PATTERN and pb.alias.name == "Name"


def test_label_alias_and_value_alias():
    f = ok("X=a: 1\nb: Y=[1]\n")
    assert f.decls[0].label.alias.name == "X"
    assert isinstance(f.decls[1].value, ast.Alias) and f.decls[1].value.name.name == "Y"


def test_interpolated_label():
    f = ok('k: "x"\n"\\(k)-suffix": 1\n')
    lab = f.decls[1].label
    assert lab.kind is LabelKind.INTERPOLATED
    assert isinstance(lab.expr, ast.Interpolation)


def test_keyword_labels_do_not_break_comprehensions():
    f = ok("for: 1\nif x { y: 1 }\nfor k, v in z { (k): v }\n")
    assert isinstance(f.decls[1], ast.Comprehension)
    assert isinstance(f.decls[2], ast.Comprehension)
    assert f.decls[2].body.decls[0].label.kind is LabelKind.EXPRESSION


# -- structs, embedding, let, ellipsis ---------------------------------------


def test_embedding_let_ellipsis_and_definitions():
    f = ok(
        """\
        #Def: {
        \t#up: [...]
        \t...
        }
        x: {
        \t#Def
        \tstring
        \tlet y = 2
        \tz: y
        \t...string
        }
        """
    )
    d = f.decls[0].value.decls
    assert isinstance(d[1], ast.Ellipsis) and d[1].type is None
    x = f.decls[1].value.decls
    assert isinstance(x[0], ast.Embedding) and x[0].expr.name == "#Def"
    assert isinstance(x[2], ast.LetClause) and x[2].name.name == "y"
    assert isinstance(x[4], ast.Ellipsis) and x[4].type.name == "string"


def test_struct_attribute_declaration_and_field_attributes():
    f = ok('#Secret: {\n\t@dagger(secret)\n\tid: string\n}\nport: *22 | int @dagger(input) @go(Port,type=int)\n')
    assert isinstance(f.decls[0].value.decls[0], ast.AttributeDecl)
    port = f.decls[1]
    assert [a.name for a in port.attributes] == ["dagger", "go"]
    assert port.attributes[1].args() == [("Port", None), ("type", "int")]
    assert port.attributes[0].has_arg("input")


def test_attribute_body_with_nested_brackets_and_strings():
    f = ok('a: 1 @x(f("(a)"), [1, {b}])\n')
    assert f.decls[0].attributes[0].body == 'f("(a)"), [1, {b}]'


# -- lists --------------------------------------------------------------------


def test_lists_with_open_tails():
    assert value("x: [...string]\n").ellipsis.type.name == "string"
    lst = value("x: [1, 2, ...int]\n")
    assert [type(e).__name__ for e in lst.elements] == ["Int", "Int", "Ellipsis"]
    assert value("x: []\n").elements == ()
    assert value("x: [...]\n").ellipsis.type is None


def test_list_elements_need_explicit_commas_in_v04():
    assert errors("x: [\n\t1\n\t2\n]\n") == ["missing ',' before newline in list literal"]
    ok("x: [\n\t1,\n\t2\n]\n")
    ok("x: [\n\t1,\n\t2,\n]\n")


def test_list_comprehension_element_takes_a_newline_comma():
    lst = value("x: [\n\tfor a in b {a}\n\tif c {d}\n]\n")
    assert [type(e).__name__ for e in lst.elements] == ["Comprehension", "Comprehension"]


# -- comprehensions -------------------------------------------------------------


def test_comprehensions_in_structs_and_lists():
    f = ok(
        """\
        for k, v in env {
        \t"\\(k)": v
        }
        x: [ for v in list if v != "" { v } ]
        y: { if ssh != _|_ { port: ssh.port } }
        z: { for a in b, let c = a, if c > 1 for d in e { (d): c } }
        """
    )
    c = f.decls[0]
    assert isinstance(c, ast.Comprehension)
    fc = c.clauses[0]
    assert fc.key.name == "k" and fc.value.name == "v" and fc.source.name == "env"
    lc = f.decls[1].value.elements[0]
    assert [type(x).__name__ for x in lc.clauses] == ["ForClause", "IfClause"]
    ic = f.decls[2].value.decls[0]
    cond = ic.clauses[0].condition
    assert isinstance(cond, ast.Binary) and cond.op == "!=" and isinstance(cond.right, ast.Bottom)
    multi = f.decls[3].value.decls[0]
    assert [type(x).__name__ for x in multi.clauses] == ["ForClause", "LetClause", "IfClause", "ForClause"]


# -- expressions ---------------------------------------------------------------


def test_disjunctions_keep_grouping_and_defaults():
    v = value("x: a | (b | *c)\n")
    assert isinstance(v, ast.Disjunction) and len(v.terms) == 2
    assert isinstance(v.terms[1], ast.Paren)
    inner = v.terms[1].expr
    assert isinstance(inner, ast.Disjunction) and isinstance(inner.terms[1], ast.Unary) and inner.terms[1].op == "*"
    flat = value("x: a | b | *c\n")
    assert len(flat.terms) == 3


def test_precedence():
    # & binds tighter than |; comparisons tighter than &&; * tighter than +
    v = value("x: *null | string & =~\"^a\"\n")
    assert isinstance(v, ast.Disjunction)
    assert isinstance(v.terms[1], ast.Unification)
    assert isinstance(v.terms[1].terms[1], ast.Unary) and v.terms[1].terms[1].op == "=~"
    v = value("x: a == 1 && b != 2 || c\n")
    assert v.op == "||" and v.left.op == "&&" and v.left.left.op == "=="
    v = value("x: 1 + 2 * 3 - 4\n")
    assert v.op == "-" and v.left.op == "+" and v.left.right.op == "*"
    v = value("x: -1\n")
    assert isinstance(v, ast.Unary) and v.op == "-"
    v = value("x: !a\n")
    assert v.op == "!"
    v = value("x: >=0 & <10\n")
    assert [t.op for t in v.terms] == [">=", "<"]


def test_selectors_index_calls():
    v = value('x: strings.Join(a.b."c-d"[0], ",")\n')
    assert isinstance(v, ast.Call) and len(v.args) == 2
    sel = v.func
    assert isinstance(sel, ast.Selector) and sel.name == "Join"
    idx = v.args[0]
    assert isinstance(idx, ast.Index)
    assert idx.expr.quoted and idx.expr.name == "c-d"
    v = value("x: op.#Exec\n")
    assert v.name == "#Exec" and v.expr.name == "op"


def test_list_and_string_concatenation():
    v = value('x: [a] + b + ["c"]\n')
    assert v.op == "+" and v.left.op == "+"


def test_literals():
    assert value("x: null\n").__class__ is ast.Null
    assert value("x: true\n").value is True
    assert value("x: _|_\n").__class__ is ast.Bottom
    assert value("x: _\n").__class__ is ast.Top
    assert value("x: 0o755\n").value == 0o755
    assert value("x: 0x1F\n").value == 31
    assert value("x: 0b101\n").value == 5
    assert value("x: 1_000\n").value == 1000
    assert value("x: 1.5\n").value == 1.5
    assert value("x: .5\n").value == 0.5
    assert value("x: 1e3\n").value == 1000.0
    assert value("x: 1.\n").value == 1.0


# -- strings ---------------------------------------------------------------------


def test_string_escapes():
    assert value(r'x: "a\tb\n\"q\" \\ \/ \u00e9 \U0001F600"' + "\n").value == 'a\tb\n"q" \\ / é 😀'


def test_nested_interpolation_with_strings_inside():
    text = 'x: "a\\(f("b\\(c + "d")e") + "(")z"\n'
    v = value(text)
    assert isinstance(v, ast.Interpolation)
    assert [p.value for p in v.parts if isinstance(p, ast.StringPart)] == ["a", "z"]
    expr = v.parts[1]
    assert isinstance(expr, ast.Binary) and expr.op == "+"
    call = expr.left
    inner = call.args[0]
    assert isinstance(inner, ast.Interpolation)
    assert [p.value for p in inner.parts if isinstance(p, ast.StringPart)] == ["b", "e"]
    assert expr.right.value == "("
    assert src(text, v) == text[3:-1]


def test_multiline_string_indentation_rule():
    v = value('x: """\n\t\tline one\n\t\t  indented\n\n\t\tlast\n\t\t"""\n')
    assert v.multiline and v.value == "line one\n  indented\n\nlast"
    errs = errors('x: """\n\t\tok\n\tbad\n\t\t"""\n')
    assert errs and "indentation of its closing quotes" in errs[0]
    assert errors('x: """ not a newline\n"""\n')


def test_raw_strings_and_raw_interpolation():
    assert value('x: #"a\\nb"#\n').value == "a\\nb"
    assert value('x: #"a\\#nb"#\n').value == "a\nb"
    assert value('x: #"say "hi""#\n').value == 'say "hi"'
    v = value('x: #"""\n\techo \\(literal) \\#(name)\n\t"""#\n')
    assert isinstance(v, ast.Interpolation) and v.multiline and v.hashes == 1
    parts = v.parts
    assert parts[0].value == "echo \\(literal) "
    assert parts[1].name == "name"


def test_raw_multiline_string_without_interpolation():
    v = value('x: #"""\n\t#!/bin/sh\n\techo "\\(nope)"\n\t"""#\n')
    assert isinstance(v, ast.String) and v.value == '#!/bin/sh\necho "\\(nope)"'


def test_bytes_literal():
    v = value("x: 'ab\\x00\\xff'\n")
    assert v.is_bytes and v.value == b"ab\x00\xff"


# -- comma insertion ------------------------------------------------------------


def test_newline_before_colon_is_one_field():
    f = ok("a\n: 1\n")
    assert len(f.decls) == 1 and f.decls[0].label.name == "a" and f.decls[0].value.value == 1


def test_two_fields_on_one_line_need_a_comma():
    assert errors("a: 1 b: 2\n") == ["missing ',' before 'b'"]
    f = ok("a: 1, b: 2\n")
    assert len(f.decls) == 2


def test_comment_acts_as_newline():
    f = ok("a: 1 // one\nb: 2\n")
    assert len(f.decls) == 2


def test_newline_before_comma_is_not_doubled():
    f = ok("a: [1\n, 2]\n")
    assert len(f.decls[0].value.elements) == 2


# -- spans and docs -------------------------------------------------------------


def test_spans_are_exact_and_non_ascii_aware():
    text = 'é: "ü"\nref: "docker.io/alpine"\n'
    f = ok(text)
    ref = f.decls[1]
    assert src(text, ref.value) == '"docker.io/alpine"'
    start = ref.value.span.start
    assert (start.line, start.column, start.offset) == (2, 6, 12)
    assert start.byte == 14  # é and ü are two bytes each
    first = f.decls[0].value.span
    assert (first.start.column, first.end.column) == (4, 7)


def test_doc_comments_attach_to_the_field_below():
    f = ok(
        """\
        // Image to build.
        // Second line.
        image: string

        // Not attached: a blank line separates it.

        other: 1 // trailing
        third: 2
        """
    )
    assert f.decls[0].doc == "Image to build.\nSecond line."
    assert f.decls[1].doc is None
    assert f.decls[2].doc is None
    assert any(c.text == "// trailing" and not c.own_line for c in f.comments)


# -- errors and recovery ------------------------------------------------------------


def test_three_independent_mistakes_give_three_errors_and_keep_good_fields():
    text = textwrap.dedent(
        """\
        package main

        a: {
        \tref "alpine"
        \tb: 1
        }
        c: 1 d: 2
        e: )
        f: "ok"
        """
    )
    result = parse(text)
    msgs = [(e.span.start.line, e.message) for e in result.errors]
    assert msgs == [
        (4, "expected ':' or ',' after label \"ref\", found '\"alpine\"'"),
        (7, "missing ',' before 'd'"),
        (8, "unexpected ')' with no matching opening bracket"),
    ]
    labels = [d.label.name for d in result.file.decls if isinstance(d, ast.Field)]
    assert labels == ["a", "c", "d", "e", "f"]
    inner = [d.label.name for d in result.file.decls[0].value.decls]
    assert inner == ["ref", "b"]


def test_garbage_in_a_struct_is_skipped_to_the_next_field():
    result = parse("x: {\n\ta: 1\n\tb: ] ] 3\n\tc: 2\n}\n")
    assert result.errors
    inner = [d.label.name for d in result.file.decls[0].value.decls if isinstance(d, ast.Field)]
    assert inner == ["a", "b", "c"]


def test_unclosed_brackets_are_reported_at_the_opener():
    result = parse("a: {\n\tb: [1, 2\n")
    assert [e.message for e in result.errors] == [
        "missing '}' to close the '{' opened at line 1, column 4",
        "missing ']' to close the '[' opened at line 2, column 5",
    ]
    assert result.file.decls[0].value.decls[0].label.name == "b"


def test_deep_nesting_is_an_error_not_a_recursion_error():
    result = parse("x: " + "[" * 10_000)
    assert any("nested more than" in e.message for e in result.errors)
    result = parse("x: " + "{a: " * 10_000)
    assert any("nested more than" in e.message for e in result.errors)


def test_error_spans_lie_inside_the_text():
    for text in ["a: \"\\(", "a: \"\"\"\nx", "a:", "}", "a: b: [", "@", "a: 'x\\q'"]:
        result = parse(text)
        assert result.errors, text
        for e in result.errors:
            assert 0 <= e.span.start.offset <= e.span.end.offset <= len(text)


def test_outside_the_subset_is_cue006():
    result = parse("a: b[1:2]\n")
    assert [(e.code, e.severity) for e in result.errors] == [("CUE006", "warning")]
    result = parse("a: 1Ki\n")
    assert [e.code for e in result.errors] == ["CUE006"]
