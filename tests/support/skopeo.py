"""skopeo as an independent reader of what the client wrote to a registry."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def require_skopeo() -> None:
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo is not installed (Debian package skopeo)")


def inspect_raw(reference: str, *, config: bool = False) -> bytes:
    """``skopeo inspect --raw`` of ``reference`` (``host:port/repo:tag`` or ``…@sha256:…``), as bytes."""
    require_skopeo()
    command = ["skopeo", "inspect", "--raw", "--tls-verify=false", "--no-creds"]
    if config:
        command.append("--config")
    result = subprocess.run([*command, f"docker://{reference}"], capture_output=True, timeout=60, check=False)
    if result.returncode != 0:
        raise AssertionError(
            f"skopeo inspect {reference} failed: {result.stderr.decode(errors='replace').strip()}"
        )
    return result.stdout


def copy_to_oci_layout(reference: str, destination: Path) -> None:
    """``skopeo copy docker://REF oci:DIR`` (an OCI image layout on disk)."""
    require_skopeo()
    result = subprocess.run(
        [
            "skopeo",
            "--insecure-policy",
            "copy",
            "--src-tls-verify=false",
            "--src-no-creds",
            f"docker://{reference}",
            f"oci:{destination}:image",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"skopeo copy {reference} failed: {result.stderr.decode(errors='replace').strip()}"
        )
