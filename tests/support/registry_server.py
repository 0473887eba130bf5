"""A real registry for tests: Debian's ``docker-registry`` (distribution 2.8) on loopback.

`RegistryServer.start` writes a config file (filesystem storage under the given directory,
plain HTTP on 127.0.0.1 at a free port, deletes enabled, index validation left at its
default), starts ``docker-registry serve CONFIG``, and polls ``GET /v2/`` until it answers or
a deadline passes. `stop` terminates the process by its PID and kills it if it does not exit
in time. Use it as a context manager so the process goes away even when a test fails.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REGISTRY_BINARY = "docker-registry"


class RegistryStartError(RuntimeError):
    pass


def free_port() -> int:
    """A port nobody listens on right now (the registry may still lose a race for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def registry_available() -> bool:
    return shutil.which(REGISTRY_BINARY) is not None


def _config(root: Path, port: int, relative_urls: bool) -> str:
    # YAML written by hand: the schema is small and the tests need no YAML library.
    return "\n".join(
        [
            "version: 0.1",
            "log:",
            "  level: info",
            "  formatter: text",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {root / 'storage'}",
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            f"  addr: 127.0.0.1:{port}",
            f"  secret: {secrets.token_hex(16)}",
            f"  relativeurls: {'true' if relative_urls else 'false'}",
            "health:",
            "  storagedriver:",
            "    enabled: false",
            "",
        ]
    )


@dataclass
class RegistryServer:
    root: Path
    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, the registry part of references to it."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    @classmethod
    def start(cls, root: Path, *, relative_urls: bool = False, timeout: float = 30.0) -> RegistryServer:
        """Start a registry storing under ``root``; retried on a lost port race."""
        if not registry_available():
            raise RegistryStartError(f"{REGISTRY_BINARY} is not installed (apt-get install docker-registry)")
        root.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _ in range(3):
            port = free_port()
            config_path = root / "config.yml"
            config_path.write_text(_config(root, port, relative_urls))
            log_path = root / "registry.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [REGISTRY_BINARY, "serve", str(config_path)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            server = cls(root=root, port=port, process=process, log_path=log_path)
            try:
                server._wait_ready(timeout)
                return server
            except RegistryStartError as error:
                server.stop()
                last_error = str(error)
                if "address already in use" not in last_error:
                    break
        raise RegistryStartError(last_error)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            if self.process.poll() is not None:
                raise RegistryStartError(
                    f"docker-registry exited with {self.process.returncode}: {self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.url}/v2/", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RegistryStartError(
                    f"docker-registry did not answer on {self.address} within {timeout}s: {self.log_tail()}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate by PID, then kill after ``timeout`` seconds; always reaps the process."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def __enter__(self) -> RegistryServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
