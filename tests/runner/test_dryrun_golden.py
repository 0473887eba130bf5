"""``planrun --dry-run`` and ``--graph`` output, compared with golden files.

Regenerate after an intended change with ``PLANRUN_UPDATE_GOLDEN=1 pytest tests/runner/test_dryrun_golden.py``
and review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from plancheck.runner import cli
from support import plans

pytestmark = pytest.mark.timeout(60)

GOLDEN = Path(__file__).parent / "golden"
BUILDAH = ["--engine", "buildah", "-j", "2", "--buildah-root", "/var/lib/planrun/buildah", "--buildah-runroot", "/run/planrun/buildah"]
BUILDKIT = [
    "--engine", "buildctl", "-j", "2",
    "--addr", "tcp://buildkit-amd64.internal:1234",
    "--tlscacert", "/etc/planrun/tls/ca.pem",
    "--tlscert", "/etc/planrun/tls/cert.pem",
    "--tlskey", "/etc/planrun/tls/key.pem",
    "--builder", "linux/arm64=tcp://arm-builder:1234,tlsservername=arm-builder.internal",
    "--import-cache", "type=registry,ref=registry.example.com/cache/{platform}",
    "--export-cache", "type=registry,ref=registry.example.com/cache/{platform},mode=max",
]  # fmt: skip

CASES = {
    "busybox-release-buildah": ("busybox_release", ("127.0.0.1:5000",), [*BUILDAH]),
    "busybox-release-buildctl": ("busybox_release", ("127.0.0.1:5000",), [*BUILDKIT]),
    "go-service-buildah": ("go_service", (), [*BUILDAH, "--media-type", "docker"]),
    "go-service-buildctl": ("go_service", (), [*BUILDKIT, "--annotation", "org.opencontainers.image.vendor=Payments"]),
    "fetch-sources-buildah": ("fetch_sources", (), [*BUILDAH]),
    "fetch-sources-buildctl": ("fetch_sources", (), ["--engine", "buildctl", "-j", "3"]),
    "secret-mounts-buildah": ("secret_mounts", (), [*BUILDAH, "--secret", "id=npm-token,env=NPM_TOKEN"]),
    "secret-mounts-buildctl": ("secret_mounts", (), [*BUILDKIT, "--secret", "id=npm-token,src=/run/secrets/npm"]),
    "docker-push-buildctl": ("docker_push", (), ["--engine", "buildctl", "-j", "1"]),
    "docker-build-release-buildah": ("docker_build_release", (), [*BUILDAH, "--insecure-registry", "registry.example.com"]),
}


def render(fixture: str, fixture_args: tuple[str, ...], options: list[str], mode: str = "--dry-run") -> tuple[int, str, str]:
    the_plan = getattr(plans, fixture)(*fixture_args)
    args = cli.build_parser().parse_args([mode, *options])
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(the_plan, args, stdout=out, stderr=err, environ={"HOME": "/home/ci", "PATH": "/usr/bin"})
    return code, out.getvalue(), err.getvalue()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("PLANRUN_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path}; run with PLANRUN_UPDATE_GOLDEN=1"
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_dry_run_matches_golden(name: str) -> None:
    fixture, fixture_args, options = CASES[name]
    code, out, err = render(fixture, fixture_args, options)
    assert code == 0, err
    check_golden(name, out)


def test_graph_matches_golden() -> None:
    code, out, err = render("go_service", (), [], mode="--graph")
    assert code == 0, err
    check_golden("go-service-graph", out)


def test_a_dry_run_without_secret_sources_warns_and_shows_buildctl_defaults() -> None:
    code, out, err = render("secret_mounts", (), ["--engine", "buildctl"])
    assert code == 0
    assert "no --secret for npm-token; a run would refuse to start" in err
    assert "--secret id=npm-token,src=npm-token" in out


def test_a_dry_run_prints_no_secret_value() -> None:
    the_plan = plans.secret_mounts()
    args = cli.build_parser().parse_args(["--dry-run", "--engine", "buildah", "--secret", "id=npm-token,env=NPM_TOKEN"])
    out, err = io.StringIO(), io.StringIO()
    cli.execute(the_plan, args, stdout=out, stderr=err, environ={"NPM_TOKEN": "npm_tok_0123456789abcdef"})
    assert "npm_tok_0123456789abcdef" not in out.getvalue() + err.getvalue()
