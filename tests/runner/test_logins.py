"""#DockerLogin: the run's docker config with the plan's credentials."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from plancheck.runner.compile import Login, Workspace, compile_plan
from plancheck.runner.graph import build_graph
from plancheck.runner.logins import write_login_config
from plancheck.runner.registry import Credentials
from plancheck.runner.secrets import SecretSources
from support.plans import op, pipeline, plan, secret

pytestmark = pytest.mark.timeout(30)


def test_docker_login_ops_are_collected_with_their_secret_ids() -> None:
    the_plan = plan(
        pipeline(
            "push",
            [
                op("docker-login", target="registry.example.com", username="ci", secret=secret("registry-password")),
                op("fetch-container", ref="alpine"),
                op("push-container", ref="registry.example.com/a:1"),
            ],
        )
    )
    compiled = compile_plan(the_plan, build_graph(the_plan), Workspace("/w", "r"))
    assert compiled.logins == (Login("registry.example.com", "ci", "registry-password", "push"),)
    assert compiled.secrets() == ["registry-password"]


def test_the_config_adds_the_logins_and_keeps_the_rest(tmp_path: Path) -> None:
    home = tmp_path / "docker"
    home.mkdir()
    (home / "config.json").write_text(
        json.dumps(
            {
                "auths": {"ghcr.io": {}, "registry.example.com": {"auth": base64.b64encode(b"old:pw").decode()}},
                "credsStore": "desktop",
                "credHelpers": {"registry.example.com": "ecr-login"},
                "proxies": {"default": {"httpProxy": "http://proxy:3128"}},
            }
        )
    )
    environ = {"DOCKER_CONFIG": str(home), "REGISTRY_PASSWORD": "n3w-pa55word"}
    secrets = SecretSources.parse(["id=registry-password,env=REGISTRY_PASSWORD"], environ)
    folder = write_login_config(
        [Login("https://registry.example.com/v2/", "ci", "registry-password", "push")], secrets, tmp_path / "run", environ
    )
    path = folder / "config.json"
    assert path.stat().st_mode & 0o777 == 0o600
    config = json.loads(path.read_text())
    assert config["auths"]["registry.example.com"] == {"auth": base64.b64encode(b"ci:n3w-pa55word").decode()}
    # The store no longer answers for everything: only for what it held; the login wins.
    assert "credsStore" not in config
    assert config["credHelpers"] == {"ghcr.io": "desktop"}
    assert config["proxies"] == {"default": {"httpProxy": "http://proxy:3128"}}
    credential = Credentials.from_docker_config(path).lookup("registry.example.com")
    assert credential is not None and (credential.username, credential.password) == ("ci", "n3w-pa55word")
