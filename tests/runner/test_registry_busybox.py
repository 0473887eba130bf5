"""A real two-platform busybox image pushed with the client, read back by skopeo and run.

The amd64 binary comes from the installed ``busybox-static`` package; the arm64 one is fetched
once from Debian's mirror into ``.ci/cache/busybox`` (see tests/support/images.py). When it
cannot be had, the arm64 part is skipped with the reason.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from plancheck.runner.registry import (
    IndexChild,
    Platform,
    RegistryClient,
    Repository,
    push_index,
)
from support.images import BusyboxUnavailable, busybox_binary, busybox_image, debian_arch, push_built_image
from support.skopeo import copy_to_oci_layout, inspect_raw

pytestmark = pytest.mark.timeout(600)

_ELF_MACHINE = {"amd64": 62, "arm64": 183}


def image_or_skip(platform: str):  # type: ignore[no-untyped-def]
    try:
        return busybox_image(platform)
    except BusyboxUnavailable as error:
        pytest.skip(f"busybox-static for {platform} is unavailable: {error}")


def unpack_single_layer(layout: Path, destination: Path) -> None:
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest).read_text())
    [layer] = manifest["layers"]
    with tarfile.open(layout / "blobs" / "sha256" / layer["digest"].split(":", 1)[1]) as archive:
        archive.extractall(destination, filter="tar")


def test_busybox_index_for_amd64_and_arm64(
    client: RegistryClient, repository: Repository, tmp_path: Path
) -> None:
    amd64 = image_or_skip("linux/amd64")
    arm64 = image_or_skip("linux/arm64")
    for image in (amd64, arm64):
        push_built_image(client, repository, image)
    digest = push_index(
        client,
        repository.tagged("busybox"),
        [
            IndexChild(amd64.digest, Platform.parse("linux/amd64")),
            IndexChild(arm64.digest, Platform.parse("linux/arm64")),
        ],
    )
    index = json.loads(inspect_raw(f"{repository}:busybox"))
    assert [entry["digest"] for entry in index["manifests"]] == [amd64.digest, arm64.digest]
    assert client.get_manifest(repository.tagged("busybox")).digest == digest

    for name, image in (("amd64", amd64), ("arm64", arm64)):
        config = json.loads(inspect_raw(f"{repository}@{image.digest}", config=True))
        assert (config["os"], config["architecture"]) == ("linux", name)
        root = tmp_path / name
        copy_to_oci_layout(f"{repository}@{image.digest}", tmp_path / f"{name}-layout")
        unpack_single_layer(tmp_path / f"{name}-layout", root)
        binary = (root / "bin" / "busybox").read_bytes()
        assert binary[:4] == b"\x7fELF"
        assert int.from_bytes(binary[18:20], "little") == _ELF_MACHINE[name]
        assert (root / "bin" / "sh").is_symlink()

    # The host can run the amd64 image's shell straight from the pulled layer.
    if Platform.parse("linux/amd64").matches(
        Platform(
            "linux",
            subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip(),
        )
    ):
        result = subprocess.run(
            [str(tmp_path / "amd64" / "bin" / "sh"), "-c", "echo hello from busybox"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.stdout.strip() == "hello from busybox"


@pytest.mark.parametrize(
    ("platform", "arch"),
    [
        ("linux/amd64", "amd64"),
        ("linux/arm64/v8", "arm64"),
        ("linux/arm/v7", "armhf"),
        ("linux/arm/v6", "armel"),
    ],
)
def test_debian_architecture_names(platform: str, arch: str) -> None:
    assert debian_arch(Platform.parse(platform)) == arch


def test_host_busybox_is_cached_without_downloading(tmp_path: Path) -> None:
    host = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "busybox-static"], capture_output=True, text=True
    )
    if "install ok installed" not in installed.stdout:
        pytest.skip("busybox-static is not installed (Debian package busybox-static)")
    cached = busybox_binary(host, cache=tmp_path)
    assert cached == tmp_path / host / "busybox"
    assert cached.read_bytes() == Path("/bin/busybox").read_bytes()
    assert not (tmp_path / host / "apt").exists()
    assert busybox_binary(host, cache=tmp_path) == cached
