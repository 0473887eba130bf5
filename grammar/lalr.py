"""A lean LALR(1) driver over the tables Lark builds from ``cue.lark``.

Lark analyses the grammar and builds the tables; this loop runs them. It
exists because parsing speed is a product requirement (30,000 lines/s):
compared with Lark's own ``ParserState.feed_token`` it keys reductions by
small integers instead of hashing ``Rule`` objects, and it skips the
callbacks of unit rules (``?rule: child``) whose value is their only child,
which is most reductions of an expression grammar with ten precedence levels.

The driver stops at the first token the tables reject and reports where; the
caller (:mod:`plancheck.grammar.parser`) recovers by editing the two stacks and
runs it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence


@dataclass(frozen=True, slots=True)
class Tables:
    #: per state: terminal -> (next_state,) for a shift, or (size, nonterminal, rule_index) for a reduce
    actions: dict[int, dict[str, tuple]]
    #: per state: nonterminal -> next state
    gotos: dict[int, dict[str, int]]
    start: int
    end: int
    rules: tuple  # lark.grammar.Rule, by rule_index (empty once the callback plan is made)
    #: rule indexes whose value is their single child (no callback needed)
    identity: frozenset[int]
    #: per rule: ("identity" | "helper" | "flatten" | "method", builder method name)
    callback_plan: tuple[tuple[str, str], ...] = ()
    #: memo of chains of unit reductions: (state below, top state, terminal) -> top state after them
    unit_chains: dict = field(default_factory=dict, compare=False)


def build_tables(parse_table: Any, start: str = "start") -> Tables:
    from lark.parsers.lalr_analysis import Shift

    rules: list = []
    index: dict = {}
    actions: dict[int, dict[str, tuple]] = {}
    gotos: dict[int, dict[str, int]] = {}
    for state, row in parse_table.states.items():
        act: dict[str, tuple] = {}
        got: dict[str, int] = {}
        for symbol, (action, arg) in row.items():
            symbol = str(symbol)  # Lark names may be str subclasses; keep plain data
            if action is Shift:
                if symbol.isupper() or symbol.startswith("$"):
                    act[symbol] = (int(arg),)
                else:
                    got[symbol] = int(arg)
            else:
                if arg not in index:
                    index[arg] = len(rules)
                    rules.append(arg)
                act[symbol] = (len(arg.expansion), str(arg.origin.name), index[arg])
        actions[int(state)] = act
        gotos[int(state)] = got
    identity = frozenset(
        i for i, rule in enumerate(rules)
        if rule.options.expand1 and not rule.alias and len(rule.expansion) == 1
    )
    return Tables(
        actions, gotos, int(parse_table.start_states[start]), int(parse_table.end_states[start]), tuple(rules), identity,
        _callback_plan(tuple(rules), identity),
    )


class _Inline(list):
    """Children of a helper rule (EBNF repetition), spliced into the parent's."""

    __slots__ = ()


def _helper(args: list) -> _Inline:
    # Left-recursive repetition: extend the list built so far in place.
    first = args[0] if args else None
    if type(first) is _Inline:
        out = first
        rest = args[1:]
    else:
        out = _Inline()
        rest = args
    for a in rest:
        if type(a) is _Inline:
            out.extend(a)
        else:
            out.append(a)
    return out


def _flattening(method: Callable) -> Callable:
    def callback(args: list):
        flat: list = []
        for a in args:
            if type(a) is _Inline:
                flat.extend(a)
            else:
                flat.append(a)
        return method(flat)

    return callback


def bind_callbacks(tables: Tables, builder: Any) -> list[Callable | None]:
    """Callbacks by rule index, calling ``builder.<rule name or alias>(children)``.

    Identity rules get None. Rules named ``_x`` are inlined into their parent
    (Lark's convention): a single child passes through, several are spliced.
    """
    out: list[Callable | None] = []
    for kind, name in tables.callback_plan:
        if kind == "identity":
            out.append(None)
        elif kind == "helper":
            out.append(_helper)
        elif kind == "flatten":
            out.append(_flattening(getattr(builder, name)))
        else:
            out.append(getattr(builder, name))
    return out


def _callback_plan(rules: tuple, identity: frozenset[int]) -> tuple[tuple[str, str], ...]:
    """What each rule's callback is (computed once, with the tables)."""
    plan = []
    for i, rule in enumerate(rules):
        name = rule.origin.name
        if i in identity:
            plan.append(("identity", ""))
        elif name.startswith("_"):
            single = len(rule.expansion) == 1 and not rule.expansion[0].name.startswith("__")
            plan.append(("identity", "") if single else ("helper", ""))
        elif any(not sym.is_term and sym.name.startswith("__") for sym in rule.expansion):
            plan.append(("flatten", str(rule.alias or name)))
        else:
            plan.append(("method", str(rule.alias or name)))
    return tuple(plan)


def run(
    tables: Tables,
    callbacks: Sequence[Callable | None],
    tokens: Sequence[Any],
    i: int,
    state_stack: list[int],
    value_stack: list,
) -> tuple[int, Any]:
    """Feed ``tokens[i:]`` (the last one is ``$END``).

    Returns ``(-1, result)`` when the input is accepted, ``(k, None)``
    when ``tokens[k]`` is rejected (the stacks then hold the state just
    before it, after any reductions the token triggered), or
    ``(len(tokens), None)`` when every token was consumed without an end.
    """
    actions = tables.actions
    gotos = tables.gotos
    chains = tables.unit_chains
    end_state = tables.end
    n = len(tokens)
    push_state = state_stack.append
    push_value = value_stack.append
    state = state_stack[-1]
    while i < n:
        tok = tokens[i]
        ttype = tok.type
        while True:
            entry = actions[state].get(ttype)
            if entry is None:
                return i, None
            if len(entry) == 1:
                state = entry[0]
                push_state(state)
                push_value(tok)
                break
            size, name, rule = entry
            cb = callbacks[rule]
            if cb is None:
                # Unit rules (`?rule: child`): same value, new state. An operand
                # goes through one a precedence level; the whole chain is
                # looked up once per (state below, state, terminal).
                below = state_stack[-2]
                key = (below, state, ttype)
                top = chains.get(key)
                if top is None:
                    top = chains[key] = _unit_chain(tables, callbacks, below, gotos[below][name], ttype)
                state_stack[-1] = state = top
                continue
            if size:
                args = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                args = []
            push_value(cb(args))
            state = gotos[state_stack[-1]][name]
            push_state(state)
            if state == end_state and ttype == "$END":
                return -1, value_stack[-1]
        i += 1
    return n, None


def _unit_chain(tables: Tables, callbacks: Sequence[Callable | None], below: int, top: int, ttype: str) -> int:
    """The state reached after every further unit reduction ``ttype`` triggers over ``below``."""
    actions, gotos = tables.actions, tables.gotos
    while True:
        entry = actions[top].get(ttype)
        if entry is None or len(entry) == 1 or callbacks[entry[2]] is not None:
            return top
        top = gotos[below][entry[1]]


def expected(tables: Tables, state: int) -> frozenset[str]:
    return frozenset(tables.actions[state])


def feed_one(tables: Tables, callbacks: Sequence[Callable | None], tok: Any, state_stack: list[int], value_stack: list) -> bool:
    """Feed one token; False (stacks possibly reduced) if the tables reject it."""
    k, _ = run(tables, callbacks, (tok,), 0, state_stack, value_stack)
    return k != 0
