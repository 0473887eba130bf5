"""The partial evaluator: unifies conjuncts into vertices, lazily and once.

Design (see ../shared/EVALUATOR.md and the module docs of :mod:`.vertex` and
:mod:`.scopes`):

* A vertex is evaluated only when something asks for it (a rule, a
  reference, a comprehension source) and then memoised; a vertex asked for
  while it is being evaluated is a reference cycle and yields ``Unknown``.
* References resolve to vertices. Unifying with a referenced vertex adds its
  conjuncts, so a definition is re-evaluated in the context of its user;
  the vertex also remembers the reference (build-graph edges, hover).
* Comprehensions and computed labels run after the other declarations of
  the same vertex, once the fields they read are complete; a comprehension
  whose source or condition is not known contributes nothing and marks the
  vertex incomplete (no guessing, no false positives).
* Errors are recorded once per location (a definition re-evaluated in many
  places reports its conflict once).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from plancheck.checker.eval import builtins as bi
from plancheck.checker.eval.scopes import (
    BindEnv, Env, FileEnv, LetEnv, PackageEnv, StructEnv, names_in_scope,
)
from plancheck.checker.eval.values import (
    ALL_KINDS, TOP, Bool, Bottom, Bound, Bytes, Disj, Float, Int, Kind, ListRef, Null, Origin, Piece,
    Str, StructRef, Unknown, Value, conflict, describe, kind_of, resolve_default, unify_scalars,
)
from plancheck.checker.eval.vertex import (
    DONE, RUNNING, UNEVALUATED, Closedness, Conjunct, Pattern, ValueExpr, Vertex, format_path, is_regular,
)
from plancheck.grammar import ast
from plancheck.grammar.ast import LabelKind

#: how many disjunction combinations one vertex may try before giving up (Unknown)
MAX_DISJUNCTION_PRODUCT = 64


@dataclass(frozen=True)
class Issue:
    """A problem found by the evaluator, before rules turn it into a diagnostic."""

    code: str
    message: str
    origin: Origin
    related: tuple[tuple[Origin, str], ...] = ()
    #: the vertex concerned (conflicts, closedness), for rules that refine the code
    vertex: Vertex | None = field(default=None, compare=False, hash=False)
    #: extra data for rules (e.g. the allowed labels of a closed struct)
    data: Any = field(default=None, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ImportedPackage(Value):
    """An imported CUE package: the root vertex of its evaluation."""

    path: str
    root: Vertex
    evaluator: "Evaluator"

    def kind_name(self) -> str:
        return "package"


class Evaluator:
    """Evaluates one package (and, through :class:`ImportedPackage`, what it imports)."""

    def __init__(self, is_user_file: Callable[[str], bool] = lambda p: True) -> None:
        self.issues: list[Issue] = []
        self._seen_issues: set[tuple] = set()
        self.is_user_file = is_user_file
        self._stack_depth = 0
        #: issues of the disjuncts being tried (innermost last)
        self.trials: list[list[Issue]] = []
        #: disjunctions whose terms are being tried: a trial that meets one again
        #: (through the struct literal that embeds it) must not try it again
        self.resolving: set[int] = set()

    def replay(self, issues: Iterable[Issue]) -> None:
        for i in issues:
            self.report(i.code, i.message, i.origin, i.related, i.vertex, i.data)

    # -- reporting ----------------------------------------------------------
    def report(self, code: str, message: str, origin: Origin, related: Iterable[tuple[Origin, str]] = (), vertex: Vertex | None = None, data: Any = None) -> None:
        if self.trials:
            # Trying a disjunct: its errors count only if it is chosen.
            self.trials[-1].append(Issue(code, message, origin, tuple(related), vertex, data))
            return
        key = (code, message, origin.path, origin.span.start.offset, origin.span.end.offset)
        if key in self._seen_issues:
            return
        self._seen_issues.add(key)
        self.issues.append(Issue(code, message, origin, tuple(related), vertex, data))

    # -- vertices -----------------------------------------------------------
    def finalize(self, v: Vertex) -> Value:
        """The value of ``v`` (its arcs or elements are collected, not evaluated)."""
        if v.state == DONE:
            return v.value  # type: ignore[return-value]
        if v.state == RUNNING:
            return Unknown("reference cycle")
        if v.parent is not None and v.parent.state != DONE:
            # Every conjunct of an arc comes from its parent's declarations,
            # pattern constraints and comprehensions: complete those first.
            self.finalize(v.parent)
            if v.state == DONE:
                return v.value  # type: ignore[return-value]
        v.state = RUNNING
        self._stack_depth += 1
        try:
            if self._stack_depth > 400:
                value: Value = Unknown("evaluation nested too deeply")
            else:
                value = _Acc(self, v).run()
        finally:
            self._stack_depth -= 1
        v.value = value
        v.state = DONE
        return value

    def struct_of(self, v: Vertex) -> Vertex | None:
        """The vertex holding ``v``'s fields (itself, or the disjunct chosen), if any."""
        value = resolve_default(self.finalize(v))
        if isinstance(value, StructRef):
            return value.vertex
        if v.scalar_with_defs or (v.arcs and not isinstance(value, ListRef)):
            return v
        return None

    def list_of(self, v: Vertex) -> Vertex | None:
        value = resolve_default(self.finalize(v))
        if isinstance(value, ListRef):
            return value.vertex
        return None

    def is_unset_optional(self, v: Vertex) -> bool:
        """An optional field (``x?: T``) that nothing sets: it does not exist."""
        parent = v.parent
        if parent is None or not isinstance(v.label, str):
            return False
        if parent.state != DONE:
            self.finalize(parent)
        return parent.state == DONE and v.label in parent.optional

    def field(self, v: Vertex, label: str) -> Vertex | None:
        sv = self.struct_of(v)
        if sv is None:
            return None
        return sv.arcs.get(label)

    # -- expressions in value position ------------------------------------
    def eval(self, expr: Any, env: Env) -> Value:
        t = type(expr)
        if t is ast.String:
            o = Origin(env.file, expr.span)
            return Bytes(expr.value, o) if expr.is_bytes else Str(expr.value, o)
        if t is ast.Int:
            if expr.value is None:
                return Unknown("number outside the supported subset", frozenset({"int"}))
            return Int(expr.value, Origin(env.file, expr.span))
        if t is ast.Float:
            return Float(expr.value, Origin(env.file, expr.span)) if expr.value is not None else Unknown("", frozenset({"float"}))
        if t is ast.Bool:
            return Bool(expr.value, Origin(env.file, expr.span))
        if t is ast.Null:
            return Null(Origin(env.file, expr.span))
        if t is ast.Top:
            return TOP
        if t is ast.Bottom:
            return Bottom("explicit error (_|_ literal)", (Origin(env.file, expr.span),))
        if t in (ast.Ident, ast.Selector, ast.Index):
            r = self.resolve(expr, env)
            if isinstance(r, Vertex):
                return self.finalize(r)
            return r
        if t is ast.Paren or t is ast.Alias:
            return self.eval(expr.expr, env)
        if t is ast.Interpolation:
            return self._interpolate(expr, env)
        if t is ast.Unary:
            return self._unary(expr, env)
        if t is ast.Binary:
            return self._binary(expr, env)
        if t is ast.Disjunction:
            return self._disjunction_value(expr, env)
        if t in (ast.StructLit, ast.ListLit, ast.Unification):
            v = Vertex(("<expr>",), None)
            v.conjuncts.append(Conjunct(expr, env))
            return self.finalize(v)
        if t is ast.Call:
            return self._call(expr, env)
        if t is ast.Slice:
            return Unknown("slice outside the supported subset")
        if t is ast.BadExpr:
            return Unknown("syntax error")
        return Unknown(f"unsupported expression {t.__name__}")

    def eval_concrete(self, expr: Any, env: Env) -> Value:
        return resolve_default(self.eval(expr, env))

    # -- references ---------------------------------------------------------
    def resolve(self, expr: Any, env: Env) -> Vertex | Value:
        """What a reference expression denotes: a vertex, or a value (builtins, bindings)."""
        t = type(expr)
        if t is ast.Ident:
            return self._resolve_ident(expr, env)
        if t is ast.Selector:
            return self._select(self.resolve(expr.expr, env), expr.name, Origin(env.file, expr.name_span), expr, env)
        if t is ast.Index:
            base = self.resolve(expr.expr, env)
            idx = resolve_default(self.eval(expr.index, env))
            if isinstance(idx, Str):
                return self._select(base, idx.value, Origin(env.file, expr.index.span), None, env)
            if isinstance(idx, Int):
                lv = self.list_of(base) if isinstance(base, Vertex) else (base.vertex if isinstance(base, ListRef) else None)
                if lv is None or lv.elements is None:
                    return Unknown("index into a value that is not a known list")
                if 0 <= idx.value < len(lv.elements):
                    return lv.elements[idx.value]
                if lv.list_open:
                    return Unknown("index past the known elements of an open list")
                return Bottom(f"index {idx.value} out of range (the list has {len(lv.elements)} elements)", (Origin(env.file, expr.span),))
            return Unknown("index is not known")
        if t is ast.Paren:
            return self.resolve(expr.expr, env)
        return self.eval(expr, env)

    def _resolve_ident(self, ident: ast.Ident, env: Env) -> Vertex | Value:
        name = ident.name
        e: Env | None = env
        maybe_in_comprehension = False
        while e is not None:
            te = type(e)
            if te is StructEnv:
                d = e.decls  # type: ignore[attr-defined]
                if name in d.labels:
                    return e.vertex.arc(name)  # type: ignore[attr-defined]
                if name in d.lets:
                    return self._let_value(e, name, d.lets[name])  # type: ignore[arg-type]
                if name in d.aliases:
                    return e.vertex.arc(d.aliases[name])  # type: ignore[attr-defined]
                if name in d.comprehension_labels:
                    maybe_in_comprehension = True
            elif te is BindEnv:
                names = e.names  # type: ignore[attr-defined]
                if name in names:
                    return names[name]
            elif te is LetEnv:
                if e.name == name:  # type: ignore[attr-defined]
                    le: LetEnv = e  # type: ignore[assignment]
                    if le.cache is None:
                        le.cache = self._let_target(le.expr, le.env)
                    return le.cache
            elif te is FileEnv:
                imports = e.imports  # type: ignore[attr-defined]
                if name in imports:
                    e.used.add(name)  # type: ignore[attr-defined]
                    return imports[name]
            elif te is PackageEnv:
                if name in e.labels:  # type: ignore[attr-defined]
                    return e.vertex.arc(name)  # type: ignore[attr-defined]
            e = e.parent
        u = bi.universe(name, Origin(env.file, ident.span))
        if u is not None:
            return u
        if maybe_in_comprehension:
            return Unknown(f"{name} may be declared by a comprehension")
        hint = _did_you_mean(name, names_in_scope(env))
        self.report("CUE002", f"reference \"{name}\" not found{hint}", Origin(env.file, ident.span), data={"name": name, "suggestion": hint})
        return Unknown(f"undefined reference {name}")

    def _let_value(self, senv: StructEnv, name: str, expr: Any) -> Vertex | Value:
        cache = _let_cache(senv)
        if name not in cache:
            cache[name] = RUNNING_LET
            cache[name] = self._let_target(expr, senv)
        got = cache[name]
        if got is RUNNING_LET:
            return Unknown("let cycle")
        return got

    def _let_target(self, expr: Any, env: Env) -> Vertex | Value:
        if type(expr) in (ast.Ident, ast.Selector, ast.Index, ast.Paren):
            return self.resolve(expr, env)
        v = Vertex(("<let>",), None)
        v.conjuncts.append(Conjunct(expr, env))
        return v

    def _select(self, base: Vertex | Value, name: str, origin: Origin, expr: Any, env: Env) -> Vertex | Value:
        if isinstance(base, ImportedPackage):
            root = base.root
            base.evaluator.finalize(root)
            arc = root.arcs.get(name)
            if arc is None or not (name.startswith("#") or is_regular(name)):
                if not root.incomplete:
                    hint = _did_you_mean(name, [l for l in root.arcs if not l.startswith("_")])
                    pkg = base.path.rsplit("/", 1)[-1]
                    self.report("CUE002", f"\"{name}\" is not defined in package {pkg} ({base.path}){hint}", origin, data={"name": name, "suggestion": hint})
                return Unknown(f"undefined: {name}")
            return arc
        if isinstance(base, bi.BuiltinPackage):
            member = base.member(name)
            if member is None:
                hint = _did_you_mean(name, sorted(bi.MEMBERS.get(base.path, ())))
                self.report("CUE002", f"\"{name}\" is not defined in package {base.name}{hint}", origin, data={"name": name, "suggestion": hint})
                return Unknown(f"undefined: {base.name}.{name}")
            return member
        if isinstance(base, Vertex):
            sv = self.struct_of(base)
            if sv is None:
                value = resolve_default(self.finalize(base))
                return self._select_value(value, name, origin)
            arc = sv.arcs.get(name)
            if arc is not None:
                return arc
            return Bottom(f"undefined field {name}", (origin,), incomplete=True)
        return self._select_value(base, name, origin)

    def _select_value(self, value: Value, name: str, origin: Origin) -> Vertex | Value:
        value = resolve_default(value)
        if isinstance(value, StructRef):
            arc = value.vertex.arcs.get(name)
            if arc is not None:
                return arc
            return Bottom(f"undefined field {name}", (origin,), incomplete=True)
        if isinstance(value, (Unknown, Kind, Disj)) or value is TOP:
            return Unknown(f"field {name} of a value that is not known")
        if isinstance(value, Bottom):
            return value
        return Bottom(f"invalid selector {name} on {describe(value)}", (origin,), incomplete=True)

    # -- operators ------------------------------------------------------------
    def _unary(self, expr: ast.Unary, env: Env) -> Value:
        op = expr.op
        if op == "*":
            return self.eval(expr.operand, env)
        x = self.eval_concrete(expr.operand, env)
        o = Origin(env.file, expr.span)
        if op in ("<", "<=", ">", ">=", "!=", "=~", "!~"):
            if isinstance(x, Bottom):
                return x
            if not x.concrete:
                return Unknown("bound on a value that is not known")
            kinds = ALL_KINDS
            if op in ("=~", "!~"):
                kinds = frozenset({"string", "bytes"})
            elif op != "!=":
                kinds = frozenset({"int", "float"}) if isinstance(x, (Int, Float)) else frozenset({kind_of(x) and next(iter(kind_of(x))) or "string"})  # type: ignore[arg-type]
            return Kind(kinds, (Bound(op, x),), o)
        if isinstance(x, Bottom):
            return x
        if op == "-":
            if isinstance(x, Int):
                return Int(-x.value, o)
            if isinstance(x, Float):
                return Float(-x.value, o)
        elif op == "+":
            if isinstance(x, (Int, Float)):
                return x
        elif op == "!":
            if isinstance(x, Bool):
                return Bool(not x.value, o)
        if not x.concrete:
            return Unknown("operand not known", kind_of(x) if op != "!" else frozenset({"bool"}))
        return Bottom(f"invalid operand {describe(x)} for unary {op}", (o,))

    def _binary(self, expr: ast.Binary, env: Env) -> Value:
        op = expr.op
        o = Origin(env.file, expr.span)
        if op in ("==", "!=") and (isinstance(expr.right, ast.Bottom) or isinstance(expr.left, ast.Bottom)):
            other = expr.left if isinstance(expr.right, ast.Bottom) else expr.right
            exists = self._exists(other, env)
            if exists is None:
                return Unknown("existence not known", frozenset({"bool"}))
            return Bool(exists if op == "!=" else not exists, o)
        a = self.eval_concrete(expr.left, env)
        if op in ("&&", "||"):
            if isinstance(a, Bool):
                if op == "&&" and not a.value:
                    return Bool(False, o)
                if op == "||" and a.value:
                    return Bool(True, o)
                b = self.eval_concrete(expr.right, env)
                if isinstance(b, Bool):
                    return Bool(b.value, o)
                return Unknown("operand not known", frozenset({"bool"}))
            return Unknown("operand not known", frozenset({"bool"}))
        b = self.eval_concrete(expr.right, env)
        for x in (a, b):
            if isinstance(x, Bottom):
                return x
        if not a.concrete or not b.concrete:
            if isinstance(a, (ListRef,)) and isinstance(b, ListRef) and op == "+":
                return self._concat_lists(a, b, o)
            kinds = frozenset({"bool"}) if op in ("==", "!=", "<", "<=", ">", ">=", "=~", "!~") else None
            if op == "+" and (kind_of(a) == frozenset({"string"}) or kind_of(b) == frozenset({"string"})):
                kinds = frozenset({"string"})
            return Unknown("operand not known", kinds)
        if op in ("==", "!="):
            eq = _equal(a, b)
            if eq is None:
                return Unknown("comparison not known", frozenset({"bool"}))
            return Bool(eq if op == "==" else not eq, o)
        if op in ("<", "<=", ">", ">="):
            if isinstance(a, (Int, Float)) and isinstance(b, (Int, Float)) or isinstance(a, Str) and isinstance(b, Str):
                x, y = a.value, b.value  # type: ignore[union-attr]
                r = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
                return Bool(r, o)
            return Bottom(f"invalid operands {describe(a)} and {describe(b)} for {op}", (o,))
        if op in ("=~", "!~"):
            from plancheck.checker.eval.values import check_bound

            r2 = check_bound(Bound(op, b), a)
            return Bool(r2, o) if r2 is not None else Unknown("regular expression not decidable", frozenset({"bool"}))
        if op == "+":
            if isinstance(a, Str) and isinstance(b, Str):
                pieces = a.piece_list() + b.piece_list()
                return Str(a.value + b.value, o, pieces)
            if isinstance(a, Bytes) and isinstance(b, Bytes):
                return Bytes(a.value + b.value, o)
        if isinstance(a, (Int, Float)) and isinstance(b, (Int, Float)):
            if op == "+":
                r3: Any = a.value + b.value
            elif op == "-":
                r3 = a.value - b.value
            elif op == "*":
                r3 = a.value * b.value
            elif op == "/":
                if b.value == 0:
                    return Bottom("division by zero", (o,))
                return Float(a.value / b.value, o)
            else:
                return Bottom(f"invalid operator {op}", (o,))
            if isinstance(a, Int) and isinstance(b, Int):
                return Int(int(r3), o)
            return Float(float(r3), o)
        if op == "*" and (isinstance(a, Str) and isinstance(b, Int) or isinstance(a, Int) and isinstance(b, Str)):
            s, n = (a, b) if isinstance(a, Str) else (b, a)
            return Str(s.value * max(n.value, 0), o)  # type: ignore[union-attr]
        return Bottom(f"invalid operands {describe(a)} and {describe(b)} for {op} (mismatched types {a.kind_name()} and {b.kind_name()})", (o,))

    def _concat_lists(self, a: ListRef, b: ListRef, o: Origin) -> Value:
        la, lb = a.vertex, b.vertex
        if la.list_open or lb.list_open:
            return Unknown("concatenation of open lists", frozenset({"list"}))
        items = [list(e.conjuncts) for e in (la.elements or [])] + [list(e.conjuncts) for e in (lb.elements or [])]
        v = Vertex(("<list>",), None)
        v.state = DONE
        v.elements = []
        for i, conjs in enumerate(items):
            el = Vertex(v.path + (i,), v)
            el.conjuncts = conjs
            v.elements.append(el)
        v.value = ListRef(v)
        return v.value

    def _exists(self, expr: Any, env: Env) -> bool | None:
        """``expr != _|_``: whether the value exists (None: cannot be known)."""
        if type(expr) in (ast.Ident, ast.Selector, ast.Index, ast.Paren):
            r = self.resolve(expr, env)
            if isinstance(r, Vertex):
                if self.is_unset_optional(r):
                    return False
                val = self.finalize(r)
            else:
                val = r
        else:
            val = self.eval(expr, env)
        if isinstance(val, Bottom):
            return False
        val = resolve_default(val)
        if isinstance(val, (Unknown, Kind, Disj)):
            # Set but not concrete (an output filled at run time): CUE treats the
            # guard as not satisfied yet; plancheck cannot know either way.
            return None
        return True

    def _disjunction_value(self, expr: ast.Disjunction, env: Env) -> Value:
        terms, defaults = self.disjunction_terms(expr, env)
        kept: list[Value] = []
        kept_d: list[bool] = []
        for t, d in zip(terms, defaults):
            if not isinstance(t, Bottom):
                kept.append(t)
                kept_d.append(d)
        if not kept:
            return Bottom("empty disjunction: every term is an error", (Origin(env.file, expr.span),))
        if len(kept) == 1:
            return kept[0]
        return Disj(tuple(kept), tuple(kept_d))

    def disjunction_terms(self, expr: ast.Disjunction, env: Env) -> tuple[list[Value], list[bool]]:
        terms: list[Value] = []
        outer: list[bool] = []
        inner_marks: list[bool] = []
        for term in expr.terms:
            is_default = isinstance(term, ast.Unary) and term.op == "*"
            inner = term.operand if is_default else term
            value = self.eval(inner, env)
            if isinstance(value, Disj):
                for t, d in zip(value.terms, value.defaults):
                    terms.append(t)
                    outer.append(is_default)
                    inner_marks.append(d)
            else:
                terms.append(value)
                outer.append(is_default)
                inner_marks.append(is_default)
        # A marked term wins over the defaults of a parenthesised sub-disjunction;
        # without one, `a | (b | *c)` defaults to c (CUE's default rules).
        defaults = outer if any(outer) else inner_marks
        return terms, defaults

    def _call(self, expr: ast.Call, env: Env) -> Value:
        fn = self.resolve(expr.func, env)
        if isinstance(fn, Vertex):
            fn = self.finalize(fn)
        o = Origin(env.file, expr.span)
        if isinstance(fn, bi.Builtin):
            args = [self.eval_concrete(a, env) for a in expr.args]
            for a in args:
                if isinstance(a, Bottom):
                    return a
            if fn.func is None:
                return Unknown(f"{fn.name} is not computed by plancheck")
            return fn.func(args, o, self)
        if isinstance(fn, Unknown):
            return Unknown("call of an unknown function")
        return Bottom(f"cannot call {describe(fn)}: not a function", (o,))

    def _interpolate(self, expr: ast.Interpolation, env: Env) -> Value:
        pieces: list[Piece] = []
        for part in expr.parts:
            if isinstance(part, ast.StringPart):
                text = part.value if isinstance(part.value, str) else part.value.decode("utf-8", "replace")
                pieces.append(Piece(text, Origin(env.file, part.span)))
                continue
            value = self.eval_concrete(part, env)
            if isinstance(value, Str):
                pieces.extend(value.piece_list())
            elif isinstance(value, (Int, Float)):
                pieces.append(Piece(str(value.value) if isinstance(value, Int) else _format_float(value.value), value.origin))
            elif isinstance(value, Bool):
                pieces.append(Piece("true" if value.value else "false", value.origin))
            elif isinstance(value, Bytes):
                pieces.append(Piece(value.value.decode("utf-8", "replace"), value.origin))
            elif isinstance(value, Bottom):
                return value
            elif isinstance(value, (StructRef, ListRef, Null)):
                return Bottom(f"invalid interpolation: cannot use {describe(value)} in a string", (Origin(env.file, part.span),))
            else:
                return Unknown("interpolation of a value that is not known", frozenset({"bytes" if expr.is_bytes else "string"}))
        text = "".join(p.text for p in pieces)
        o = Origin(env.file, expr.span)
        if expr.is_bytes:
            return Bytes(text.encode("utf-8"), o)
        return Str(text, o, tuple(pieces))

    # -- comprehensions -------------------------------------------------------
    def run_clauses(self, clauses: tuple, i: int, env: Env, body: Callable[[Env], None], vertex: Vertex) -> None:
        if i == len(clauses):
            body(env)
            return
        clause = clauses[i]
        if isinstance(clause, ast.ForClause):
            src = self.eval_concrete(clause.source, env)
            bindings = self._iterate(src, clause, env, vertex)
            if bindings is None:
                return
            for key, value in bindings:
                names: dict[str, Any] = {clause.value.name: value}
                if clause.key is not None:
                    names[clause.key.name] = key
                self.run_clauses(clauses, i + 1, BindEnv(env, names), body, vertex)
        elif isinstance(clause, ast.IfClause):
            cond = self.eval_concrete(clause.condition, env)
            if isinstance(cond, Bool):
                if cond.value:
                    self.run_clauses(clauses, i + 1, env, body, vertex)
            elif isinstance(cond, Bottom) and not cond.incomplete:
                self.report("CUE005", cond.message, cond.origins[0] if cond.origins else Origin(env.file, clause.span))
            else:
                vertex.incomplete = True
        elif isinstance(clause, ast.LetClause):
            self.run_clauses(clauses, i + 1, LetEnv(env, clause.name.name, clause.value), body, vertex)

    def _iterate(self, src: Value, clause: ast.ForClause, env: Env, vertex: Vertex) -> list[tuple[Value, Any]] | None:
        if isinstance(src, StructRef):
            sv = src.vertex
            if sv.incomplete:
                vertex.incomplete = True
            out = []
            for label in sv.regular_labels():
                arc = sv.arcs[label]
                origin = _label_origin(arc) or Origin(env.file, clause.source.span)
                out.append((Str(label, origin), arc))
            return out
        if isinstance(src, ListRef):
            lv = src.vertex
            if lv.list_open:
                vertex.incomplete = True
            return [(Int(i, Origin(env.file, clause.source.span)), el) for i, el in enumerate(lv.elements or [])]
        if isinstance(src, Bottom) and not src.incomplete:
            self.report("CUE005", src.message, src.origins[0] if src.origins else Origin(env.file, clause.source.span))
        vertex.incomplete = True
        return None


RUNNING_LET = object()


def _let_cache(env: StructEnv) -> dict:
    return env.let_cache


def _label_origin(arc: Vertex) -> Origin | None:
    for file, decl in arc.decls:
        return Origin(file, decl.label.span)
    return None


def _format_float(x: float) -> str:
    if x == int(x) and abs(x) < 1e16:
        return f"{x:.1f}"
    return repr(x)


def _equal(a: Value, b: Value) -> bool | None:
    if isinstance(a, Null) or isinstance(b, Null):
        return isinstance(a, Null) and isinstance(b, Null)
    if isinstance(a, (Int, Float)) and isinstance(b, (Int, Float)):
        return a.value == b.value
    if type(a) is type(b) and a.concrete:
        return a.value == b.value  # type: ignore[attr-defined]
    if a.concrete and b.concrete:
        return False
    return None


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    cands = [c for c in candidates if c != name]
    best = difflib.get_close_matches(name, cands, n=1, cutoff=0.75)
    if not best:
        lowered = {c.lower(): c for c in cands}
        if name.lower() in lowered:
            best = [lowered[name.lower()]]
    return f"; did you mean \"{best[0]}\"?" if best else ""


# ---------------------------------------------------------------------------
# Accumulating the conjuncts of one vertex


class _ListSource:
    __slots__ = ("items", "open", "tail")

    def __init__(self) -> None:
        self.items: list[list[Conjunct]] = []
        self.open = False
        self.tail: list[Conjunct] = []


class _Acc:
    """Unifies the conjuncts of one vertex."""

    def __init__(self, ev: Evaluator, v: Vertex) -> None:
        self.ev = ev
        self.v = v
        self.scalar: Value = TOP
        self.struct = False
        self.lists: list[_ListSource] = []
        self.disjs: list[tuple[list[Value], list[bool], Origin]] = []
        self.plain: list[Conjunct] = []  # every conjunct except disjunctions (for re-evaluation per disjunct)
        self.closed: list[Closedness] = []
        self.required: set[str] = set()
        self.seen: set[tuple[int, int]] = set()
        self.pending: list[Callable[[], None]] = []
        self.scalar_origins: list[Origin] = []

    # -- driving -----------------------------------------------------------------
    def run(self) -> Value:
        v = self.v
        for c in list(v.conjuncts):
            self.add(c)
        # Comprehensions and computed labels, once the fields they read are complete.
        while self.pending:
            todo, self.pending = self.pending, []
            for task in todo:
                task()
        labels_optional = [l for l in v.arcs if l not in self.required]
        v.optional = set(labels_optional)
        self._apply_patterns()
        self._check_closedness()
        value = self._result()
        return value

    def add(self, c: Conjunct) -> None:
        key = (id(c.expr), id(c.env))
        if key in self.seen:
            return
        self.seen.add(key)
        expr = c.expr
        t = type(expr)
        while t is ast.Paren:
            expr = expr.expr
            t = type(expr)
        if t is ast.StructLit or t is ast.File:
            self.plain.append(c)
            self.add_struct(expr, c)
        elif t is ast.ListLit:
            self.plain.append(c)
            self.add_list_literal(expr, c)
        elif t is ast.Unification:
            for term in expr.terms:
                self.add(Conjunct(term, c.env, c.decl, c.embedded))
        elif t is ast.Disjunction:
            if id(expr) in self.ev.resolving:
                return
            terms, defaults = self.ev.disjunction_terms(expr, c.env)
            if len(terms) == 1:
                self.add_value(terms[0], c)
            else:
                self.disjs.append((terms, defaults, Origin(c.env.file, expr.span), id(expr)))
        elif t is ast.Ident or t is ast.Selector or t is ast.Index:
            target = self.ev.resolve(expr, c.env)
            if isinstance(target, Vertex) and target is not self.v and target.parent is not self.v.parent and self.ev.is_unset_optional(target):
                target = Bottom(f"optional field {target.label} is not set", (Origin(c.env.file, expr.span),), incomplete=True)
            if isinstance(target, Vertex):
                self.add_vertex(target, c)
            else:
                self.plain.append(c)
                self.add_value(target, c)
        elif t is ValueExpr:
            self.add_value(expr.value, c)
        elif t is ast.Alias:
            self.add(Conjunct(expr.expr, BindEnv(c.env, {expr.name.name: self.v}), c.decl, c.embedded))
        elif t is ast.Unary and expr.op == "*":
            # A default marker outside a disjunction is just the value.
            self.add(Conjunct(expr.operand, c.env, c.decl, c.embedded))
        else:
            self.plain.append(c)
            self.add_value(self.ev.eval(expr, c.env), c)

    def add_vertex(self, w: Vertex, c: Conjunct) -> None:
        v = self.v
        if w is v:
            return  # `x: x` is just `_`
        if w.is_ancestor_of(v):
            self.add_value(Unknown("structural cycle"), c)
            return
        if w.state == RUNNING:
            self.add_value(Unknown("reference cycle"), c)
            return
        if w.parent is not None and w.parent.state != DONE:
            self.ev.finalize(w.parent)
        if w.state == RUNNING:
            self.add_value(Unknown("reference cycle"), c)
            return
        v.ref_targets.append(w)
        if w.is_definition_path and not c.embedded:
            # An embedded definition closes nothing by itself: its fields are
            # already fields of the definition (or struct) that embeds it.
            self.closed.append(Closedness(w))
        if w.state == UNEVALUATED and not w.conjuncts:
            # A field only patterns or comprehensions may define: evaluate it.
            self.ev.finalize(w)
        if not w.conjuncts and w.state == DONE and w.value is not None:
            self.add_value(w.value, c)
            return
        for wc in w.conjuncts:
            self.add(Conjunct(wc.expr, wc.env, wc.decl if c.decl is None else c.decl, c.embedded and wc.embedded))
        if w.incomplete:
            v.incomplete = True

    def add_value(self, value: Value, c: Conjunct) -> None:
        if isinstance(value, StructRef):
            self.add_vertex(value.vertex, c) if value.vertex.conjuncts else self._merge_struct_value(value.vertex)
            return
        if isinstance(value, ListRef):
            lv = value.vertex
            src = _ListSource()
            src.items = [list(e.conjuncts) for e in (lv.elements or [])]
            src.open = lv.list_open
            src.tail = list(lv.list_tail)
            self.lists.append(src)
            return
        if isinstance(value, ImportedPackage) or isinstance(value, bi.BuiltinPackage) or isinstance(value, bi.Builtin):
            self.scalar = Unknown("package or function used as a value")
            return
        if isinstance(value, Disj) and any(isinstance(t, (StructRef, ListRef)) for t in value.terms):
            if id(value) in self.ev.resolving:
                return
            self.disjs.append((list(value.terms), list(value.defaults), c.origin, id(value)))
            return
        origin = c.origin
        self.scalar_origins.append(origin)
        self.scalar = unify_scalars(self.scalar, value)

    def _merge_struct_value(self, w: Vertex) -> None:
        self.struct = True
        for label, arc in w.arcs.items():
            target = self.v.arc(label)
            for ac in arc.conjuncts:
                _append_conjunct(target, ac)
            self.required.add(label) if label not in w.optional else None

    # -- structs ---------------------------------------------------------------------
    def add_struct(self, node: Any, c: Conjunct) -> None:
        v = self.v
        self.struct = True
        env = StructEnv(c.env, node, v)
        file = env.file
        for decl in node.decls:
            td = type(decl)
            if td is ast.Field:
                self._add_field(decl, env, file)
            elif td is ast.Embedding:
                self.add(Conjunct(decl.expr, env, None, True))
            elif td is ast.Comprehension:
                self.pending.append(lambda decl=decl, env=env: self._run_struct_comprehension(decl, env))
            elif td is ast.Ellipsis:
                v.open = True
                if decl.type is not None:
                    v.patterns.append(Pattern(None, decl.type, env, None, decl))
            elif td is ast.AttributeDecl:
                v.attrs.append(decl.attribute)
            elif td is ast.BadDecl:
                v.incomplete = True
        if type(node) is ast.File:
            v.attrs.extend(node.attributes)

    def _add_field(self, decl: ast.Field, env: StructEnv, file: str) -> None:
        v = self.v
        label = decl.label
        kind = label.kind
        if kind is LabelKind.PATTERN:
            alias = label.alias.name if label.alias is not None else None
            v.patterns.append(Pattern(label.expr, decl.value, env, alias, decl))
            return
        if kind is LabelKind.INTERPOLATED or kind is LabelKind.EXPRESSION:
            self.pending.append(lambda: self._add_computed_field(decl, env, file))
            return
        name = label.name
        if name is None:
            v.incomplete = True
            return
        self._declare(name, decl, env, file)

    def _declare(self, name: str, decl: ast.Field, env: Env, file: str) -> None:
        arc = self.v.arc(name)
        _append_conjunct(arc, Conjunct(decl.value, env, decl))
        arc.decls.append((file, decl))
        if decl.attributes:
            arc.attrs.extend(decl.attributes)
        if not decl.label.optional:
            self.required.add(name)

    def _add_computed_field(self, decl: ast.Field, env: StructEnv, file: str) -> None:
        label = self.ev.eval_concrete(decl.label.expr, env)
        if isinstance(label, Str):
            self._declare(label.value, decl, env, file)
            self.v.arcs[label.value].label_values.append(label)
        elif isinstance(label, Bottom) and not label.incomplete:
            self.ev.report("CUE005", label.message, label.origins[0] if label.origins else Origin(file, decl.label.span))
        else:
            self.v.incomplete = True

    def _run_struct_comprehension(self, decl: ast.Comprehension, env: StructEnv) -> None:
        def body(inner: Env) -> None:
            self.add_struct(decl.body, Conjunct(decl.body, inner, None, True))

        self.ev.run_clauses(decl.clauses, 0, env, body, self.v)

    def _apply_patterns(self) -> None:
        v = self.v
        if not v.patterns:
            return
        for label, arc in v.arcs.items():
            if not is_regular(label):
                continue
            for p in v.patterns:
                if p.label is None or self._pattern_matches(p, label):
                    if p.alias is None:
                        env = p.env
                    else:
                        # A computed label keeps the origin of its pieces (`"\(arch)"`).
                        named = next((lv for lv in arc.label_values if isinstance(lv, Str) and lv.value == label), None)
                        env = BindEnv(p.env, {p.alias: named or Str(label, _label_origin(arc))})
                    _append_conjunct(arc, Conjunct(p.value, env, p.decl))

    def _pattern_matches(self, p: Pattern, label: str) -> bool:
        constraint = self.ev.eval(p.label, p.env)
        if constraint is TOP:
            return True
        r = unify_scalars(constraint, Str(label))
        return not isinstance(r, Bottom)

    def _check_closedness(self) -> None:
        v = self.v
        groups = self.closed + list(_inherited(v))
        v.closed = groups
        if not groups:
            return
        for label, arc in v.arcs.items():
            if not isinstance(label, str) or label.startswith("_") or label.startswith("#"):
                continue
            for g in groups:
                d = g.vertex
                self.ev.finalize(d)
                dv = self.ev.struct_of(d) or d
                if dv.open or label in dv.arcs or dv.incomplete or not isinstance(resolve_default(d.value or TOP), StructRef) and not dv.arcs:
                    continue
                if any(p.label is None or self._pattern_matches(p, label) for p in dv.patterns):
                    continue
                self._report_not_allowed(label, arc, d, dv)
                break

    def _report_not_allowed(self, label: str, arc: Vertex, d: Vertex, dv: Vertex) -> None:
        allowed = sorted(l for l in dv.arcs if is_regular(l))
        for file, decl in arc.decls:
            if self.ev.is_user_file(file):
                hint = _did_you_mean(label, allowed)
                name = format_path(d.path) or "definition"
                self.ev.report(
                    "SCH001",
                    f"field \"{label}\" is not allowed in {name}{hint}",
                    Origin(file, decl.label.span),
                    vertex=arc,
                    data={"label": label, "allowed": allowed, "definition": d, "decl": decl},
                )
                return

    # -- lists -----------------------------------------------------------------------
    def add_list_literal(self, node: ast.ListLit, c: Conjunct) -> None:
        src = _ListSource()
        self.lists.append(src)
        env = c.env
        for elem in node.elements:
            te = type(elem)
            if te is ast.Ellipsis:
                src.open = True
                if elem.type is not None:
                    src.tail.append(Conjunct(elem.type, env))
            elif te is ast.Comprehension:
                slot: list[list[Conjunct]] = []
                src.items.append(slot)  # type: ignore[arg-type]
                self.pending.append(lambda elem=elem, slot=slot: self._run_list_comprehension(elem, env, slot))
            else:
                src.items.append([Conjunct(elem, env)])

    def _run_list_comprehension(self, elem: ast.Comprehension, env: Env, slot: list) -> None:
        def body(inner: Env) -> None:
            slot.append([Conjunct(elem.body, inner, None, True)])

        slot.append(_SPLICE)
        self.ev.run_clauses(elem.clauses, 0, env, body, self.v)

    def _build_list(self) -> Value:
        v = self.v
        sources = []
        for src in self.lists:
            items: list[list[Conjunct]] = []
            for it in src.items:
                if it and it[0] is _SPLICE:
                    items.extend(it[1:])  # type: ignore[arg-type]
                else:
                    items.append(it)
            sources.append((items, src.open, src.tail))
        closed_lengths = {len(items) for items, open_, _ in sources if not open_}
        if len(closed_lengths) > 1:
            a, b = sorted(closed_lengths)[:2]
            origin = self.scalar_origins[0] if self.scalar_origins else _vertex_origin(v)
            return Bottom(f"incompatible list lengths ({a} and {b})", (origin,) if origin else ())
        if closed_lengths:
            n = closed_lengths.pop()
            for items, open_, _ in sources:
                if open_ and len(items) > n:
                    return Bottom(f"incompatible list lengths ({n} and at least {len(items)})", ())
            is_open = False
        else:
            n = max((len(items) for items, _, _ in sources), default=0)
            is_open = True
        elements = []
        for i in range(n):
            el = Vertex(v.path + (i,), v)
            for items, open_, tail in sources:
                if i < len(items):
                    for cj in items[i]:
                        _append_conjunct(el, cj)
                elif open_:
                    for cj in tail:
                        _append_conjunct(el, cj)
            elements.append(el)
        v.elements = elements
        v.list_open = is_open
        v.list_tail = [cj for _, open_, tail in sources if open_ for cj in tail] if is_open else []
        return ListRef(v)

    # -- the result ----------------------------------------------------------------------
    def _result(self) -> Value:
        v = self.v
        scalar = self.scalar
        if isinstance(scalar, Bottom):
            base: Value = scalar
        elif self.lists and self.struct and any(is_regular(l) for l in v.arcs):
            base = Bottom("conflicting values: a list and a struct", tuple(o for o in [_vertex_origin(v)] if o))
        elif self.lists:
            base = self._build_list()
            if scalar is not TOP and not isinstance(scalar, Unknown) and not isinstance(base, Bottom):
                base = conflict(scalar, base)
        elif self.struct:
            has_regular = any(is_regular(l) for l in v.arcs)
            if scalar is TOP and not self.disjs:
                base = StructRef(v)
            elif not has_regular:
                # `{string, #up: [...]}` or `{*null | string}`: the embedded scalar is the value.
                base = scalar
                v.scalar_with_defs = bool(v.arcs)
                if scalar is TOP and self.disjs and all(any(isinstance(t, StructRef) for t in terms) for terms, *_ in self.disjs):
                    base = StructRef(v)
            elif isinstance(scalar, Unknown) or scalar is TOP:
                base = StructRef(v)
            else:
                base = conflict(scalar, StructRef(v))
        else:
            base = scalar
        if self.disjs and not isinstance(base, Bottom):
            base = self._apply_disjunctions(base)
        if isinstance(base, Bottom) and not base.incomplete:
            self._report_conflict(base)
        return base

    def _apply_disjunctions(self, base: Value) -> Value:
        total = 1
        for terms, *_ in self.disjs:
            total *= max(len(terms), 1)
        if total > MAX_DISJUNCTION_PRODUCT:
            return Unknown("too many disjunction combinations")
        current: Value = base
        for terms, defaults, origin, key in self.disjs:
            if not isinstance(current, (StructRef, ListRef)) and not any(isinstance(t, (StructRef, ListRef)) for t in terms):
                # Scalars only: distribute (defaults follow CUE's rules).
                combined = unify_scalars(current, Disj(tuple(terms), tuple(defaults)) if len(terms) > 1 else terms[0])
                if isinstance(combined, Bottom):
                    desc = " | ".join(("*" if d else "") + describe(t) for t, d in zip(terms, defaults))
                    return Bottom(
                        f"{describe(current)} does not match any of {desc}" if current is not TOP else f"no value matches {desc}",
                        tuple(o for o in (_value_origin(current), origin) if o),
                    )
                current = combined
                continue
            survivors: list[Value] = []
            marks: list[bool] = []
            pending: list[list[Issue]] = []
            for t, d in zip(terms, defaults):
                self.ev.trials.append([])
                self.ev.resolving.add(key)
                try:
                    r = self._unify_term(current, t)
                finally:
                    issues = self.ev.trials.pop()
                    self.ev.resolving.discard(key)
                if r is None or isinstance(r, Bottom):
                    continue
                for k, existing in enumerate(survivors):
                    if _same_value(existing, r):
                        marks[k] = marks[k] or d
                        break
                else:
                    survivors.append(r)
                    marks.append(d)
                    pending.append(issues)
            if not survivors:
                desc = " | ".join(("*" if d else "") + describe(t) for t, d in zip(terms, defaults))
                return Bottom(f"{describe(current)} does not match any of {desc}" if current is not TOP else f"no value matches {desc}", tuple(o for o in (_value_origin(current), origin) if o))
            if len(survivors) == 1:
                current = survivors[0]
                self.ev.replay(pending[0])
            else:
                structs = [s for s in survivors if isinstance(s, StructRef)]
                if isinstance(current, StructRef) and len(structs) == len(survivors):
                    current = self._pick_struct_disjunct(current, structs, marks)
                else:
                    current = Disj(tuple(survivors), tuple(marks))
        return current

    def _unify_term(self, current: Value, term: Value) -> Value | None:
        if isinstance(term, (StructRef, ListRef)):
            if current is TOP or isinstance(current, Unknown):
                return term
            if type(current) is not type(term):
                return None
            merged = Vertex(self.v.path, self.v.parent)
            for cj in self.plain:
                merged.conjuncts.append(cj)
            for cj in term.vertex.conjuncts:
                merged.conjuncts.append(cj)
            value = self.ev.finalize(merged)
            if not isinstance(value, Bottom) and _has_conflict(self.ev, merged, 4):
                return None
            return value
        if isinstance(current, StructRef) or isinstance(current, ListRef):
            if isinstance(term, (Unknown,)) or term is TOP:
                return current
            return None
        return unify_scalars(current, term)

    def _pick_struct_disjunct(self, base: StructRef, structs: list[Value], marks: list[bool]) -> Value:
        # Several struct disjuncts fit (CUE leaves them ambiguous). Prefer a
        # default, else the one whose required fields the value already has.
        defaults = [s for s, m in zip(structs, marks) if m]
        if len(defaults) == 1:
            return defaults[0]
        user_labels = set(l for l in base.vertex.arcs if is_regular(l))
        fitting = []
        for s in structs:
            sv = s.vertex  # type: ignore[attr-defined]
            needed = set()
            for label in sv.arcs:
                if not is_regular(label) or label in sv.optional:
                    continue
                val = self.ev.finalize(sv.arcs[label])
                if not val.concrete and not isinstance(val, (StructRef, ListRef)) and not (isinstance(val, Disj) and val.default() is not None):
                    needed.add(label)
            if needed <= user_labels:
                fitting.append(s)
        if len(fitting) == 1:
            return fitting[0]
        return base

    def _report_conflict(self, b: Bottom) -> None:
        ev = self.ev
        user = [o for o in b.origins if ev.is_user_file(o.path)]
        if user:
            origin = user[-1]
        else:
            origin = _vertex_origin(self.v, ev.is_user_file)
            if origin is None:
                return
        related = tuple((o, "conflicting value") for o in b.origins if o != origin)
        ev.report("CUE005", b.message, origin, related, vertex=self.v)


_SPLICE: Any = object()


def _same_value(a: Value, b: Value) -> bool:
    if isinstance(a, (StructRef, ListRef)) or isinstance(b, (StructRef, ListRef)):
        return a is b
    from plancheck.checker.eval.values import _same

    return _same(a, b)


def _has_conflict(ev: Evaluator, v: Vertex, depth: int) -> bool:
    """Whether a disjunct's fields or elements conflict (checked a few levels deep)."""
    children: list[Vertex] = []
    sv = ev.struct_of(v)
    if sv is not None:
        children = [arc for label, arc in sv.arcs.items() if label not in sv.optional]
    else:
        lv = ev.list_of(v)
        if lv is not None:
            children = list(lv.elements or [])
    for child in children:
        value = ev.finalize(child)
        if isinstance(value, Bottom) and not value.incomplete:
            return True
        if depth > 1 and isinstance(value, (StructRef, ListRef)) and _has_conflict(ev, child, depth - 1):
            return True
    return False


def _append_conjunct(v: Vertex, c: Conjunct) -> None:
    for existing in v.conjuncts:
        if existing.expr is c.expr and existing.env is c.env:
            return
    v.conjuncts.append(c)


def _inherited(v: Vertex) -> Iterable[Closedness]:
    """Closedness a struct inherits from the definitions that closed its parent."""
    parent = v.parent
    if parent is None or not isinstance(v.label, str):
        return ()
    out = []
    for g in parent.closed:
        d = g.vertex
        dv = d.arcs.get(v.label)
        if dv is not None and dv.is_definition_path:
            out.append(Closedness(dv))
    return out


def _vertex_origin(v: Vertex, is_user: Callable[[str], bool] | None = None) -> Origin | None:
    for file, decl in v.decls:
        if is_user is None or is_user(file):
            return Origin(file, decl.label.span)
    for c in v.conjuncts:
        if is_user is None or is_user(c.env.file):
            return c.origin
    return None


def _value_origin(v: Value) -> Origin | None:
    return getattr(v, "origin", None)


# ---------------------------------------------------------------------------
# Helpers for builtins and consumers


def element_values(lv: Vertex, ev: Evaluator) -> list[Value] | None:
    """The values of a closed list's elements: concrete scalars, structs or lists
    (None if one is not known)."""
    if lv.elements is None or lv.list_open:
        return None
    out = []
    for el in lv.elements:
        val = resolve_default(ev.finalize(el))
        if not (val.concrete or isinstance(val, (StructRef, ListRef))):
            return None
        out.append(val)
    return out


def make_list(items: list[Value], origin: Origin) -> ListRef:
    """A list value computed by a builtin."""
    v = Vertex(("<list>",), None)
    v.state = DONE
    v.elements = []
    env = Env(None, origin.path)
    for i, item in enumerate(items):
        el = Vertex(v.path + (i,), v)
        el.conjuncts.append(Conjunct(ValueExpr(item, origin.span), env))
        v.elements.append(el)
    v.value = ListRef(v)
    return v.value


def to_python(value: Value, ev: Evaluator) -> Any:
    """Concrete data as Python (for json.Marshal); ``builtins.NOT_CONCRETE`` if not concrete."""
    value = resolve_default(value)
    if isinstance(value, Null):
        return None
    if value.concrete:
        if isinstance(value, Bytes):
            import base64

            return base64.b64encode(value.value).decode("ascii")  # as JSON encodes bytes
        return value.value  # type: ignore[attr-defined]
    if isinstance(value, ListRef):
        vals = element_values(value.vertex, ev)
        if vals is None:
            return bi.NOT_CONCRETE
        out = [to_python(x, ev) for x in vals]
        return bi.NOT_CONCRETE if any(x is bi.NOT_CONCRETE for x in out) else out
    if isinstance(value, StructRef):
        sv = value.vertex
        if sv.incomplete:
            return bi.NOT_CONCRETE
        d = {}
        for label in sv.regular_labels():
            x = to_python(ev.finalize(sv.arcs[label]), ev)
            if x is bi.NOT_CONCRETE:
                return x
            d[label] = x
        return d
    return bi.NOT_CONCRETE
