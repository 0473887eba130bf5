"""The CUE-subset grammar: scanner, LALR parser and AST with exact spans."""

from plancheck.grammar.parser import ParseResult, SyntaxIssue, parse

__all__ = ["ParseResult", "SyntaxIssue", "parse"]
