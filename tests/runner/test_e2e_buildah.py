"""End to end on real parts: buildah builds, docker-registry stores, skopeo reads back.

The base images are static busybox for amd64 and arm64 (tests/support/images.py) pushed to a
loopback registry. ``RUN`` steps are used only on the host's own architecture (no emulator is
assumed); the other platform is built with file steps. buildah keeps its images in a private
vfs storage under the test's temporary folder.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from plancheck.runner import cli
from plancheck.runner.registry import Credentials, RegistryClient, Repository
from support.images import BusyboxUnavailable, busybox_image, push_built_image
from support.plans import busybox_release, op, pipeline, plan, ref
from support.registry_server import RegistryServer
from support.skopeo import copy_to_oci_layout, inspect_raw

pytestmark = [pytest.mark.timeout(300)]


def _host_arch() -> str:
    result = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "amd64"


@pytest.fixture
def base(registry: RegistryServer, repo_path: str) -> str:
    """``<repo_path>/base``: busybox for amd64 and arm64, tagged with the architecture."""
    if shutil.which("buildah") is None:
        pytest.skip("buildah is not installed (Debian package buildah)")
    repository = Repository(registry.address, f"{repo_path}/base")
    with RegistryClient(Credentials.anonymous()) as client:
        for arch in ("amd64", "arm64"):
            try:
                image = busybox_image(f"linux/{arch}")
            except BusyboxUnavailable as error:
                pytest.skip(f"busybox-static for {arch} is unavailable: {error}")
            push_built_image(client, repository, image, tags=(arch,))
    return repository.path


def _planrun(the_plan, tmp_path: Path, registry: RegistryServer, *extra: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    args = cli.build_parser().parse_args(
        [
            "--engine", "buildah",
            "--progress", "plain",
            "--buildah-root", str(tmp_path / "buildah" / "root"),
            "--buildah-runroot", str(tmp_path / "buildah" / "run"),
            "--insecure-registry", registry.address,
            "--output-json", str(tmp_path / "summary.json"),
            *extra,
        ]
    )  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(the_plan, args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _unpack(reference: str, layout: Path, root: Path) -> None:
    """Copy an image out with skopeo and apply its layers in order (whiteouts do not occur here)."""
    copy_to_oci_layout(reference, layout)
    index = json.loads((layout / "index.json").read_text())
    manifest = json.loads((layout / "blobs" / "sha256" / index["manifests"][0]["digest"].split(":")[1]).read_text())
    root.mkdir(parents=True)
    for layer in manifest["layers"]:
        with tarfile.open(layout / "blobs" / "sha256" / layer["digest"].split(":")[1]) as archive:
            archive.extractall(root, filter="tar")


def test_a_two_platform_manifest_list(registry: RegistryServer, repo_path: str, base: str, tmp_path: Path) -> None:
    native = _host_arch()
    the_plan = busybox_release(registry.address, repository=f"{repo_path}/app", base=base, run_on=native)
    code, out, err = _planrun(the_plan, tmp_path, registry)
    assert code == 0, err[-3000:]
    target = f"{registry.address}/{repo_path}/app"

    index = json.loads(inspect_raw(f"{target}:1.0"))
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    platforms = sorted((m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"])
    assert platforms == [("linux", "amd64"), ("linux", "arm64")]
    for entry in index["manifests"]:
        child = json.loads(inspect_raw(f"{target}@{entry['digest']}"))
        assert child["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
        config = json.loads(inspect_raw(f"{target}@{entry['digest']}", config=True))
        assert (config["os"], config["architecture"]) == ("linux", entry["platform"]["architecture"])

    # Only the tag the plan names exists: the images were pushed by digest.
    tags = json.loads(subprocess.run(
        ["skopeo", "list-tags", "--tls-verify=false", f"docker://{target}"], capture_output=True, text=True, check=True
    ).stdout)["Tags"]  # fmt: skip
    assert tags == ["1.0"]

    summary = json.loads((tmp_path / "summary.json").read_text())
    [pushed] = summary["pushed"]
    assert pushed["reference"] == f"{target}:1.0" and pushed["kind"] == "index"
    assert {p["platform"]: p["digest"] for p in pushed["platforms"]} == {
        f"linux/{m['platform']['architecture']}": m["digest"] for m in index["manifests"]
    }
    assert f"pushed {target}:1.0@{pushed['digest']} (manifest list" in out

    # The files are where the plan put them, RUN output included.
    for entry in index["manifests"]:
        arch = entry["platform"]["architecture"]
        root = tmp_path / f"root-{arch}"
        _unpack(f"{target}@{entry['digest']}", tmp_path / f"layout-{arch}", root)
        expected = f"hello from {'x86_64' if native == 'amd64' else 'aarch64'}\n" if arch == native else f"hello from {arch}\n"
        assert (root / "hello.txt").read_text() == expected
        assert (root / "etc" / "banner.txt").read_text() == "built by planrun\n"
        assert (root / "data").stat().st_mode & 0o777 == 0o700
        assert (root / "bin" / "busybox").is_file()


def test_docker_build_push_and_exports(registry: RegistryServer, repo_path: str, base: str, tmp_path: Path) -> None:
    """A #DockerBuild of a #Local folder, a file added on top, pushed with a tag, read back."""
    native = _host_arch()
    source = tmp_path / "plan"
    (source / "skipped").mkdir(parents=True)
    (source / "Dockerfile").write_text(
        f"FROM {registry.address}/{base}:{native}\n"
        "ARG GREETING=none\n"
        "COPY hello.txt /hello.txt\n"
        'RUN ["sh", "-c", "echo \\"{\\\\\\"greeting\\\\\\": \\\\\\"$GREETING\\\\\\"}\\" > /meta.json"]\n'
    )
    (source / "hello.txt").write_text("hi\n")
    (source / "skipped" / "big.bin").write_bytes(b"x" * 1000)
    reference = f"{registry.address}/{repo_path}/tool:2"
    the_plan = plan(
        pipeline("src", [op("local", dir=".", include=[], exclude=["skipped"])]),
        pipeline(
            "app",
            [
                op("docker-build", context=ref("src"), platform=f"linux/{native}", buildArg={"GREETING": "bonjour"}),
                op("write-file", dest="/VERSION", content="2\n"),
                op("push-container", ref=reference),
                op("subdir", dir="/dagger"),
                op("export", source="/image_ref"),
            ],
            platform=f"linux/{native}",
        ),
        pipeline(
            "meta",
            [op("load", **{"from": ref("raw")}), op("export", source="/meta.json", format="json")],
            platform=f"linux/{native}",
        ),
        pipeline("raw", [op("docker-build", context=ref("src"), platform=f"linux/{native}")], platform=f"linux/{native}"),
        folder=str(source),
    )
    code, out, err = _planrun(the_plan, tmp_path, registry)
    assert code == 0, err[-3000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    [pushed] = summary["pushed"]
    assert (pushed["reference"], pushed["kind"]) == (reference, "image")
    exports = {e["pipeline"]: e["value"] for e in summary["exports"]}
    assert exports == {"app": f"{reference}@{pushed['digest']}", "meta": {"greeting": "none"}}
    manifest = json.loads(inspect_raw(reference))
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    root = tmp_path / "root"
    _unpack(f"{reference}", tmp_path / "layout", root)
    assert (root / "VERSION").read_text() == "2\n"
    assert (root / "hello.txt").read_text() == "hi\n"
    assert json.loads((root / "meta.json").read_text()) == {"greeting": "bonjour"}
    assert not (root / "skipped").exists()


def test_a_failing_run_step_fails_its_pipeline_and_skips_the_list(
    registry: RegistryServer, repo_path: str, base: str, tmp_path: Path
) -> None:
    native = _host_arch()
    the_plan = busybox_release(registry.address, repository=f"{repo_path}/broken", base=base, run_on=native)
    broken = the_plan.pipelines[f"images.{native}"]
    failing = pipeline(
        broken.path,
        [
            op("fetch-container", ref=f"{registry.address}/{base}:{native}", platform=f"linux/{native}"),
            op("exec", args=["sh", "-c", "echo about to fail; exit 3"]),
        ],
        platform=f"linux/{native}",
    )
    the_plan = plan(*[failing if p.path == broken.path else p for p in the_plan.pipelines.values()])
    code, out, err = _planrun(the_plan, tmp_path, registry)
    assert code == 1
    assert f"failed images.{native}: images.{native}: buildah bud exited with status" in out
    assert "skipped release: needs images." in out
    assert "about to fail" in err
    listing = subprocess.run(
        ["skopeo", "list-tags", "--tls-verify=false", f"docker://{registry.address}/{repo_path}/broken"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "1.0" not in listing.stdout
