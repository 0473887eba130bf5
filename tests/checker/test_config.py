"""Configuration: discovery (nearest file wins), keys, validation with located errors, selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from plancheck.checker.config import (
    ConfigError,
    ConfigResolver,
    Overrides,
    RuleSelection,
    glob_matches,
    load,
    parse_selectors,
)
from plancheck.checker.diagnostics import Severity


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- selection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "select, ignore, code, enabled",
    [
        (("ALL",), (), "PLT002", True),
        (("PLT",), (), "PLT002", True),
        (("PLT",), (), "CUE001", False),
        (("PLT",), ("PLT002",), "PLT002", False),
        (("PLT",), ("PLT002",), "PLT003", True),
        (("PLT002",), ("PLT",), "PLT002", True),  # more specific select wins
        (("PLT00",), ("PLT00",), "PLT002", False),  # a tie goes to ignore
        (("ALL",), ("ALL",), "CUE001", False),
        ((), (), "CUE001", False),
        (("CUE",), ("ALL",), "CUE006", True),
    ],
)
def test_most_specific_selector_wins(select, ignore, code, enabled):
    assert RuleSelection(select, ignore).enabled(code) is enabled


def test_selectors_are_validated_against_the_catalogue(fake_rules):
    assert parse_selectors(["plt,CUE001", " ALL "]) == ("PLT", "CUE001", "ALL")
    with pytest.raises(ValueError, match="unknown rule code or prefix 'PLX'"):
        parse_selectors(["PLX"])
    with pytest.raises(ValueError, match="known prefixes: CUE"):
        parse_selectors(["CUE999"])


# -- globs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("legacy/*.cue", "legacy/a.cue", True),
        ("legacy/*.cue", "legacy/sub/a.cue", False),
        ("legacy/**/*.cue", "legacy/sub/deep/a.cue", True),
        ("legacy/**/*.cue", "legacy/a.cue", True),
        ("legacy", "legacy/sub/a.cue", True),  # a folder covers what is below it
        ("legacy/", "legacy/a.cue", True),
        ("legacy", "plans/legacy/a.cue", True),  # no '/': a name at any depth
        ("plans/legacy", "legacy/a.cue", False),  # with '/': anchored at the config folder
        ("*.gen.cue", "plans/x.gen.cue", True),
        ("*.gen.cue", "plans/x.cue", False),
        ("./plans/?.cue", "plans/a.cue", True),
        ("plans/[ab].cue", "plans/c.cue", False),
        ("plans/[!ab].cue", "plans/c.cue", True),
    ],
)
def test_glob_semantics(pattern, path, matches):
    assert glob_matches(pattern, path) is matches


# -- files ---------------------------------------------------------------------


def test_pyproject_table_with_every_key(tmp_path, fake_rules):
    write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "x"

[tool.plancheck]
select = ["PLT", "CUE"]
extend-select = ["SUP001"]
ignore = ["PLT003"]
default-platform = "linux/aarch64"
fail-on = "warning"
exclude = ["vendor/"]

[tool.plancheck.per-path-ignores]
"legacy/**" = ["PLT002"]

[tool.plancheck.severity]
PLT002 = "error"
PLT = "info"
""",
    )
    s = load(tmp_path / "pyproject.toml")
    assert s.root == tmp_path and s.config_file == tmp_path / "pyproject.toml"
    assert s.select == ("PLT", "CUE") and s.extend_select == ("SUP001",) and s.ignore == ("PLT003",)
    assert s.default_platform == "linux/arm64"  # stored in canonical form
    assert s.fail_on is Severity.WARNING
    assert s.is_excluded(tmp_path / "vendor" / "x" / "a.cue") and not s.is_excluded(tmp_path / "plans" / "a.cue")
    assert not s.selection_for(tmp_path / "legacy" / "a" / "b.cue").enabled("PLT002")
    assert s.selection_for(tmp_path / "plans" / "b.cue").enabled("PLT002")
    assert not s.selection_for(tmp_path / "plans" / "b.cue").enabled("PLT003")
    assert s.selection_for(tmp_path / "plans" / "b.cue").enabled("SUP001")
    assert s.severity_of("PLT002", Severity.WARNING) is Severity.ERROR
    assert s.severity_of("PLT007", Severity.ERROR) is Severity.INFO
    assert s.severity_of("CUE001", Severity.ERROR) is Severity.ERROR


def test_per_file_ignores_is_an_alias(tmp_path, fake_rules):
    write(tmp_path / ".plancheck.toml", '[per-file-ignores]\n"*.gen.cue" = ["PLT"]\n')
    s = load(tmp_path / ".plancheck.toml")
    assert not s.selection_for(tmp_path / "a.gen.cue").enabled("PLT002")


def test_nearest_configuration_wins_and_pyproject_without_table_is_skipped(tmp_path, fake_rules):
    write(tmp_path / "pyproject.toml", '[tool.plancheck]\nignore = ["PLT002"]\n')
    write(tmp_path / "team" / "pyproject.toml", '[project]\nname = "team"\n')
    write(tmp_path / "other" / ".plancheck.toml", 'ignore = ["PLT003"]\n')
    write(tmp_path / "other" / "pyproject.toml", '[tool.plancheck]\nignore = ["PLT007"]\n')
    r = ConfigResolver(cwd=tmp_path)
    assert r.for_folder(tmp_path / "team" / "plans").config_file == tmp_path / "pyproject.toml"
    other = r.for_folder(tmp_path / "other" / "deep")
    assert other.config_file == tmp_path / "other" / ".plancheck.toml"  # .plancheck.toml first
    assert other.ignore == ("PLT003",)  # settings do not merge across files


def test_overrides_replace_select_and_extend_ignore(tmp_path, fake_rules):
    write(tmp_path / ".plancheck.toml", 'select = ["PLT"]\nignore = ["PLT002"]\ndefault-platform = "linux/arm64"\n')
    r = ConfigResolver(cwd=tmp_path, overrides=Overrides(select=("CUE",), ignore=("PLT003",), default_platform="linux/s390x", fail_on=Severity.WARNING))
    s = r.for_folder(tmp_path)
    assert s.select == ("CUE",) and s.ignore == ("PLT002", "PLT003")
    assert s.default_platform == "linux/s390x" and s.fail_on is Severity.WARNING


def test_isolated_and_explicit_config(tmp_path, fake_rules):
    write(tmp_path / ".plancheck.toml", 'ignore = ["PLT002"]\n')
    explicit = write(tmp_path / "elsewhere" / "ci.toml", 'ignore = ["PLT007"]\n')
    assert ConfigResolver(cwd=tmp_path, isolated=True).for_folder(tmp_path).ignore == ()
    assert ConfigResolver(cwd=tmp_path, explicit=explicit).for_folder(tmp_path).ignore == ("PLT007",)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('ignore = ["PLT002"]\nselct = ["PLT"]\n', 2, "selct: unknown key; did you mean 'select'?"),
        ('select = "PLT" x\n', 1, "invalid TOML"),
        ('\n\nignore = ["PLX001"]\n', 3, "ignore: unknown rule code or prefix 'PLX001'"),
        ('default-platform = "linux/arm65"\n', 1, "default-platform: invalid platform 'linux/arm65'"),
        ('fail-on = "never"\n', 1, "fail-on: expected one of 'error', 'warning', 'info', found 'never'"),
        ('[severity]\nPLT002 = "fatal"\n', 2, 'severity: PLT002: expected "error", "warning" or "info"'),
        ('ignore = [1]\n', 1, "ignore: expected a list of strings"),
        ('[per-path-ignores]\n"a/**" = ["NOPE1"]\n', 2, "per-path-ignores: 'a/**': unknown rule code"),
    ],
)
def test_invalid_configuration_is_a_located_error(tmp_path, fake_rules, text, line, message):
    path = write(tmp_path / ".plancheck.toml", text)
    with pytest.raises(ConfigError) as err:
        ConfigResolver(cwd=tmp_path).for_folder(tmp_path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert message in str(err.value)


def test_error_in_pyproject_names_the_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.plancheck]\nfail_on = "warning"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:5: \[tool.plancheck\] fail_on: unknown key; did you mean 'fail-on'\?"):
        load(path)
