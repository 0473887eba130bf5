"""What a rule sees: the evaluated package, its plan model and the checked files."""

from __future__ import annotations

from dataclasses import dataclass, field

from plancheck.checker import rules
from plancheck.checker.diagnostics import Diagnostic, Fix, Related
from plancheck.checker.eval.evaluator import Issue
from plancheck.checker.eval.values import Origin as ValueOrigin
from plancheck.checker.evaluate import EvaluatedPackage
from plancheck.checker.loader import FileUnit
from plancheck.checker.plan import Origin, Plan
from plancheck.checker.plan_builder import BuiltPlan


@dataclass
class RuleContext:
    package: EvaluatedPackage
    built: BuiltPlan
    #: the files being checked (diagnostics are reported only in these)
    units: list[FileUnit]
    default_platform: str
    user_files: set[str] = field(default_factory=set)

    @property
    def plan(self) -> Plan:
        return self.built.plan

    def issues(self, code: str) -> list[Issue]:
        return [i for i in self.package.issues if i.code == code]

    def is_user(self, path: str) -> bool:
        return path in self.user_files

    def diagnostic(
        self,
        code: str,
        origin: Origin | ValueOrigin,
        message: str,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> Diagnostic:
        return Diagnostic(code, rules.info(code).severity, origin.path, origin.span, message, fix, related, tags)

    def text(self, path: str) -> str | None:
        """The text of a file of the package (checked or context)."""
        for unit in self.package.package.files:
            if unit.path == path:
                return unit.text
        return None

    def related(self, pairs) -> tuple[Related, ...]:
        return tuple(Related(o.path, o.span, msg) for o, msg in pairs if o.path in self.user_files)
