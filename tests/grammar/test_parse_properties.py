"""Property tests: no input makes ``parse`` raise, and every error lies inside the text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plancheck.grammar import parse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").rglob("*.cue")) + sorted((ROOT / "tests" / "grammar").glob("*.cue"))
SEEDS = [p.read_text(encoding="utf-8") for p in EXAMPLES] or ['package x\n\na: "b"\n']

CUE_ALPHABET = st.sampled_from(list('abcXYZ_#$019 \t\n"\'\\()[]{}:,?.=&|*!<>+-/@`~;') + ["\u00e9", "\U0001f600", "\x00", "\ufeff"])


def _check(text: str) -> None:
    result = parse(text, "fuzz.cue")
    n = len(text)
    for e in result.errors:
        assert 0 <= e.span.start.offset <= e.span.end.offset <= n, (e, text)
        assert e.code in ("CUE001", "CUE006")
    assert result.file.span.end.offset == n


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(CUE_ALPHABET, max_size=200))
def test_arbitrary_text_never_raises(text):
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_arbitrary_unicode_never_raises(text):
    _check(text)


@st.composite
def mutated_examples(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        j = min(len(text), i + draw(st.integers(1, 12)))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.text(CUE_ALPHABET, min_size=1, max_size=6)) + text[i:]
        elif op == "replace":
            text = text[:i] + draw(st.text(CUE_ALPHABET, min_size=1, max_size=3)) + text[j:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_examples_never_raise(text):
    _check(text)
