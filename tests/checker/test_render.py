"""Every output format renders the same diagnostics: golden files, SARIF schema, GitHub escaping.

Update the goldens after an intended change with PLANCHECK_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from checker_factories import make_diag

from plancheck.checker.diagnostics import Related, Severity
from plancheck.checker.render import FORMATS, RenderInput, render
from plancheck.checker.render.github import escape_data, escape_property
from plancheck.checker.version import __version__

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "render"
SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"

APP = "plans/app.cue"
APP_TEXT = """package main

base: #up: [
\top.#FetchContainer & {ref: "alpine:3.18", platform: "linux/aarch64"},
]
build: #up: [
\top.#DockerBuild & {context: src, platforms: ["linux/amd64", "linux/arm64"]},
]
name: "日本" // plancheck: ignore[PLT009]
"""
ODD = "plans/odd, name: 100%.cue"
ODD_TEXT = "a: b c\n"


def sample(fake_rules_codes=None) -> RenderInput:
    fetch = make_diag(APP, APP_TEXT, '"linux/aarch64"', "PLT002", "platform \"linux/aarch64\" is not canonical: write \"linux/arm64\"", replace='"linux/arm64"')
    build = make_diag(APP, APP_TEXT, 'platforms: ["linux/amd64", "linux/arm64"]', "PLT003", "`platforms` lists 2 platforms but a pipeline builds one", severity=Severity.ERROR, replace='platform: "linux/amd64"', unsafe=True)
    build = build.__class__(**{**{f: getattr(build, f) for f in build.__slots__}, "related": (Related(APP, make_diag(APP, APP_TEXT, "base").span, "another pipeline"),)})
    unused = make_diag(APP, APP_TEXT, "PLT009", "SUP001", "unused suppression (unknown: PLT009)", replace="")
    info = make_diag(APP, APP_TEXT, '"日本"', "SCH001", "a note with 100% and a\nsecond line", severity=Severity.INFO)
    odd = make_diag(ODD, ODD_TEXT, "c", "CUE001", "missing ',' before 'c'", severity=Severity.ERROR)
    diags = [fetch, build, info, unused, odd]
    return RenderInput(diags, {APP: APP_TEXT, ODD: ODD_TEXT}, files_checked=2, root="/project")


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    actual = actual.replace(__version__, "VERSION")
    if os.environ.get("PLANCHECK_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt, color, name", [
    ("full", False, "full.txt"),
    ("full", True, "full.color.txt"),
    ("concise", False, "concise.txt"),
    ("json", False, "json.json"),
    ("sarif", False, "sarif.json"),
    ("github", False, "github.txt"),
])
def test_golden(stand_in_rules, fmt, color, name):
    data = sample()
    data = RenderInput(**{**data.__dict__, "color": color})
    golden(name, render(fmt, data))


def test_every_format_has_a_golden():
    assert set(FORMATS) == {"full", "concise", "json", "sarif", "github"}


def test_colour_only_when_asked(fake_rules):
    plain = render("full", sample())
    assert "\x1b[" not in plain
    coloured = render("full", RenderInput(**{**sample().__dict__, "color": True}))
    assert "\x1b[1m\x1b[31mPLT003\x1b[0m" in coloured  # errors in bold red
    assert "\x1b[1m\x1b[33mPLT002\x1b[0m" in coloured  # warnings in bold yellow


def test_sarif_is_valid_against_the_official_schema(fake_rules):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render("sarif", sample()))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CUE001", "PLT002", "PLT003", "SCH001", "SUP001"]
    sup = rules[-1]
    assert sup["name"] == "unused-suppression" and sup["helpUri"].endswith("/SUP001")
    assert sup["defaultConfiguration"] == {"level": "warning"}
    assert sup["fullDescription"]["text"].startswith("Reports a suppression comment that suppresses nothing")
    assert sup["help"]["markdown"].startswith("# SUP001 unused-suppression")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    fixed = next(r for r in run["results"] if r["ruleId"] == "PLT002")
    assert fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"] == {"text": '"linux/arm64"'}
    assert fixed["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "plans/app.cue", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///project/"
    odd = next(r for r in run["results"] if r["ruleId"] == "CUE001")
    assert odd["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "plans/odd%2C%20name%3A%20100%25.cue"


def test_sarif_without_results_is_valid():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render("sarif", RenderInput([])))
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_github_escaping():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    line = [l for l in render("github", sample()).splitlines() if "CUE001" in l][0]
    assert line == "::error file=plans/odd%2C name%3A 100%25.cue,line=1,col=6,endLine=1,endColumn=7,title=CUE001::missing ',' before 'c'"


def test_summary_counts_fixes_by_safety(fake_rules):
    text = render("concise", sample())
    assert text.splitlines()[-1] == "Found 2 errors and 2 warnings and 1 note (2 fixable with --fix, 1 more with --unsafe-fixes)."
    text = render("concise", RenderInput(**{**sample().__dict__, "unsafe_fixes": True, "fixed": 3}))
    assert text.splitlines()[-2:] == ["Fixed 3 problems.", "Found 2 errors and 2 warnings and 1 note (3 fixable with --fix --unsafe-fixes)."]
    assert render("concise", RenderInput(**{**sample().__dict__, "quiet": True})).count("\n") == 5
