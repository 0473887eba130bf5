"""The plan model: what an evaluated package means as a build.

Rules, the language server and the runner consume this API (documented in
``docs/plan-model.md``). A *pipeline* is a value with a concrete ``#up``
list; each element is an *op* once its ``do`` is known. Field values are
plain Python data where the evaluator could compute them:

* ``str``, ``int``, ``float``, ``bool``, ``None``, ``bytes``;
* ``list`` and ``dict`` of those (dict keys are field labels, in order);
* :class:`PipelineRef` for a value used as an executable (``from``,
  ``context``, mount ``from``, ``images`` values): a reference to another
  pipeline, by CUE path;
* :class:`SecretRef` for a ``dagger.#Secret`` (its id, never a value);
* :data:`UNKNOWN` for anything that cannot be known statically (an input,
  a non-concrete type such as ``string``, an unsupported builtin).

Every op field keeps the span of the text that produced its value, so a
diagnostic about a value points at the literal the user wrote, even when it
reached the op through references, interpolation or a comprehension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from plancheck.grammar.span import Span


class _Unknown:
    """A value that exists but cannot be known statically."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Unknown, ())


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was written: the file and the span of the literal (or expression)."""

    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class PipelineRef:
    """An executable value: the CUE path of the pipeline it runs (see :attr:`Plan.pipelines`)."""

    pipeline: str


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A secret (``dagger.#Secret``); only its id is known, never its value."""

    id: Any  # str or UNKNOWN


@dataclass(frozen=True, slots=True)
class OpField:
    name: str
    value: Any
    #: where the value was written; None when it comes from a schema default
    origin: Origin | None
    #: True when the value is the schema's default (e.g. ``dir: *"/"``), not written by the user
    default: bool = False


@dataclass(frozen=True, slots=True)
class Op:
    """One element of a pipeline's ``#up`` list."""

    index: int
    #: the ``do`` value, e.g. ``"docker-build"``
    do: str
    #: the op definition it was checked against, e.g. ``"#DockerBuild"`` (None for unknown ``do``)
    definition: str | None
    fields: Mapping[str, OpField]
    origin: Origin

    def get(self, name: str, default: Any = None) -> Any:
        f = self.fields.get(name)
        return default if f is None else f.value


@dataclass(frozen=True, slots=True)
class Pipeline:
    #: CUE path of the value carrying ``#up``, e.g. ``"images.arm64"`` or ``"release"``
    path: str
    origin: Origin
    ops: tuple[Op, ...]
    #: paths of the pipelines this one reads (``#Load``, ``#Copy from``, mounts, ``context``, ``images``)
    depends_on: tuple[str, ...]
    #: the canonical platform the pipeline builds for, default included (None if it cannot be known)
    platform: str | None
    #: where the platform comes from: "op" (a platform field), "load" (the pipeline it loads), "default"
    platform_source: str
    #: the op field that set the platform, if any
    platform_origin: Origin | None = None
    #: True for pipelines written inline in a field of another pipeline's op
    inline: bool = False


@dataclass(frozen=True)
class Plan:
    package: str
    #: folder of the package's files
    folder: str
    pipelines: Mapping[str, Pipeline] = field(default_factory=dict)
    #: canonical default platform: values.yaml ``platform:``, else ``--platform``, else linux/amd64
    default_platform: str = "linux/amd64"
    default_platform_source: str = "builtin"

    def pipeline(self, path: str) -> Pipeline:
        return self.pipelines[path]
