"""Reading ``buildctl build --progress rawjson``: one JSON ``SolveStatus`` per line on stderr.

A status carries updates to ``vertexes`` (build steps: ``digest``, ``name``, ``started``,
``completed``, ``cached``, ``error``), ``statuses`` (transfers inside a step: ``id``,
``vertex``, ``current``, ``total``), ``logs`` (a step's output: ``vertex``, ``stream``,
``data`` base64-encoded) and ``warnings`` (``short`` base64-encoded). The same vertex is sent
again as it changes, so a step is reported once when it starts, once when it ends, and its
output line by line as whole lines arrive. Lines that are not JSON (``error: …`` at the end of
a failed build) are passed on as they are.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from .base import JobReporter


@dataclass
class _Vertex:
    name: str = ""
    started: bool = False
    completed: bool = False
    cached: bool = False
    error: str = ""
    #: output not yet ended by a newline, per stream
    partial: dict[int, str] = field(default_factory=dict)


def _decode(data: Any) -> str:
    if not isinstance(data, str):
        return ""
    try:
        return base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return data


class SolveStatusReader:
    """Turns rawjson lines into progress steps and log lines for one job."""

    def __init__(self, reporter: JobReporter) -> None:
        self.reporter = reporter
        self.vertexes: dict[str, _Vertex] = {}
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def feed(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if not text.startswith("{"):
            self.reporter.log(text)
            return
        try:
            status = json.loads(text)
        except ValueError:
            self.reporter.log(text)
            return
        if isinstance(status, dict):
            self._status(status)

    def _status(self, status: dict[str, Any]) -> None:
        for item in status.get("vertexes") or []:
            if isinstance(item, dict) and isinstance(item.get("digest"), str):
                self._vertex(item)
        for item in status.get("logs") or []:
            if isinstance(item, dict):
                self._log(item)
        for item in status.get("warnings") or []:
            if isinstance(item, dict):
                message = _decode(item.get("short")).strip()
                if message:
                    self.warnings.append(message)
                    self.reporter.log(f"warning: {message}")

    def _vertex(self, item: dict[str, Any]) -> None:
        vertex = self.vertexes.setdefault(item["digest"], _Vertex())
        if item.get("name"):
            vertex.name = str(item["name"])
        if item.get("cached") and not vertex.cached:
            vertex.cached = True
            if not vertex.started:
                vertex.started = True
                self.reporter.step(f"{vertex.name} (cached)")
        if item.get("started") and not vertex.started:
            vertex.started = True
            self.reporter.step(vertex.name)
        if item.get("completed") and not vertex.completed:
            vertex.completed = True
            self._flush(vertex)
            error = str(item.get("error") or "")
            if error:
                vertex.error = error
                self.errors.append(f"{vertex.name}: {error}")
                self.reporter.log(f"ERROR {vertex.name}: {error}")

    def _log(self, item: dict[str, Any]) -> None:
        digest = item.get("vertex")
        vertex = self.vertexes.setdefault(digest if isinstance(digest, str) else "", _Vertex())
        stream = item.get("stream") if isinstance(item.get("stream"), int) else 1
        text = vertex.partial.pop(stream, "") + _decode(item.get("data"))
        *lines, rest = text.split("\n")
        for line in lines:
            self.reporter.log(line.rstrip("\r"))
        if rest:
            vertex.partial[stream] = rest

    def _flush(self, vertex: _Vertex) -> None:
        for stream in sorted(vertex.partial):
            self.reporter.log(vertex.partial.pop(stream).rstrip("\r"))

    @property
    def counts(self) -> tuple[int, int]:
        """(steps seen, steps served from the cache)."""
        named = [v for v in self.vertexes.values() if v.name]
        return len(named), sum(1 for v in named if v.cached)
