"""``planrun --dry-run``: the build graph, every Dockerfile and every engine command, run nothing.

Commands are printed as a POSIX shell would need them. Paths of the run's work folder and the
run id are shown as ``$PLANRUN_WORKDIR`` and ``$PLANRUN_RUN_ID`` (double-quoted so a shell
expands them), as is a digest only known once an earlier job ran. Registry steps the runner
does itself (uploads, tags, manifest lists) are shown as comments.
"""

from __future__ import annotations

import shlex
from typing import Literal

from .compile import (
    BuildJob,
    CompiledPlan,
    ExportFiles,
    FilteredDir,
    GeneratedDir,
    GitSource,
    HttpSource,
    JobFiles,
    JobImage,
    KeepImage,
    PushImage,
    PushRecord,
    SaveArchive,
)
from .engines import Command, Engine, PushedImage, RegistryAction
from .graph import BuildGraph

WORKDIR_PLACEHOLDER = "$PLANRUN_WORKDIR"
RUN_ID_PLACEHOLDER = "$PLANRUN_RUN_ID"
_PLACEHOLDERS = (WORKDIR_PLACEHOLDER, RUN_ID_PLACEHOLDER)


def shell_word(text: str) -> str:
    """Quote one argument; placeholders stay expandable."""
    if not any(placeholder in text for placeholder in _PLACEHOLDERS):
        return shlex.quote(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    for placeholder in _PLACEHOLDERS:
        escaped = escaped.replace("\\" + placeholder, "${" + placeholder[1:] + "}")
    return f'"{escaped}"'


def shell_command(command: Command) -> str:
    env = [f"{name}={shell_word(value)}" for name, value in command.env.items()]
    return " ".join([*env, *(shell_word(arg) for arg in command.argv)])


class PlaceholderResults:
    """Results of jobs that have not run: what a later command would name them by."""

    def __init__(self, engine: Engine, compiled: CompiledPlan) -> None:
        self.engine = engine
        self.compiled = compiled

    def kept_image(self, job_id: str) -> str:
        job = self.compiled.job(job_id)
        return self.engine.placeholder_image(job, self.compiled.workspace)

    def pushed(self, job_id: str, repository: str) -> PushedImage:
        return PushedImage(repository, f"<digest pushed by {job_id}>")


def describe_source(source: object) -> str:
    if isinstance(source, FilteredDir):
        patterns = []
        if source.include:
            patterns.append("include " + ", ".join(source.include))
        if source.exclude:
            patterns.append("exclude " + ", ".join(source.exclude))
        suffix = f" ({'; '.join(patterns)})" if patterns else ""
        return f"folder {source.source}{suffix}, copied to {source.path}"
    if isinstance(source, GeneratedDir):
        files = ", ".join(entry.path + ("/" if entry.content is None else "") + f" {entry.mode:04o}" for entry in source.files)
        return f"generated files in {source.path}" + (f": {files}" if files else "")
    if isinstance(source, GitSource):
        return f"git {source.url()}" + (" (keeps .git)" if source.keep_git_dir else "")
    if isinstance(source, HttpSource):
        return f"http {source.url}" + (f" (checked against {source.checksum})" if source.checksum else "")
    if isinstance(source, JobImage):
        return f"the image built by {source.job}"
    if isinstance(source, JobFiles):
        return f"the files exported by {source.job}, in {source.path}"
    if isinstance(source, PushRecord):
        return f"image_digest and image_ref of {source.reference} once {source.job} pushed it"
    return repr(source)


def _outputs(job: BuildJob) -> str:
    parts = []
    for output in job.outputs:
        if isinstance(output, PushImage):
            parts.append(f"push by digest to {output.repository}")
        elif isinstance(output, KeepImage):
            parts.append("keep the image for later jobs")
        elif isinstance(output, ExportFiles):
            parts.append(f"export files to {output.path}")
        elif isinstance(output, SaveArchive):
            parts.append(f"save {output.tag} to {output.path}")
    return "; ".join(parts) or "build only"


def render(
    compiled: CompiledPlan,
    graph: BuildGraph,
    engine: Engine,
    *,
    engine_reason: str,
    jobs: int,
    media_types: Literal["oci", "docker"],
) -> str:
    results = PlaceholderResults(engine, compiled)
    out: list[str] = [
        f"# planrun dry run: engine {engine.name} ({engine_reason}), -j {jobs}",
        f"# work folder {WORKDIR_PLACEHOLDER}, run id {RUN_ID_PLACEHOLDER}",
        "",
        f"## build graph ({len(graph.nodes)} pipeline{'s' if len(graph.nodes) != 1 else ''})",
    ]
    width = max((len(path) for path in graph.nodes), default=0)
    for path, node in graph.nodes.items():
        pipeline = compiled.pipelines[path]
        notes = []
        if node.depends_on:
            notes.append("after " + ", ".join(node.depends_on))
        if pipeline.inlined:
            notes.append("stages of " + (", ".join(graph.dependents(path)) or "nothing"))
        if node.requested:
            notes.append("target")
        out.append(f"{path:<{width}}  {pipeline.platform:<12}  {'; '.join(notes)}".rstrip())
    for path in graph.nodes:
        pipeline = compiled.pipelines[path]
        if pipeline.inlined:
            continue
        out += ["", f"## pipeline {path} ({pipeline.platform})"]
        for job in pipeline.jobs:
            out += ["", f"### job {job.id}: {_outputs(job)}"]
            if job.dockerfile_text is not None:
                out.append(f"Dockerfile ({job.dockerfile.dir}/Dockerfile):")  # type: ignore[union-attr]
                out += ["    " + line if line else "" for line in job.dockerfile_text.rstrip("\n").split("\n")]
            else:
                out.append(f"Dockerfile: {job.dockerfile.path} in the context")  # type: ignore[union-attr]
            if not (isinstance(job.context, GeneratedDir) and job.context.path == job.dir):
                out.append(f"context: {describe_source(job.context)}")
            for name, source in job.named_contexts.items():
                out.append(f"context {name}: {describe_source(source)}")
            if job.secrets:
                out.append("secrets: " + ", ".join(job.secrets))
            if job.cache_mounts:
                out.append("cache mounts: " + ", ".join(f"{c.id} at {c.target}" for c in job.cache_mounts))
            out.append("commands:")
            for step in engine.steps(job, compiled.workspace, results):
                if isinstance(step, RegistryAction):
                    out.append(f"    # {step.text}")
                else:
                    out.append("    " + shell_command(step))
        for tag in pipeline.tags:
            out.append(f"    # tag {tag.reference} with the digest {tag.job} pushed")
        for index in pipeline.indexes:
            entries = ", ".join(f"{entry.platform} from {entry.pipeline}" for entry in index.entries)
            out += [
                "",
                f"### manifest list {index.reference} ({media_types}): {entries}",
                "    # check each image is in the registry and its config names its platform,",
                "    # push the list by digest, then point the tag at it",
            ]
        for export in pipeline.exports:
            out.append(f"    # read {export.source} back as {export.format} (from {export.job})")
    return "\n".join(out) + "\n"
