"""Docker config.json lookup rules and the credential-helper protocol."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from plancheck.runner.registry import Credential, Credentials, CredentialsError
from plancheck.runner.registry.credentials import (
    DOCKER_HUB_CONFIG_KEY,
    config_key,
    default_config_path,
)

pytestmark = pytest.mark.timeout(60)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def write_config(directory: Path, config: dict[str, object]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.json"
    path.write_text(json.dumps(config))
    return path


def write_helper(bin_dir: Path, name: str, script: str) -> Path:
    """A ``docker-credential-<name>`` executable (a shell script) in ``bin_dir``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    helper = bin_dir / f"docker-credential-{name}"
    helper.write_text("#!/bin/sh\n" + script)
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return helper


def helper_env(bin_dir: Path) -> dict[str, str]:
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}


def test_config_location_follows_docker_config_then_home(tmp_path: Path) -> None:
    assert default_config_path({"DOCKER_CONFIG": str(tmp_path / "d")}) == tmp_path / "d" / "config.json"
    assert default_config_path({"HOME": str(tmp_path)}) == tmp_path / ".docker" / "config.json"


def test_from_docker_config_reads_the_default_location(tmp_path: Path) -> None:
    write_config(tmp_path / "conf", {"auths": {"reg.example:5000": {"auth": b64("ann:s3cret")}}})
    credentials = Credentials.from_docker_config(env={"DOCKER_CONFIG": str(tmp_path / "conf")})
    assert credentials.lookup("reg.example:5000") == Credential(username="ann", password="s3cret")


def test_missing_config_means_anonymous(tmp_path: Path) -> None:
    credentials = Credentials.from_docker_config(tmp_path / "absent.json")
    assert credentials.lookup("reg.example") is None


def test_docker_hub_uses_the_index_key() -> None:
    assert config_key("docker.io") == DOCKER_HUB_CONFIG_KEY == "https://index.docker.io/v1/"
    assert config_key("registry-1.docker.io") == DOCKER_HUB_CONFIG_KEY
    assert config_key("ghcr.io") == "ghcr.io"


def test_auths_entry_forms(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "auths": {
                "a.example": {"auth": b64("alice:pa:ss\x00\x00")},
                "b.example": {"username": "bob", "password": "pw"},
                "c.example": {"identitytoken": "refresh-me"},
                "d.example": {"registrytoken": "bearer-me"},
                "e.example": {"email": "nobody@example.com"},
            }
        },
    )
    credentials = Credentials.from_docker_config(path)
    # Split at the first colon; trailing NULs (old docker versions) are trimmed.
    assert credentials.lookup("a.example") == Credential("alice", "pa:ss")
    assert credentials.lookup("b.example") == Credential("bob", "pw")
    assert credentials.lookup("c.example") == Credential(identity_token="refresh-me")
    assert credentials.lookup("d.example") == Credential(registry_token="bearer-me")
    assert credentials.lookup("e.example") is None
    assert credentials.lookup("unknown.example") is None


def test_lookup_matches_legacy_keys_by_host(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "auths": {
                "https://reg.example:5000/v1/": {"auth": b64("legacy:pw")},
                "https://index.docker.io/v1/": {"auth": b64("hub:pw")},
                "http://other.example": {"auth": b64("other:pw")},
            }
        },
    )
    credentials = Credentials.from_docker_config(path)
    assert credentials.lookup("reg.example:5000") == Credential("legacy", "pw")
    assert credentials.lookup("docker.io") == Credential("hub", "pw")
    assert credentials.lookup("other.example") == Credential("other", "pw")
    # The port is part of the host: another port is another registry.
    assert credentials.lookup("reg.example") is None


def test_exact_key_wins_over_a_host_match(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "auths": {
                "https://reg.example/v1/": {"auth": b64("old:pw")},
                "reg.example": {"auth": b64("new:pw")},
            }
        },
    )
    assert Credentials.from_docker_config(path).lookup("reg.example") == Credential("new", "pw")


def test_docker_hub_entry_under_a_short_key_is_found(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"auths": {"docker.io": {"auth": b64("hub:pw")}}})
    assert Credentials.from_docker_config(path).lookup("docker.io") == Credential("hub", "pw")


def test_a_broken_entry_only_fails_its_own_registry(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {"auths": {"broken.example": {"auth": b64("no-colon-here")}, "fine.example": {"auth": b64("u:p")}}},
    )
    credentials = Credentials.from_docker_config(path)
    assert credentials.lookup("fine.example") == Credential("u", "p")
    with pytest.raises(CredentialsError, match="invalid auth for broken.example") as info:
        credentials.lookup("broken.example")
    assert "no-colon-here" not in str(info.value)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"auths": []}', '{"credsStore": 3}'])
def test_unreadable_config_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(CredentialsError, match="cannot read docker config"):
        Credentials.from_docker_config(path)


def test_cred_helper_protocol(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "asked.txt"
    write_helper(
        bin_dir,
        "testpass",
        f"""[ "$1" = get ] || exit 3
read -r server
echo "$server" >> {log}
case "$server" in
  reg.example:5000) printf '{{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}}' "$server" ;;
  https://index.docker.io/v1/) printf '{{"ServerURL":"%s","Username":"<token>","Secret":"identity"}}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
""",
    )
    path = write_config(
        tmp_path,
        {
            "auths": {
                "reg.example:5000": {"auth": b64("file-user:file-pw")},
                "plain.example": {"auth": b64("p:w")},
            },
            "credHelpers": {
                "reg.example:5000": "testpass",
                DOCKER_HUB_CONFIG_KEY: "testpass",
                "none.example": "testpass",
            },
        },
    )
    credentials = Credentials.from_docker_config(path, env=helper_env(bin_dir))
    # A helper for the registry wins over the auths entry.
    assert credentials.lookup("reg.example:5000") == Credential("helper-user", "helper-secret")
    # "<token>" as the username means the secret is an identity token.
    assert credentials.lookup("docker.io") == Credential(identity_token="identity")
    # A helper with nothing stored means anonymous, not the auths entry.
    assert credentials.lookup("none.example") is None
    # Registries without a helper use auths.
    assert credentials.lookup("plain.example") == Credential("p", "w")
    # Answers are cached: asking again does not run the helper again.
    credentials.lookup("reg.example:5000")
    assert log.read_text().splitlines() == ["reg.example:5000", DOCKER_HUB_CONFIG_KEY, "none.example"]


def test_creds_store_is_the_default_helper(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    write_helper(bin_dir, "store", 'read -r s; printf \'{"Username":"store-user","Secret":"store-pw"}\'\n')
    write_helper(
        bin_dir, "special", 'read -r s; printf \'{"Username":"special-user","Secret":"special-pw"}\'\n'
    )
    path = write_config(tmp_path, {"credsStore": "store", "credHelpers": {"special.example": "special"}})
    credentials = Credentials.from_docker_config(path, env=helper_env(bin_dir))
    assert credentials.lookup("any.example") == Credential("store-user", "store-pw")
    assert credentials.lookup("special.example") == Credential("special-user", "special-pw")


def test_missing_helper_is_a_clear_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"credsStore": "nonexistent-helper"})
    credentials = Credentials.from_docker_config(path, env={"PATH": str(tmp_path)})
    with pytest.raises(CredentialsError, match="docker-credential-nonexistent-helper .* is not on PATH"):
        credentials.lookup("reg.example")


def test_failing_helper_is_a_clear_error(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    write_helper(bin_dir, "broken", "echo 'keychain is locked' >&2; exit 2\n")
    path = write_config(tmp_path, {"credsStore": "broken"})
    credentials = Credentials.from_docker_config(path, env=helper_env(bin_dir))
    with pytest.raises(
        CredentialsError,
        match=r"docker-credential-broken failed for reg.example \(exit 2\): keychain is locked",
    ):
        credentials.lookup("reg.example")


def test_hanging_helper_times_out(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    write_helper(bin_dir, "slow", "exec sleep 30\n")
    path = write_config(tmp_path, {"credsStore": "slow"})
    credentials = Credentials(
        creds_store="slow", env=helper_env(bin_dir), helper_timeout=0.5, source=str(path)
    )
    with pytest.raises(CredentialsError, match="did not answer within"):
        credentials.lookup("reg.example")


def test_secrets_stay_out_of_reprs(tmp_path: Path) -> None:
    path = write_config(tmp_path, {"auths": {"reg.example": {"auth": b64("ann:hunter2")}}})
    credentials = Credentials.from_docker_config(path)
    credential = credentials.lookup("reg.example")
    assert credential is not None
    for text in (repr(credential), str(credential), repr(credentials)):
        assert "hunter2" not in text
        assert b64("ann:hunter2") not in text
    assert "password=<hidden>" in repr(credential)


def test_static_credentials() -> None:
    credentials = Credentials.static(
        {"docker.io": Credential("hub", "pw"), "reg.example:5000": Credential("r", "pw")}
    )
    assert credentials.lookup("docker.io") == Credential("hub", "pw")
    assert credentials.lookup("reg.example:5000") == Credential("r", "pw")
    assert Credentials.anonymous().lookup("docker.io") is None
