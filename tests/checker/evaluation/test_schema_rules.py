"""CUE002–CUE005 and SCH001–SCH004: one failing and one passing plan each, and the scoping traps."""

from __future__ import annotations

HEADER = 'package main\n\nimport "alpha.dagger.io/dagger/op"\n\n'


def test_cue002_undefined_reference_with_suggestion(plans):
    report = plans.check(HEADER + "base: #up: [op.#FetchContainer & {ref: \"alpine\"}]\napp: #up: [op.#Load & {from: bsae}]\n")
    [d] = report.diagnostics
    assert d.code == "CUE002" and 'did you mean "base"' in d.message
    assert (d.span.start.line, d.span.start.column) == (6, 30)
    assert plans.codes(HEADER + "base: #up: [op.#FetchContainer & {ref: \"alpine\"}]\napp: #up: [op.#Load & {from: base}]\n") == []


def test_cue002_unknown_member_of_bundled_and_builtin_packages(plans):
    text = 'package main\n\nimport (\n\t"strings"\n\t"alpha.dagger.io/dagger/op"\n)\n\nx: strings.Jion(["a"], ",")\ny: #up: [op.#DockrBuild & {dockerfile: "FROM scratch"}]\n'
    msgs = [d.message for d in plans.check(text).diagnostics]
    assert any('"Jion" is not defined in package strings; did you mean "Join"?' in m for m in msgs)
    assert any('"#DockrBuild" is not defined in package op' in m and '#DockerBuild' in m for m in msgs)


def test_quoted_labels_do_not_bind(plans):
    # `"env": env` refers to the outer env; an identifier label would be a cycle.
    text = "package main\n\nenv: {A: \"1\"}\nx: {\n\t\"env\": env\n\ty: env.A\n}\n"
    assert plans.codes(text) == []
    report = plans.check("package main\n\nx: {\"s\": 3, d: s}\n")
    assert [d.code for d in report.diagnostics] == ["CUE002"]


def test_package_scope_spans_files_and_imports_are_per_file(plans):
    files = {
        "a.cue": HEADER + "base: #up: [op.#FetchContainer & {ref: image}]\n",
        "b.cue": 'package main\n\nimage: "alpine:3.18"\nz: op.#Exec\n',
    }
    codes = plans.codes(files)
    assert codes == ["CUE002"]  # `op` is not imported in b.cue


def test_names_declared_in_comprehensions_are_not_reported(plans):
    text = "package main\n\nflag: true\nif flag {\n\textra: 1\n}\nuse: extra\n"
    assert plans.codes(text) == []


def test_let_alias_and_for_scopes(plans):
    text = (
        "package main\n\nlet base = \"alpine\"\nX=img: \"\\(base):3.18\"\n"
        "arches: [\"amd64\", \"arm64\"]\nfor a in arches {\n\t\"\\(a)\": X\n}\n"
        "lists: [ for i, a in arches { \"\\(i)-\\(a)\" } ]\n"
    )
    report = plans.check(text)
    assert report.diagnostics == []


def test_cue003_import_not_found_and_module_imports(plans):
    files = {
        "cue.mod/module.cue": 'module: "example.com/app"\n',
        "lib/lib.cue": "package lib\n\n#Name: \"lib\"\n",
        "main.cue": 'package main\n\nimport (\n\t"example.com/app/lib"\n\t"example.com/app/nope"\n)\n\nx: lib.#Name\n',
    }
    report = plans.check(files, only="main.cue")
    assert [d.code for d in report.diagnostics] == ["CUE003"]
    assert 'cannot find package "example.com/app/nope"' in report.diagnostics[0].message


def test_vendored_package_in_cue_mod_pkg(plans):
    files = {
        "cue.mod/module.cue": 'module: "example.com/app"\n',
        "cue.mod/pkg/acme.io/tools/tools.cue": "package tools\n\n#Version: \"2.0\"\n",
        "main.cue": 'package main\n\nimport "acme.io/tools"\n\nx: tools.#Version\n',
    }
    assert plans.codes(files, only="main.cue") == []


def test_cue004_unused_import_with_safe_fix(plans):
    report = plans.check('package main\n\nimport (\n\t"strings"\n\t"alpha.dagger.io/dagger/op"\n)\n\nx: op.#Exec & {args: ["true"]}\n')
    [d] = report.diagnostics
    assert d.code == "CUE004" and d.tags == ("unnecessary",)
    assert d.fix is not None and d.fix.applicability.value == "safe"
    edit = d.fix.edits[0]
    assert (edit.span.start.line, edit.span.end.line, edit.text) == (4, 5, "")


def test_cue005_conflicts(plans):
    report = plans.check('package main\n\nversion: "1.0"\nversion: "1.1"\nport: int\nport: "80"\n')
    msgs = [(d.code, d.span.start.line, d.message) for d in report.diagnostics]
    assert msgs == [
        ("CUE005", 4, 'conflicting values "1.0" and "1.1"'),
        ("CUE005", 6, 'conflicting values int and "80" (mismatched types int and string)'),
    ]
    assert plans.codes('package main\n\nversion: string\nversion: "1.1"\nmode: *"a" | "b"\nmode: "b"\n') == []


def test_cue005_disjunction_without_match(plans):
    report = plans.check('package main\n\nformat: "json" | "yaml"\nformat: "toml"\n')
    assert [d.code for d in report.diagnostics] == ["CUE005"]


def test_sch001_field_not_allowed_with_rename_fix(plans):
    report = plans.check(HEADER + 'app: #up: [op.#FetchContainer & {ref: "alpine:3.18", platfrom: "linux/arm64"}]\n')
    [d] = report.diagnostics
    assert d.code == "SCH001" and 'did you mean "platform"' in d.message
    assert d.fix.applicability.value == "unsafe" and d.fix.edits[0].text == "platform"
    assert plans.codes(HEADER + 'app: #up: [op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/arm64"}]\n') == []


def test_sch001_own_definitions_are_closed_and_ellipsis_opens(plans):
    text = "package main\n\n#Cfg: {name: string}\n#Open: {name: string, ...}\na: #Cfg & {name: \"x\", extra: 1}\nb: #Open & {name: \"x\", extra: 1}\nc: {#Cfg, extra: 1}\n"
    report = plans.check(text)
    assert [(d.code, d.span.start.line) for d in report.diagnostics] == [("SCH001", 5)]


def test_sch002_unset_op_field(plans):
    report = plans.check(HEADER + 'app: #up: [\n\top.#FetchContainer,\n\top.#Exec & {args: ["true"]},\n]\n')
    [d] = report.diagnostics
    assert d.code == "SCH002" and '"ref"' in d.message and d.severity.value == "warning"
    # Inputs are set at run time.
    text = 'package main\n\nimport (\n\t"alpha.dagger.io/dagger"\n\t"alpha.dagger.io/dagger/op"\n)\n\nref: dagger.#Input & {string}\napp: #up: [op.#FetchContainer & {"ref": ref}]\n'
    assert plans.codes(text) == []


def test_sch002_docker_build_needs_context_or_dockerfile(plans):
    report = plans.check(HEADER + 'app: #up: [op.#DockerBuild & {platform: "linux/amd64"}]\n')
    assert [d.code for d in report.diagnostics] == ["SCH002"]
    assert plans.codes(HEADER + 'app: #up: [op.#DockerBuild & {dockerfile: "FROM scratch"}]\n') == []


def test_sch003_wrong_type_instead_of_cue005(plans):
    report = plans.check(HEADER + 'app: #up: [\n\top.#FetchContainer & {ref: "golang"},\n\top.#Exec & {args: "go test"},\n]\n')
    [d] = report.diagnostics
    assert d.code == "SCH003" and 'field "args" of op.#Exec' in d.message
    report = plans.check(HEADER + 'app: #up: [op.#Export & {source: "/v", format: "toml"}]\n')
    assert [d.code for d in report.diagnostics] == ["SCH003"]


def test_sch004_unknown_op(plans):
    report = plans.check('package main\n\nbuild: #up: [\n\t{do: "fetch-container", ref: "alpine"},\n\t{do: "exce", args: ["true"]},\n]\n')
    [d] = report.diagnostics
    assert d.code == "SCH004" and 'did you mean "exec"' in d.message
    assert d.fix.edits[0].text == '"exec"'


def test_definitions_are_checked_where_used(plans):
    text = HEADER + "#Build: {\n\tversion: string\n\t#up: [op.#FetchContainer & {ref: \"golang:\\(version)\"}]\n}\napp: #Build & {version: \"1.21\"}\n"
    report = plans.check(text)
    assert report.diagnostics == []
    [plan] = report.plans.values()
    assert plan.pipelines["app"].ops[0].get("ref") == "golang:1.21"


def test_existence_guards_and_scalar_with_pipeline(plans):
    text = HEADER + (
        "cfg: {port?: int, name: \"x\"}\n"
        "out: {\n\tif cfg.port != _|_ {p: cfg.port}\n\tif cfg.name != _|_ {n: cfg.name}\n}\n"
        "version: {\n\tstring\n\t#up: [\n\t\top.#FetchContainer & {ref: \"alpine\"},\n\t\top.#Export & {source: \"/v\"},\n\t]\n}\n"
    )
    report = plans.check(text)
    assert report.diagnostics == []
    [plan] = report.plans.values()
    assert "version" in plan.pipelines


def test_reference_cycles_do_not_crash(plans):
    assert plans.codes("package main\n\na: b\nb: a\nc: {d: c}\n") == []


def test_query_renders_the_evaluated_value_of_a_field(plans):
    from plancheck.checker.query import field_value

    text = HEADER + 'v: *"1" | string\nx: {a: v, b: [1, 2], c: string}\ne: op.#Exec & {args: ["true"]}\n'
    report = plans.check(text)
    path = str(plans.root / "main.cue")
    offset = text.index("x: {")
    assert field_value(report, path, offset) == '{a: "1", b: [1, 2], c: string}'
    assert field_value(report, path, text.index("e: op")) == '{do: "exec", args: ["true"], dir: "/", mount: {}}'
    assert field_value(report, path, 3) is None


def test_a_pipeline_element_that_is_not_an_op_does_not_break_the_ops_after_it(plans):
    # `op.#FetchC#ontainer` parses as two elements; the first is no op. The op
    # after it keeps its element index (this once crashed the plan builder).
    text = HEADER + 'base: #up: [op.#FetchC#ontainer & {ref: "alpine:3.18"}]\n'
    codes = plans.codes(text)
    assert "CUE001" in codes
