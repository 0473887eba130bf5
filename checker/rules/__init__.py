"""The rule catalogue (SPEC §4): one module per code, its docstring is its doc page.

Each rule module defines ``RULE`` (a :class:`RuleInfo`) and, unless its
diagnostics come from the parser or the evaluator, ``check(context)``
yielding :class:`~plancheck.checker.diagnostics.Diagnostic` objects. The
catalogue is listed here, not discovered, so that ``plancheck`` imports only
what it needs and codes stay stable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from plancheck.checker.diagnostics import Severity

DOCS_URL = "https://plancheck.dev/rules/{code}"

# code -> module name under plancheck.checker.rules
_MODULES: dict[str, str] = {
    "CUE001": "cue001_syntax_error",
    "CUE002": "cue002_undefined_reference",
    "CUE003": "cue003_import_not_found",
    "CUE004": "cue004_unused_import",
    "CUE005": "cue005_conflicting_values",
    "CUE006": "cue006_outside_subset",
    "SCH001": "sch001_field_not_allowed",
    "SCH002": "sch002_unset_op_field",
    "SCH003": "sch003_wrong_type",
    "SCH004": "sch004_unknown_op",
    "PLT001": "plt001_invalid_platform",
    "PLT002": "plt002_noncanonical_platform",
    "PLT003": "plt003_platforms_list",
    "PLT004": "plt004_fetch_platform",
    "PLT005": "plt005_mixed_platforms",
    "PLT006": "plt006_images_list",
    "PLT007": "plt007_images_key_mismatch",
    "PLT008": "plt008_duplicate_platform",
    "SUP001": "sup001_unused_suppression",
}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    #: kebab-case name, e.g. ``syntax-error``
    name: str
    severity: Severity
    #: one line, lower case, no final period
    summary: str
    #: "never", "safe", "unsafe" or "sometimes": what fixes the rule offers
    fix: str = "never"

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)


def codes() -> list[str]:
    return list(_MODULES)


@lru_cache(maxsize=None)
def module(code: str) -> ModuleType:
    try:
        name = _MODULES[code]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}") from None
    return importlib.import_module(f"plancheck.checker.rules.{name}")


def info(code: str) -> RuleInfo:
    return module(code).RULE


def doc(code: str) -> str:
    """The rule's documentation page (Markdown), from its module docstring."""
    text = module(code).__doc__ or ""
    return text.strip() + "\n"


def all_rules() -> list[RuleInfo]:
    return [info(code) for code in _MODULES]


def is_known(code: str) -> bool:
    return code in _MODULES


def checks() -> list:
    """The ``check(context)`` functions of the rules that have one, in catalogue order."""
    out = []
    for code in _MODULES:
        fn = getattr(module(code), "check", None)
        if fn is not None:
            out.append(fn)
    return out
