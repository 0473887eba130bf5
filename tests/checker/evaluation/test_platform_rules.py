"""PLT001–PLT008: plans that must be flagged (through references, interpolation and
comprehensions) and plans that must not be."""

from __future__ import annotations

from plancheck.grammar import parse

HEADER = 'package main\n\nimport (\n\t"alpha.dagger.io/dagger"\n\t"alpha.dagger.io/dagger/op"\n)\n\n'
OP_ONLY = 'package main\n\nimport "alpha.dagger.io/dagger/op"\n\n'


def diags(plans, text, **kw):
    return [(d.code, d.span.start.line, d.span.start.column, d.span.end.column) for d in plans.check(text, **kw).diagnostics]


def only(plans, text, code, **kw):
    report = plans.check(text, **kw)
    assert [d.code for d in report.diagnostics] == [code], [(d.code, d.message) for d in report.diagnostics]
    return report.diagnostics[0]


# -- PLT001 ---------------------------------------------------------------------------


def test_plt001_literal_points_at_the_bad_part(plans):
    d = only(plans, OP_ONLY + 'app: #up: [op.#FetchContainer & {ref: "alpine", platform: "linux/arm65"}]\n', "PLT001")
    assert (d.span.start.line, d.span.start.column, d.span.end.column) == (5, 66, 71)  # arm65
    assert 'unknown architecture "arm65"' in d.message and 'did you mean "linux/arm64"' in d.message
    assert d.fix is not None and d.fix.applicability.value == "unsafe" and d.fix.edits[0].text == '"linux/arm64"'


def test_plt001_through_comprehension_points_at_the_list_element(plans):
    text = HEADER + (
        "images: [arch=string]: dagger.#Artifact\n"
        'for arch in ["amd64", "arm65"] {\n'
        '\timages: "\\(arch)": #up: [\n'
        '\t\top.#DockerBuild & {context: src, platform: "linux/\\(arch)"},\n'
        "\t]\n}\nsrc: dagger.#Artifact\n"
        'release: #up: [op.#PushContainer & {ref: "r.example.com/app:1", "images": images}]\n'
    )
    d = only(plans, text, "PLT001")
    assert (d.span.start.line, d.span.start.column, d.span.end.column) == (9, 24, 29)


def test_plt001_through_a_reference_and_other_invalid_forms(plans):
    text = OP_ONLY + 'target: "linux/*"\napp: #up: [op.#DockerBuild & {dockerfile: "FROM x", platform: target}]\n'
    d = only(plans, text, "PLT001")
    assert d.span.start.line == 5 and "wildcard" in d.message.lower() or "*" in d.message
    for bad in ("lnux/amd64", "linux/arm/v9", "linux//amd64", "linux/amd64/v2/x", "linux/ amd64"):
        text = OP_ONLY + f'app: #up: [op.#FetchContainer & {{ref: "a", platform: "{bad}"}}]\n'
        assert [d.code for d in plans.check(text).diagnostics] == ["PLT001"], bad


def test_platform_in_unrelated_struct_is_not_checked(plans):
    text = 'package main\n\ndeploy: {\n\tplatform: *"managed" | string\n\tregion: "eu"\n}\nother: {platform: "linux/arm65"}\n'
    assert plans.codes(text) == []


# -- PLT002 ---------------------------------------------------------------------------


def test_plt002_noncanonical_with_safe_fix(plans):
    for written, canonical in [("linux/aarch64", "linux/arm64"), ("Linux/AMD64", "linux/amd64"), ("linux/arm64/v8", "linux/arm64"), ("linux/arm", "linux/arm/v7")]:
        d = only(plans, OP_ONLY + f'app: #up: [op.#FetchContainer & {{ref: "a", platform: "{written}"}}]\n', "PLT002")
        assert d.severity.value == "warning"
        assert d.fix.applicability.value == "safe" and d.fix.edits[0].text == f'"{canonical}"'


def test_plt002_canonical_and_bare_architecture_are_fine(plans):
    for ok in ("linux/arm64", "linux/arm/v7", "linux/amd64/v3", "arm64", "windows/amd64"):
        assert plans.codes(OP_ONLY + f'app: #up: [op.#FetchContainer & {{ref: "a", platform: "{ok}"}}]\n') == [], ok


# -- PLT003 ---------------------------------------------------------------------------


def test_plt003_single_entry_warning_and_safe_fix(plans):
    d = only(plans, OP_ONLY + 'app: #up: [op.#DockerBuild & {dockerfile: "FROM x", platforms: ["linux/arm64"]}]\n', "PLT003")
    assert d.severity.value == "warning"
    assert d.fix.applicability.value == "safe" and d.fix.edits[0].text == 'platform: "linux/arm64"'


def test_plt003_several_entries_error_and_split_fix_parses(plans):
    text = OP_ONLY + (
        "app: #up: [\n\top.#DockerBuild & {\n\t\tdockerfile: \"FROM x\"\n\t\tplatforms: [\"linux/amd64\", \"linux/arm64\"]\n\t},\n"
        "\top.#PushContainer & {ref: \"r.example.com/app:1\"},\n]\n"
    )
    d = only(plans, text, "PLT003")
    assert d.severity.value == "error" and d.fix.applicability.value == "unsafe"
    edit = d.fix.edits[0]
    fixed = text[: edit.span.start.offset] + edit.text + text[edit.span.end.offset :]
    assert parse(fixed).ok
    assert '"linux/amd64": #up: [' in fixed and "appPush: #up: [" in fixed and "images: app" in fixed
    # The split plan is clean.
    assert plans.codes(fixed) == []


# -- PLT004 ---------------------------------------------------------------------------


def test_plt004_platform_on_fetches_with_safe_fix(plans):
    text = OP_ONLY + 'src: #up: [op.#FetchGit & {remote: "https://x", ref: "main", platform: "linux/arm64"}]\n'
    d = only(plans, text, "PLT004")
    edit = d.fix.edits[0]
    fixed = text[: edit.span.start.offset] + edit.text + text[edit.span.end.offset :]
    assert 'ref: "main"}' in fixed and plans.codes(fixed) == []
    text = OP_ONLY + 'f: #up: [\n\top.#FetchHTTP & {\n\t\turl: "https://x/a.tgz"\n\t\tarch: "amd64"\n\t},\n]\n'
    d = only(plans, text, "PLT004")
    edit = d.fix.edits[0]
    fixed = text[: edit.span.start.offset] + edit.text + text[edit.span.end.offset :]
    assert "arch" not in fixed and plans.codes(fixed) == []


# -- PLT005 ---------------------------------------------------------------------------


def test_plt005_two_platforms_in_one_pipeline(plans):
    text = OP_ONLY + (
        "app: #up: [\n\top.#FetchContainer & {ref: \"alpine\", platform: \"linux/arm64\"},\n"
        "\top.#DockerBuild & {dockerfile: \"FROM x\", platform: \"linux/amd64\"},\n]\n"
    )
    d = only(plans, text, "PLT005")
    assert d.span.start.line == 7 and d.related


def test_plt005_load_of_another_platform(plans):
    text = OP_ONLY + (
        "base: #up: [op.#FetchContainer & {ref: \"alpine\", platform: \"linux/arm64\"}]\n"
        "app: #up: [\n\top.#FetchContainer & {ref: \"debian\", platform: \"linux/amd64\"},\n\top.#Load & {from: base},\n]\n"
    )
    assert plans.codes(text) == ["PLT005"]


def test_plt005_copy_from_another_platform_is_cross_building(plans):
    text = OP_ONLY + (
        "tools: #up: [op.#FetchContainer & {ref: \"golang\", platform: \"linux/amd64\"}]\n"
        "app: #up: [\n\top.#FetchContainer & {ref: \"alpine\", platform: \"linux/arm64\"},\n"
        "\top.#Copy & {from: tools, src: \"/go/bin/app\", dest: \"/app\"},\n]\n"
    )
    assert plans.codes(text) == []


def test_plt005_same_platform_spelled_differently_is_fine(plans):
    text = OP_ONLY + (
        "app: #up: [\n\top.#FetchContainer & {ref: \"alpine\", platform: \"linux/arm64\"},\n"
        "\top.#DockerBuild & {dockerfile: \"FROM x\", platform: \"arm64\"},\n]\n"
    )
    assert plans.codes(text) == []


# -- PLT006 ---------------------------------------------------------------------------


def test_plt006_images_list(plans):
    text = OP_ONLY + (
        "a: #up: [op.#DockerBuild & {dockerfile: \"FROM x\", platform: \"linux/amd64\"}]\n"
        "r: #up: [op.#PushContainer & {ref: \"r.example.com/a:1\", images: [a]}]\n"
    )
    assert plans.codes(text) == ["PLT006"]


# -- PLT007 and PLT008 ----------------------------------------------------------------


def test_plt007_key_against_default_platform(plans):
    text = OP_ONLY + (
        "arm: #up: [op.#DockerBuild & {dockerfile: \"FROM x\"}]\n"
        "r: #up: [op.#PushContainer & {ref: \"r.example.com/a:1\", images: \"linux/arm64\": arm}]\n"
    )
    d = only(plans, text, "PLT007")
    assert "default platform linux/amd64" in d.message


def test_plt007_default_platform_from_values_yaml(plans):
    files = {
        ".dagger/env/prod/values.yaml": "plan:\n  package: ./\nname: prod\nplatform: linux/arm64\n",
        "main.cue": OP_ONLY + (
            "arm: #up: [op.#DockerBuild & {dockerfile: \"FROM x\"}]\n"
            "r: #up: [op.#PushContainer & {ref: \"r.example.com/a:1\", images: \"linux/arm64\": arm}]\n"
        ),
    }
    assert plans.codes(files) == []
    [plan] = plans.check(files).plans.values()
    assert plan.default_platform == "linux/arm64" and plan.pipelines["arm"].platform == "linux/arm64"


def test_plt007_default_platform_option(plans):
    from plancheck.checker.check import CheckOptions

    text = OP_ONLY + (
        "arm: #up: [op.#DockerBuild & {dockerfile: \"FROM x\"}]\n"
        "r: #up: [op.#PushContainer & {ref: \"r.example.com/a:1\", images: \"linux/arm64\": arm}]\n"
    )
    assert plans.codes(text, options=CheckOptions(default_platform="linux/arm64")) == []


def test_plt008_duplicate_entries(plans):
    text = OP_ONLY + (
        "a: #up: [op.#DockerBuild & {dockerfile: \"FROM x\", platform: \"linux/arm/v7\"}]\n"
        "b: #up: [op.#DockerBuild & {dockerfile: \"FROM y\", platform: \"linux/arm/v7\"}]\n"
        "r: #up: [op.#PushContainer & {ref: \"r.example.com/a:1\", images: {\"linux/arm/v7\": a, \"linux/arm\": b}}]\n"
    )
    codes = plans.codes(text)
    assert "PLT008" in codes and codes.count("PLT008") == 1


def test_spec_section_1_example_is_clean(plans):
    text = HEADER + (
        "images: [arch=string]: dagger.#Artifact\n"
        'for arch in ["amd64", "arm64"] {\n'
        '\timages: "\\(arch)": #up: [\n'
        '\t\top.#DockerBuild & {context: src, platform: "linux/\\(arch)"},\n'
        "\t]\n}\nsrc: dagger.#Artifact\n"
        'release: #up: [\n\top.#PushContainer & {ref: "registry.example.com/app:1.0", "images": images},\n]\n'
    )
    report = plans.check(text)
    assert report.diagnostics == []
    [plan] = report.plans.values()
    assert plan.pipelines["images.arm64"].platform == "linux/arm64"
    assert set(plan.pipelines["release"].depends_on) == {"images.amd64", "images.arm64"}
