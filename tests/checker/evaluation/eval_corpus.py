"""Concrete plans for the evaluator's differential tests against ``cue export``.

Handwritten cases cover each construct of SPEC §3 the evaluator computes (and
the scoping traps); generated cases vary values through the same shapes. Every
case is a whole package (``package main``) and must export to concrete JSON.
Cases may import the bundled op schema; the test vendors it into
``cue.mod/pkg`` for the reference CUE, which has no bundled packages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

OP = 'import "alpha.dagger.io/dagger/op"\n\n'
DAGGER = 'import "alpha.dagger.io/dagger"\n\n'
BOTH = 'import (\n\t"alpha.dagger.io/dagger"\n\t"alpha.dagger.io/dagger/op"\n)\n\n'


@dataclass(frozen=True)
class EvalCase:
    name: str
    text: str


HANDWRITTEN: dict[str, str] = {
    "scalars": 'a: 1\nb: "x"\nc: true\nd: null\ne: 1.5\nf: -3\n',
    "unify-same": 'a: "x"\na: "x"\nb: string & "y"\nc: int & 3\n',
    "unify-struct": "a: {x: 1}\na: {y: 2}\nb: a & {z: 3}\n",
    "defaults": 'a: *"tcp" | "udp"\nb: *1 | int\nc: "x" | *"y" | "z"\nd: a\n',
    "default-overridden": 'a: *"tcp" | "udp"\na: "udp"\n',
    "disjunction-narrowed": 'a: "x" | "y"\na: "y"\nb: int | string\nb: 3\n',
    "nested-default-grouping": 'a: "a" | ("b" | *"c")\nb: *"a" | ("b" | *"c")\n',
    "bounds": 'a: >=0 & <10\na: 3\nb: =~"^v"\nb: "v1"\nc: !="x"\nc: "y"\n',
    "int-types": "a: uint8 & 200\nb: int32\nb: -5\nc: number & 2\n",
    "arithmetic": "a: 1 + 2 * 3 - 4\nb: 7 - 2\nc: 2 * 3.5\nd: 10 / 4\ne: -a\n",
    "string-concat": 'a: "x" + "y"\nb: a + "-" + a\nc: "ab" * 3\n',
    "list-concat": 'a: [1, 2] + [3]\nb: a + a\nc: ["x"] + []\n',
    "comparisons": 'a: 1 < 2\nb: "a" == "b"\nc: 3 >= 3\nd: "x" != "y"\ne: true && false\nf: true || false\ng: !true\nh: "abc" =~ "^a"\n',
    "interpolation": 'n: 3\nv: "1.2"\na: "app-\\(v)"\nb: "n=\\(n)"\nc: "\\(a)/\\(b)"\nd: "\\(true)"\n',
    "interpolation-nested": 'x: "in"\na: "a\\("b\\(x)c")d"\n',
    "multiline": 'a: """\n\tline one\n\t  two\n\t"""\nb: #"""\n\traw \\(x)\n\t"""#\n',
    "escapes": 'a: "tab\\tnl\\nq\\"u\\u00e9"\nb: #"\\n"#\nc: #"a\\#tb"#\n',
    "let": 'let base = "alpine"\nimg: "\\(base):3.18"\nlet n = 2\nk: n * 2\n',
    "let-in-struct": 'x: {\n\tlet v = "1"\n\tref: "app:\\(v)"\n}\n',
    "label-alias": 'X=in: "value"\nout: X\n',
    "value-alias": 'a: V={x: 1, y: V.x + 1}\n',
    "references": 'a: b.c\nb: c: "deep"\nd: e[1]\ne: [10, 20, 30]\n',
    "quoted-label-trap": 'env: {A: "1"}\nx: {\n\t"env": env\n\ty: env.A\n}\n',
    "quoted-label-field": '"a-b": 1\nc: {"d e": 2}\nf: c."d e"\n',
    "chained": 'a: b: c: 1\na: b: d: 2\n',
    "definitions": '#Cfg: {name: string, port: *80 | int}\nsvc: #Cfg & {name: "api"}\nother: #Cfg & {name: "w", port: 9000}\n',
    "definition-self-ref": '#D: {x: int, y: x + 1}\na: #D & {x: 1}\nb: #D & {x: 10}\n',
    "definition-embedding": '#A: {a: 1}\n#B: {#A, b: 2}\nv: #B\n',
    "hidden": '_h: 1\nv: _h + 1\n_#d: {x: 2}\nw: _#d.x\n',
    "embedding-struct": 'base: {a: 1}\nv: {base, b: 2}\n',
    "embedding-scalar": 'v: {"x"}\nw: {*null | string}\n',
    "pattern": 'm: [string]: {n: string, k: "fixed"}\nm: a: n: "1"\nm: b: n: "2"\n',
    "pattern-alias": 'm: [Name=string]: {name: Name}\nm: x: {}\nm: y: {}\n',
    "pattern-regex": 'm: [=~"^a"]: int\nm: [=~"^b"]: string\nm: a1: 1\nm: b1: "x"\n',
    "comprehension-struct": 'src: {a: 1, b: 2}\nout: {for k, v in src {"\\(k)-x": v * 10}}\n',
    "comprehension-list": 'src: [1, 2, 3]\nout: [for i, v in src {v + i}]\nodd: [for v in src if v != 2 {v}]\n',
    "comprehension-if": 'flag: true\nout: {\n\tif flag {a: 1}\n\tif !flag {b: 2}\n}\n',
    "comprehension-multi": 'xs: [1, 2]\nys: ["a", "b"]\nout: [for x in xs for y in ys {"\\(y)\\(x)"}]\n',
    "comprehension-let": 'xs: [1, 2, 3]\nout: [for x in xs let y = x * x if y > 1 {y}]\n',
    "comprehension-top": 'arches: ["amd64", "arm64"]\nfor a in arches {\n\t"\\(a)": {platform: "linux/\\(a)"}\n}\n',
    "existence": 'cfg: {port?: int, name: "x"}\nout: {\n\tif cfg.port != _|_ {p: 1}\n\tif cfg.name != _|_ {n: cfg.name}\n\tif cfg.nope == _|_ {missing: true}\n}\n',
    "builtins-strings": 'import "strings"\n\na: strings.Join(["a", "b", "c"], ",")\nb: strings.Split("x:y:z", ":")\nc: strings.ToUpper("abc")\nd: strings.HasPrefix("linux/arm64", "linux/")\ne: strings.TrimPrefix("v1.2", "v")\nf: strings.Replace("a.b.c", ".", "/", -1)\n',
    "builtins-len": 'a: len([1, 2, 3])\nb: len("héllo")\nc: len({x: 1, y: 2})\n',
    "builtins-strconv": 'import "strconv"\n\na: strconv.FormatInt(255, 16)\nb: strconv.FormatBool(true)\nc: strconv.Atoi("42")\n',
    "builtins-json": 'import "encoding/json"\n\na: json.Marshal({x: 1, y: ["a", true]})\n',
    "builtins-divmod": 'a: div(7, 2)\nb: mod(7, 2)\nc: quo(-7, 2)\nd: rem(-7, 2)\ne: div(-7, 2)\nf: mod(-7, 2)\n',
    "list-open": 'a: [...int]\na: [1, 2]\nb: [string, ...string]\nb: ["x", "y", "z"]\n',
    "list-typed": 'a: [...{n: int, d: *"x" | string}]\na: [{n: 1}, {n: 2, d: "y"}]\n',
    "numbers": "a: 0o755\nb: 0x1F\nc: 0b101\nd: 1_000\ne: 1e3\nf: .5\n",
    "bytes": "a: 'ab'\n",
    "keyword-labels": '"package": 1\nfor: 2\nif: 3\nin: 4\nnull: 5\nx: in\n',
    "op-exec": OP + 'e: op.#Exec & {args: ["sh", "-c", "echo"]}\n',
    "op-defaults": OP + 'c: op.#Copy & {from: {}, src: "/a"}\nm: op.#Mkdir & {path: "/x"}\nw: op.#WriteFile & {content: "x", dest: "/f"}\n',
    "op-fetch": OP + 'f: op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/arm64"}\n',
    "op-dockerbuild": OP + 'd: op.#DockerBuild & {dockerfile: "FROM scratch", platform: "linux/amd64", buildArg: VERSION: "1"}\n',
    "op-export": OP + 'x: op.#Export & {source: "/v"}\ny: op.#Export & {source: "/j", format: "json"}\n',
    "op-in-list": OP + 'steps: [\n\top.#FetchContainer & {ref: "alpine"},\n\top.#Exec & {args: ["true"], dir: "/src"},\n]\n',
    "op-mount": OP + 'e: op.#Exec & {args: ["ls"], mount: {"/cache": "cache", "/tmp": "tmpfs"}}\n',
    "op-env": OP + 'e: op.#Exec & {args: ["env"], env: {A: "1", B: "2"}, always: true}\n',
    "artifact": DAGGER + 'a: dagger.#Artifact & {x: 1}\n',
    "input-default": DAGGER + 'version: *"1.0" | string @dagger(input)\nregion: dagger.#Input & {*"eu" | string}\n',
    "plan-images-keys": BOTH + (
        'images: [arch=string]: dagger.#Artifact\nfor arch in ["amd64", "arm64"] {\n\timages: "\\(arch)": {\n\t\tname: arch\n'
        '\t\t#up: [op.#DockerBuild & {dockerfile: "FROM scratch", platform: "linux/\\(arch)"}]\n\t}\n}\n'
    ),
    "plan-ref-field": OP + 'base: {ref: "alpine", #up: [op.#FetchContainer & {"ref": ref}]}\ncopy: base.ref\n',
    "definition-ops": OP + '#Build: {\n\tversion: string\n\tstep: op.#FetchContainer & {ref: "golang:\\(version)"}\n}\napp: #Build & {version: "1.21"}\n',
    "scalar-with-pipeline": OP + 'v: {\n\tstring\n\t#up: [op.#Export & {source: "/v"}]\n}\nv: "1.0"\n',
    "cross-file-like": 'a: b\nb: c\nc: "end"\n',
    "struct-order": 'z: 1\na: 2\nm: 3\n',
    "deep-struct": 'a: {b: {c: {d: {e: "deep"}}}}\nf: a.b.c.d.e\n',
    "list-of-structs-ref": 'xs: [{n: 1}, {n: 2}]\nsum: xs[0].n + xs[1].n\n',
    "disjunction-structs": 'a: {kind: "x", v: 1} | {kind: "y", w: 2}\na: kind: "y"\n',
    "default-in-struct-disjunction": 'm: *{a: 1} | {b: 2}\n',
    "optional-fields": 'a: {x?: int, y: 1}\nb: a & {x: 2}\n',
    "close-def-nested": '#A: {s: {t: int}}\nv: #A & {s: t: 3}\n',
}


def _generated(seed: int = 20261128, count: int = 60) -> dict[str, str]:
    rng = random.Random(seed)
    out: dict[str, str] = {}
    arches = ["amd64", "arm64", "s390x", "ppc64le", "riscv64", "386"]
    for i in range(count):
        kind = i % 6
        if kind == 0:
            chosen = rng.sample(arches, rng.randint(1, 4))
            lst = ", ".join(f'"{a}"' for a in chosen)
            out[f"gen-{i:02}-platform-map"] = (
                f"arches: [{lst}]\nimages: {{for a in arches {{\"\\(a)\": {{platform: \"linux/\\(a)\", tag: \"v{rng.randint(1, 9)}-\\(a)\"}}}}}}\n"
            )
        elif kind == 1:
            a, b, c = rng.randint(-50, 50), rng.randint(1, 20), rng.randint(0, 9)
            out[f"gen-{i:02}-arith"] = f"a: {a}\nb: {b}\nc: {c}\nsum: a + b * c\ndiff: a - b\nprod: a * b\nq: div(a, b)\nm: mod(a, b)\nlt: a < b\n"
        elif kind == 2:
            words = [rng.choice(["api", "worker", "web", "db", "cache", "proxy"]) + str(rng.randint(0, 99)) for _ in range(rng.randint(1, 5))]
            lst = ", ".join(f'"{w}"' for w in words)
            out[f"gen-{i:02}-join"] = f'import "strings"\n\nnames: [{lst}]\njoined: strings.Join(names, "{rng.choice([",", ";", " ", "-"])}")\ncount: len(names)\nupper: [for n in names {{strings.ToUpper(n)}}]\n'
        elif kind == 3:
            n = rng.randint(1, 5)
            fields = "\n".join(f'\tf{j}: *"{rng.choice(["a", "b", "c"])}" | string' for j in range(n))
            over = rng.randrange(n)
            out[f"gen-{i:02}-defaults"] = f'#Cfg: {{\n{fields}\n}}\nv: #Cfg & {{f{over}: "set"}}\n'
        elif kind == 4:
            items = [rng.randint(0, 100) for _ in range(rng.randint(0, 6))]
            lst = ", ".join(str(x) for x in items)
            thr = rng.randint(0, 100)
            out[f"gen-{i:02}-filter"] = f"xs: [{lst}]\nbig: [for x in xs if x > {thr} {{x}}]\ndoubled: [for i, x in xs {{x * 2 + i}}]\n"
        else:
            ver = f"{rng.randint(1, 3)}.{rng.randint(0, 20)}"
            ref = rng.choice(["alpine", "golang", "debian", "node"])
            out[f"gen-{i:02}-op"] = OP + (
                f'version: "{ver}"\nstep: op.#FetchContainer & {{ref: "{ref}:\\(version)", platform: "linux/{rng.choice(arches)}"}}\n'
                f'run: op.#Exec & {{args: ["sh", "-c", "echo \\(version)"], dir: "/{rng.choice(["src", "app", "work"])}"}}\n'
            )
    return out


def cases() -> list[EvalCase]:
    all_cases = {**HANDWRITTEN, **_generated()}
    return [EvalCase(name, "package main\n\n" + text) for name, text in all_cases.items()]


# Cases CUE must reject, and the code plancheck must report for them.
CONFLICTS: dict[str, tuple[str, str]] = {
    "two-strings": ('a: "a" & "b"\n', "CUE005"),
    "type-mismatch": ("a: string & 1\n", "CUE005"),
    "two-decls": ('a: "x"\na: "y"\n', "CUE005"),
    "bound": ("a: >=10\na: 3\n", "CUE005"),
    "regex": ('a: =~"^v"\na: "1.0"\n', "CUE005"),
    "disjunction": ('a: "x" | "y"\na: "z"\n', "CUE005"),
    "closed-definition": ("#D: {a: int}\nv: #D & {b: 1}\n", "SCH001"),
    "closed-nested": ("#D: {s: {t: int}}\nv: #D & {s: u: 1}\n", "SCH001"),
    "list-length": ("a: [1, 2]\na: [1, 2, 3]\n", "CUE005"),
    "struct-vs-scalar": ("a: {x: 1}\na: 2\n", "CUE005"),
    "op-field-type": (OP + 'e: op.#Exec & {args: "ls"}\n', "SCH003"),
    "op-closed": (OP + 'e: op.#Exec & {args: ["ls"], dri: "/"}\n', "SCH001"),
    "undefined": ("a: b\n", "CUE002"),
}
