"""What can go wrong when running a plan, as one-line messages fit to print.

planrun shows ``str(error)`` without a traceback, so every message names the pipeline, op or
option at fault and, where it helps, what would work instead. Messages never contain a secret's
value: secrets are referred to by id, and engine output is redacted before it is shown.
"""

from __future__ import annotations


class RunnerError(Exception):
    """Base of every error planrun reports as a failure (exit status 1)."""


class UsageError(RunnerError):
    """The command line or the environment cannot work (exit status 2): a bad option, an
    unknown target, a secret with no source, an engine that is not installed."""


class CompileError(RunnerError):
    """A pipeline cannot be expressed as a build (an unknown value, an unsupported op)."""

    def __init__(self, pipeline: str, message: str, op_index: int | None = None) -> None:
        where = pipeline if op_index is None else f"{pipeline}, op #{op_index}"
        super().__init__(f"{where}: {message}")
        self.pipeline = pipeline
        self.op_index = op_index


class GraphError(RunnerError):
    """The build graph cannot be scheduled (a cycle, a reference to no pipeline)."""


class CycleError(GraphError):
    def __init__(self, cycle: tuple[str, ...]) -> None:
        super().__init__("pipelines depend on each other in a cycle: " + " -> ".join(cycle))
        self.cycle = cycle


class BuildError(RunnerError):
    """An engine command or a registry step of one job failed."""

    def __init__(self, job: str, message: str, output_tail: str = "") -> None:
        super().__init__(f"{job}: {message}")
        self.job = job
        self.output_tail = output_tail


class SourceError(RunnerError):
    """A source the runner fetches itself (git, http, a local folder) could not be had."""


class Cancelled(RunnerError):
    """The run was interrupted; running engine processes were stopped."""
