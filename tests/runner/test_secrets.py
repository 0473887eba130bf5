"""Secret sources (--secret) and redaction of engine output."""

from __future__ import annotations

from pathlib import Path

import pytest
from plancheck.runner.errors import UsageError
from plancheck.runner.secrets import Redactor, SecretSource, SecretSources

pytestmark = pytest.mark.timeout(30)


def test_env_and_src_sources_pass_where_not_what(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cr3t-file-value\n")
    sources = SecretSources.parse(["id=npm,env=NPM_TOKEN", f"id=git,src={token_file}"], {"NPM_TOKEN": "s3cr3t-env-value"})
    assert sources.get("npm").flag_value() == "id=npm,env=NPM_TOKEN"
    assert sources.get("git").flag_value() == f"id=git,src={token_file}"
    assert sources.get("npm").read({"NPM_TOKEN": "s3cr3t-env-value"}) == "s3cr3t-env-value"
    assert sources.get("git").read() == "s3cr3t-file-value\n"


def test_a_bare_id_means_the_variable_if_set_else_the_file() -> None:
    assert SecretSource.parse("id=TOKEN", {"TOKEN": "x"}) == SecretSource("TOKEN", env="TOKEN")
    assert SecretSource.parse("id=./token", {}) == SecretSource("./token", src="./token")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("env=X", "id=ID is required"),
        ("id=a,env=X,src=Y", "not both"),
        ("id=a,user=b", "unknown key 'user'"),
        ("id", "expected id=ID"),
        ("id=a,id=b", "given twice"),
    ],
)
def test_invalid_secret_flags_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SecretSource.parse(text, {})


def test_every_secret_the_plan_uses_needs_a_source() -> None:
    sources = SecretSources.parse(["id=a,env=A"], {"A": "1"})
    with pytest.raises(UsageError, match=r"secrets b, c, but no --secret says where they are \(e\.g\. --secret id=b,env="):
        sources.require(["a", "b", "c"], {"A": "1"})


def test_a_source_that_is_not_there_fails_before_any_build(tmp_path: Path) -> None:
    sources = SecretSources.parse(["id=a,env=MISSING", f"id=b,src={tmp_path / 'nope'}"], {})
    with pytest.raises(UsageError, match="MISSING is not set"):
        sources.require(["a"], {})
    with pytest.raises(UsageError, match="is not a file"):
        sources.require(["b"], {})


def test_redactor_masks_values_and_their_lines() -> None:
    redact = Redactor(["hunter2-password", "line-one-secret\nline-two-secret\n", "ab"])
    assert redact("login with hunter2-password ok") == "login with **** ok"
    assert redact("got line-two-secret") == "got ****"
    # Values too short to tell from ordinary text are left alone.
    assert redact("ab cd") == "ab cd"


def test_the_redactor_of_the_sources_reads_every_value(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("from-a-file-123")
    sources = SecretSources.parse(["id=a,env=A", f"id=b,src={path}", "id=c,env=UNSET"], {"A": "from-the-env-456"})
    redact = sources.redactor({"A": "from-the-env-456"})
    assert redact("from-the-env-456 and from-a-file-123") == "**** and ****"
