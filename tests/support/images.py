"""Minimal real images for tests: one layer holding a static busybox, for a given platform.

`busybox_binary(arch)` returns Debian's statically linked busybox for ``arch`` (``amd64``,
``arm64``, ``armhf``…), cached under ``.ci/cache/busybox/<arch>/busybox`` (or
``$PLANCHECK_BUSYBOX_CACHE/<arch>/busybox``). The host's own architecture comes from the
installed ``busybox-static`` package; any other is downloaded from Debian's mirror with
``apt-get download`` using a private package list (``APT::Architecture=<arch>``), so the
machine's dpkg configuration is left alone. `build_image` makes the layer (``/bin/busybox``
plus ``sh``, ``ls``… as symlinks), a config naming the platform with a shell command, and the
manifest; `push_built_image` pushes them with the project's registry client.

Run as a script to fill the cache ahead of the tests (what CI does)::

    python tests/support/images.py fetch-busybox arm64
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

from plancheck.runner.registry import Descriptor, Platform, RegistryClient, Repository, push_image
from plancheck.runner.registry.manifest import (
    DOCKER_CONFIG,
    DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST,
    OCI_CONFIG,
    OCI_LAYER_GZIP,
    OCI_MANIFEST,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = REPO_ROOT / ".ci" / "cache" / "busybox"
APPLETS = ("sh", "ls", "cat", "echo", "uname", "true", "false", "env", "mkdir", "rm")
_DEBIAN_ARCH = {
    "amd64": "amd64",
    "arm64": "arm64",
    "arm/v7": "armhf",
    "arm/v6": "armel",
    "386": "i386",
    "ppc64le": "ppc64el",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


class BusyboxUnavailable(RuntimeError):
    """The binary could not be had (no mirror, no apt-get): tests skip with this reason."""


def debian_arch(platform: Platform) -> str:
    normal = platform.normalized()
    key = normal.architecture + (f"/{normal.variant}" if normal.architecture == "arm" else "")
    if key not in _DEBIAN_ARCH:
        raise BusyboxUnavailable(f"no Debian architecture for {platform}")
    return _DEBIAN_ARCH[key]


def cache_dir() -> Path:
    configured = os.environ.get("PLANCHECK_BUSYBOX_CACHE")
    return Path(configured) if configured else DEFAULT_CACHE


def _host_arch() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise fetches of one architecture across processes (pytest-xdist workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def busybox_binary(arch: str, cache: Path | None = None) -> Path:
    """Debian's static busybox for ``arch`` (Debian architecture name), fetched once and cached."""
    root = (cache or cache_dir()) / arch
    target = root / "busybox"
    if target.is_file():
        return target
    with _locked(root / ".lock"):
        if target.is_file():
            return target
        host_binary = Path("/bin/busybox")
        if arch == _host_arch() and _is_static_busybox_package_installed() and host_binary.is_file():
            _install(host_binary.read_bytes(), target)
            return target
        _install(_download_busybox(arch, root), target)
    return target


def _is_static_busybox_package_installed() -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "busybox-static"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def _install(data: bytes, target: Path) -> None:
    temporary = target.with_suffix(".partial")
    temporary.write_bytes(data)
    temporary.chmod(0o755)
    temporary.replace(target)


def _download_busybox(arch: str, root: Path) -> bytes:
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise BusyboxUnavailable(f"{tool} is not available to fetch busybox-static:{arch}")
    apt_state = root / "apt"
    (apt_state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (apt_state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    options = [
        "-q",
        f"-o=Dir::State::Lists={apt_state / 'lists'}",
        f"-o=Dir::Cache={apt_state / 'cache'}",
        f"-o=APT::Architecture={arch}",
        f"-o=APT::Architectures={arch}",
        "-o=Debug::NoLocking=1",
        "-o=APT::Sandbox::User=root",
    ]
    with tempfile.TemporaryDirectory(prefix="busybox-") as scratch:

        def apt(*arguments: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["apt-get", *options, *arguments],
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )

        # "update" fails as a whole when any one index fails (a mirror mid-sync); the index
        # holding busybox-static may still be fine, so only a failed download is final.
        update = apt("update")
        download = apt("download", "busybox-static")
        if download.returncode != 0:
            raise BusyboxUnavailable(
                f"cannot fetch busybox-static:{arch} from Debian: apt-get download failed:"
                f" {download.stderr.strip()[-300:]} (apt-get update: {update.stderr.strip()[-300:] or 'ok'})"
            )
        debs = list(Path(scratch).glob("busybox-static_*.deb"))
        if not debs:
            raise BusyboxUnavailable(f"apt-get download busybox-static:{arch} produced no package")
        extracted = Path(scratch) / "root"
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(extracted)], check=True, capture_output=True)
        binary = (extracted / "bin" / "busybox").read_bytes()
    # The package lists are only needed for this one download.
    shutil.rmtree(apt_state, ignore_errors=True)
    return binary


@dataclass(frozen=True)
class BuiltImage:
    """An image's content: manifest bytes plus every blob by digest."""

    platform: Platform
    manifest: bytes = field(repr=False)
    media_type: str
    config: bytes = field(repr=False)
    blobs: dict[str, bytes] = field(repr=False)

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.manifest).hexdigest()

    @property
    def config_digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.config).hexdigest()


def _layer(files: dict[str, bytes], symlinks: dict[str, str]) -> tuple[bytes, bytes]:
    """A reproducible layer: (gzip bytes, uncompressed tar bytes)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directories = sorted({str(Path(name).parent) for name in [*files, *symlinks]} - {"."})
        for directory in directories:
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
        for name, link in sorted(symlinks.items()):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mode, info.mtime = tarfile.SYMTYPE, link, 0o777, 0
            tar.addfile(info)
    uncompressed = raw.getvalue()
    return gzip.compress(uncompressed, mtime=0), uncompressed


def build_image(
    platform: Platform | str,
    *,
    binary: bytes | Path | None = None,
    media_type: Literal["oci", "docker"] = "oci",
    config_platform: Platform | None = None,
    label: str = "",
) -> BuiltImage:
    """A one-layer image for ``platform`` whose shell is ``binary`` (a busybox).

    Without ``binary`` the layer holds a small placeholder file instead, for registry tests
    that never run the image. ``config_platform`` writes another platform into the config
    (to test platform checks); ``label`` makes otherwise identical images distinct.
    """
    platform = Platform.parse(platform) if isinstance(platform, str) else platform
    if binary is None:
        files = {"bin/placeholder": f"placeholder for {platform} {label}".encode()}
        links: dict[str, str] = {}
    else:
        data = binary.read_bytes() if isinstance(binary, Path) else binary
        files = {"bin/busybox": data}
        links = {f"bin/{applet}": "busybox" for applet in APPLETS}
    layer, uncompressed = _layer(files, links)
    recorded = config_platform or platform
    config_doc: dict[str, object] = {
        "architecture": recorded.architecture,
        "os": recorded.os,
        "config": {
            "Env": ["PATH=/bin"],
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": ["echo hello from busybox"],
            "Labels": {"org.opencontainers.image.title": label or "busybox"},
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "plancheck tests: busybox layer"}],
        "created": "1970-01-01T00:00:00Z",
    }
    if recorded.variant:
        config_doc["variant"] = recorded.variant
    config = json.dumps(config_doc, indent=2).encode()
    types = (
        (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER_GZIP)
        if media_type == "oci"
        else (DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER_GZIP)
    )
    manifest_type, config_type, layer_type = types
    sha = lambda blob: "sha256:" + hashlib.sha256(blob).hexdigest()  # noqa: E731
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": {"mediaType": config_type, "digest": sha(config), "size": len(config)},
            "layers": [{"mediaType": layer_type, "digest": sha(layer), "size": len(layer)}],
        },
        indent=2,
    ).encode()
    return BuiltImage(platform, manifest, manifest_type, config, {sha(config): config, sha(layer): layer})


def busybox_image(platform: Platform | str, **options: object) -> BuiltImage:
    """A busybox image for ``platform``; raises `BusyboxUnavailable` when the binary cannot be had."""
    platform = Platform.parse(platform) if isinstance(platform, str) else platform
    return build_image(platform, binary=busybox_binary(debian_arch(platform)), **options)  # type: ignore[arg-type]


def push_built_image(
    client: RegistryClient, repository: Repository, image: BuiltImage, *, tags: tuple[str, ...] = ()
) -> Descriptor:
    """Push layers and config, the manifest by digest, then ``tags``."""
    return push_image(client, repository, image.manifest, image.blobs, tags=tags)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "fetch-busybox":
        print(
            "usage: images.py fetch-busybox ARCH [ARCH...]   (Debian architectures: amd64, arm64, armhf…)",
            file=sys.stderr,
        )
        return 2
    for arch in argv[1:]:
        try:
            print(busybox_binary(arch))
        except BusyboxUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
