// Source of syntaxes/cue.tmLanguage.json, the TextMate grammar `source.cue`.
//
//   node syntaxes/cue.tmLanguage.mjs           writes the JSON next to this file
//   node syntaxes/cue.tmLanguage.mjs --check   fails when the JSON is out of date
//
// The grammar is written here rather than as raw JSON so that the identifier and number
// regexes are spelled once. It covers the CUE v0.4 syntax that Dagger v0.1 plans use
// (SPEC.md §3): TextMate matches one line at a time, so every multi-line construct
// (""" strings, raw strings, interpolations, attribute bodies) is a begin/end rule.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// --- building blocks ------------------------------------------------------------------

// CUE: letter = unicode_letter | "_" | "$"; identifier = ["#" | "_#"] letter {letter | digit}.
const L = String.raw`[\p{L}_$]`;
const LD = String.raw`[\p{L}\p{Nd}_$]`;
const NOT_AFTER_IDENT = String.raw`(?<![\p{L}\p{Nd}_$#])`;
const END_IDENT = String.raw`(?![\p{L}\p{Nd}_$])`;
const IDENT = String.raw`(?:_?#)?${L}${LD}*`;
// The four kinds of identifier, most specific first (an identifier is hidden when it starts
// with `_`, a definition when it starts with `#` or `_#`).
const HIDDEN_DEF = String.raw`_#${L}${LD}*`;
const DEF = String.raw`#${L}${LD}*`;
const HIDDEN = String.raw`_${LD}+`;
const REGULAR = String.raw`[\p{L}$]${LD}*`;
// After a label: an optional `?` (or `!`, later CUE) then a single `:`.
const LABEL_END = String.raw`\s*([?!])?\s*(:)(?!:)`;
// `=` as an alias or let binding, never `==` or `=~`.
const ASSIGN = String.raw`=(?![=~])`;

const DIGITS = String.raw`[0-9](?:_?[0-9])*`;
const EXPONENT = String.raw`[eE][+-]?[0-9]+`;
const SI = String.raw`[KMGTP]i?`;

const DAGGER_OPS = [
  "Op",
  "Copy",
  "DockerBuild",
  "DockerLogin",
  "Exec",
  "Export",
  "FetchContainer",
  "FetchGit",
  "FetchHTTP",
  "Load",
  "Local",
  "Mkdir",
  "PushContainer",
  "SaveImage",
  "Subdir",
  "Workdir",
  "WriteFile",
];
const DAGGER_TYPES = ["Artifact", "Input", "Output", "Secret", "Stream"];

// Predeclared types (the derived ones are bounds; each also has a `__name` alias).
const BUILTIN_TYPES = [
  "bool",
  "bytes",
  "float",
  "float32",
  "float64",
  "int",
  "int8",
  "int16",
  "int32",
  "int64",
  "int128",
  "number",
  "rune",
  "string",
  "uint",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uint128",
];
const BUILTIN_FUNCTIONS = ["len", "close", "and", "or", "div", "mod", "quo", "rem"];

const alt = (words) => `(?:${words.join("|")})`;

// Label identifiers keep their kind: a definition label is a type name, a hidden one is
// marked as such.
const labelIdentifierCaptures = (first) => ({
  [first]: { name: "entity.name.type.definition.hidden.cue" },
  [first + 1]: { name: "entity.name.type.definition.cue" },
  [first + 2]: { name: "variable.other.property.hidden.cue" },
  [first + 3]: { name: "variable.other.property.cue" },
});
const LABEL_IDENT_GROUPS = `(?:(${HIDDEN_DEF})|(${DEF})|(${HIDDEN})|(${REGULAR}))`;

// --- strings ----------------------------------------------------------------------------

const UNICODE_ESCAPE = String.raw`u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}`;

function interpolation(opener) {
  return {
    name: "meta.interpolation.cue",
    contentName: "meta.embedded.line.cue",
    begin: `(${opener})`,
    beginCaptures: { 1: { name: "punctuation.section.interpolation.begin.cue" } },
    end: String.raw`(\))`,
    endCaptures: { 1: { name: "punctuation.section.interpolation.end.cue" } },
    patterns: [{ include: "#expression" }],
  };
}

// Escapes of a string whose escape delimiter is `\` followed by `hashes` (CUE: `#"…"#` makes
// `\n` literal text and `\#n` a newline).
function escapes(hashes, quote) {
  const d = String.raw`\\` + "#".repeat(hashes);
  const quoteEscape = quote === '"' ? '"' : "'";
  const bytesOnly = quote === "'" ? String.raw`|x[0-9a-fA-F]{2}|[0-7]{3}` : "";
  const patterns = [
    interpolation(d + String.raw`\(`),
    {
      name: "constant.character.escape.cue",
      match: `${d}(?:[abfnrtv/\\\\${quoteEscape}]|${UNICODE_ESCAPE}${bytesOnly})`,
    },
  ];
  if (hashes === 0) {
    // Without `#`, any other backslash sequence is an error; in a raw string it is text.
    patterns.push({ name: "invalid.illegal.escape.cue", match: String.raw`\\.` });
  } else {
    patterns.push({ name: "invalid.illegal.escape.cue", match: `${d}.` });
  }
  return patterns;
}

function stringRule({ name, open, close, hashes, quote, singleLine }) {
  return {
    name,
    begin: open,
    beginCaptures: { 0: { name: "punctuation.definition.string.begin.cue" } },
    // A one-line string ends at the end of the line even when it is not closed, so one
    // missing quote does not turn the rest of the file into a string.
    end: singleLine ? `(${close})|$` : close,
    endCaptures: singleLine
      ? { 1: { name: "punctuation.definition.string.end.cue" } }
      : { 0: { name: "punctuation.definition.string.end.cue" } },
    patterns: escapes(hashes, quote),
  };
}

// --- the grammar ------------------------------------------------------------------------

const grammar = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  name: "CUE",
  scopeName: "source.cue",
  fileTypes: ["cue"],
  patterns: [{ include: "#preamble" }, { include: "#declarations" }],
  repository: {
    preamble: {
      patterns: [
        {
          // `package name` — only a keyword when a name follows (`package:` is a label
          // and `{package, bash: true}` a reference in real plans).
          match: `${NOT_AFTER_IDENT}(package)\\s+(${IDENT})`,
          captures: {
            1: { name: "keyword.other.package.cue" },
            2: { name: "entity.name.namespace.cue" },
          },
        },
        {
          name: "meta.import.cue",
          begin: `${NOT_AFTER_IDENT}(import)\\s*(\\()`,
          beginCaptures: {
            1: { name: "keyword.other.import.cue" },
            2: { name: "punctuation.section.parens.begin.cue" },
          },
          end: String.raw`\)`,
          endCaptures: { 0: { name: "punctuation.section.parens.end.cue" } },
          patterns: [{ include: "#comment" }, { include: "#import-spec" }],
        },
        {
          name: "meta.import.cue",
          begin: `${NOT_AFTER_IDENT}(import)(?=\\s+(?:${IDENT}\\s+)?")`,
          beginCaptures: { 1: { name: "keyword.other.import.cue" } },
          end: String.raw`(?<=")|$`,
          patterns: [{ include: "#import-spec" }],
        },
      ],
    },
    "import-spec": {
      patterns: [
        {
          match: `(${IDENT})(?=\\s+")`,
          name: "entity.name.namespace.alias.cue",
        },
        {
          name: "string.quoted.double.import.cue",
          begin: '"',
          beginCaptures: { 0: { name: "punctuation.definition.string.begin.cue" } },
          end: '(")|$',
          endCaptures: { 1: { name: "punctuation.definition.string.end.cue" } },
          patterns: [
            { name: "constant.character.escape.cue", match: String.raw`\\.` },
            {
              // "path:pkg" names the package explicitly.
              match: `(:)(${IDENT})(?=")`,
              captures: {
                1: { name: "punctuation.separator.package.cue" },
                2: { name: "entity.name.namespace.cue" },
              },
            },
          ],
        },
      ],
    },
    declarations: {
      patterns: [
        { include: "#comment" },
        { include: "#attribute" },
        { include: "#label" },
        { include: "#comprehension-clause" },
        { include: "#expression" },
      ],
    },
    comment: {
      patterns: [
        {
          match: String.raw`(//).*$\n?`,
          name: "comment.line.double-slash.cue",
          captures: { 1: { name: "punctuation.definition.comment.cue" } },
        },
      ],
    },
    attribute: {
      patterns: [
        {
          // `@name(...)` on a field, as a declaration in a struct, or before `package`.
          // The body is balanced tokens; strings in it may hold parentheses.
          name: "meta.attribute.cue",
          begin: `(@)(${IDENT})(\\()`,
          beginCaptures: {
            1: { name: "punctuation.definition.attribute.cue" },
            2: { name: "storage.type.attribute.cue" },
            3: { name: "punctuation.definition.attribute.begin.cue" },
          },
          end: String.raw`\)`,
          endCaptures: { 0: { name: "punctuation.definition.attribute.end.cue" } },
          patterns: [{ include: "#attribute-body" }],
        },
      ],
    },
    "attribute-body": {
      patterns: [
        {
          name: "string.quoted.double.cue",
          begin: '"',
          beginCaptures: { 0: { name: "punctuation.definition.string.begin.cue" } },
          end: '(")|$',
          endCaptures: { 1: { name: "punctuation.definition.string.end.cue" } },
          patterns: [
            {
              name: "constant.character.escape.cue",
              match: String.raw`\\(?:[abfnrtv/\\"]|${UNICODE_ESCAPE})`,
            },
          ],
        },
        {
          begin: String.raw`[(\[{]`,
          end: String.raw`[)\]}]`,
          patterns: [{ include: "#attribute-body" }],
        },
        {
          match: String.raw`([^\s=,()\[\]{}"]+)\s*(=)`,
          captures: {
            1: { name: "variable.parameter.attribute.cue" },
            2: { name: "keyword.operator.assignment.cue" },
          },
        },
        { match: ",", name: "punctuation.separator.comma.cue" },
        { match: String.raw`[^\s=,()\[\]{}"]+`, name: "string.unquoted.attribute.cue" },
      ],
    },
    label: {
      patterns: [
        {
          // `X=name:`, `name?:`, `#Def:`, `_hidden:`; also keywords used as labels
          // (`package:`, `if:`, `in:`), which is why this rule comes before keywords.
          match: `${NOT_AFTER_IDENT}(?:(${IDENT})\\s*(${ASSIGN})\\s*)?${LABEL_IDENT_GROUPS}${LABEL_END}`,
          captures: {
            1: { name: "variable.other.alias.cue" },
            2: { name: "keyword.operator.assignment.cue" },
            ...labelIdentifierCaptures(3),
            7: { name: "keyword.operator.optional.cue" },
            8: { name: "punctuation.separator.key-value.cue" },
          },
        },
        {
          // A quoted label: a simple string followed by `:`. The look-ahead skips
          // `\(…)` without nested quotes, which covers the interpolated labels of real plans.
          name: "meta.label.quoted.cue",
          begin: String.raw`(?:(${IDENT})\s*(${ASSIGN})\s*)?(")(?=(?:[^"\\]|\\.)*"${LABEL_END})`,
          beginCaptures: {
            1: { name: "variable.other.alias.cue" },
            2: { name: "keyword.operator.assignment.cue" },
            3: {
              name: "string.quoted.double.cue variable.other.property.cue punctuation.definition.string.begin.cue",
            },
          },
          end: `(")${LABEL_END}`,
          endCaptures: {
            1: {
              name: "string.quoted.double.cue variable.other.property.cue punctuation.definition.string.end.cue",
            },
            2: { name: "keyword.operator.optional.cue" },
            3: { name: "punctuation.separator.key-value.cue" },
          },
          contentName: "string.quoted.double.cue variable.other.property.cue",
          patterns: escapes(0, '"'),
        },
        {
          // A pattern constraint `[string]:` or `[name=string]:`.
          name: "meta.pattern-constraint.cue",
          begin: String.raw`(?:(${IDENT})\s*(${ASSIGN})\s*)?(\[)(?=[^\[\]]*\]${LABEL_END})`,
          beginCaptures: {
            1: { name: "variable.other.alias.cue" },
            2: { name: "keyword.operator.assignment.cue" },
            3: { name: "punctuation.definition.pattern.begin.cue" },
          },
          end: String.raw`(\])${LABEL_END}`,
          endCaptures: {
            1: { name: "punctuation.definition.pattern.end.cue" },
            2: { name: "keyword.operator.optional.cue" },
            3: { name: "punctuation.separator.key-value.cue" },
          },
          patterns: [
            {
              match: `${NOT_AFTER_IDENT}(${IDENT})\\s*(${ASSIGN})`,
              captures: {
                1: { name: "variable.other.alias.cue" },
                2: { name: "keyword.operator.assignment.cue" },
              },
            },
            { include: "#expression" },
          ],
        },
        {
          // `(expr):` dynamic label (accepted by the v0.4 parser).
          name: "meta.label.dynamic.cue",
          begin: String.raw`\((?=[^()]*\)${LABEL_END})`,
          beginCaptures: { 0: { name: "punctuation.section.parens.begin.cue" } },
          end: String.raw`(\))${LABEL_END}`,
          endCaptures: {
            1: { name: "punctuation.section.parens.end.cue" },
            2: { name: "keyword.operator.optional.cue" },
            3: { name: "punctuation.separator.key-value.cue" },
          },
          patterns: [{ include: "#expression" }],
        },
      ],
    },
    "comprehension-clause": {
      patterns: [
        {
          match: `${NOT_AFTER_IDENT}(for)\\s+(${IDENT})(?:\\s*(,)\\s*(${IDENT}))?\\s+(in)${END_IDENT}`,
          captures: {
            1: { name: "keyword.control.for.cue" },
            2: { name: "variable.parameter.cue" },
            3: { name: "punctuation.separator.comma.cue" },
            4: { name: "variable.parameter.cue" },
            5: { name: "keyword.control.in.cue" },
          },
        },
        {
          match: `${NOT_AFTER_IDENT}(let)\\s+(${IDENT})\\s*(${ASSIGN})`,
          captures: {
            1: { name: "keyword.other.let.cue" },
            2: { name: "variable.other.constant.cue" },
            3: { name: "keyword.operator.assignment.cue" },
          },
        },
        { match: `${NOT_AFTER_IDENT}(if)${END_IDENT}`, name: "keyword.control.conditional.cue" },
        { match: `${NOT_AFTER_IDENT}(for)${END_IDENT}`, name: "keyword.control.for.cue" },
        { match: `${NOT_AFTER_IDENT}(in)${END_IDENT}`, name: "keyword.control.in.cue" },
        { match: `${NOT_AFTER_IDENT}(let)${END_IDENT}`, name: "keyword.other.let.cue" },
      ],
    },
    expression: {
      patterns: [
        { include: "#comment" },
        { include: "#attribute" },
        { include: "#string" },
        { include: "#number" },
        { include: "#constant" },
        { include: "#dagger" },
        { include: "#builtin" },
        { include: "#comprehension-clause" },
        { include: "#selector" },
        { include: "#operator" },
        { include: "#identifier" },
        { include: "#parens" },
        { include: "#struct" },
        { include: "#list" },
        { match: ",", name: "punctuation.separator.comma.cue" },
        { match: ":", name: "punctuation.separator.key-value.cue" },
      ],
    },
    struct: {
      patterns: [
        {
          name: "meta.struct.cue",
          begin: String.raw`\{`,
          beginCaptures: { 0: { name: "punctuation.definition.struct.begin.cue" } },
          end: String.raw`\}`,
          endCaptures: { 0: { name: "punctuation.definition.struct.end.cue" } },
          patterns: [{ include: "#declarations" }],
        },
      ],
    },
    list: {
      patterns: [
        {
          name: "meta.list.cue",
          begin: String.raw`\[`,
          beginCaptures: { 0: { name: "punctuation.definition.list.begin.cue" } },
          end: String.raw`\]`,
          endCaptures: { 0: { name: "punctuation.definition.list.end.cue" } },
          // A list element can be a comprehension whose body is a struct of fields.
          patterns: [{ include: "#comprehension-clause" }, { include: "#expression" }],
        },
      ],
    },
    parens: {
      patterns: [
        {
          name: "meta.parens.cue",
          begin: String.raw`\(`,
          beginCaptures: { 0: { name: "punctuation.section.parens.begin.cue" } },
          end: String.raw`\)`,
          endCaptures: { 0: { name: "punctuation.section.parens.end.cue" } },
          patterns: [{ include: "#expression" }],
        },
      ],
    },
    string: {
      patterns: [
        // Longest opener first: `#"""` before `#"`, `"""` before `"`.
        stringRule({
          name: "string.quoted.triple.raw.cue",
          open: '#"""',
          close: '"""#',
          hashes: 1,
          quote: '"',
        }),
        stringRule({
          name: "string.quoted.double.raw.cue",
          open: '#"',
          close: '"#',
          hashes: 1,
          quote: '"',
          singleLine: true,
        }),
        {
          // `##"…"##` and longer: rare, highlighted as plain text up to the matching close.
          name: "string.quoted.other.raw.cue",
          begin: String.raw`(#{2,})("""|"|''')`,
          beginCaptures: { 0: { name: "punctuation.definition.string.begin.cue" } },
          end: String.raw`\2\1`,
          endCaptures: { 0: { name: "punctuation.definition.string.end.cue" } },
        },
        stringRule({
          name: "string.quoted.triple.cue",
          open: '"""',
          close: '"""',
          hashes: 0,
          quote: '"',
        }),
        stringRule({
          name: "string.quoted.double.cue",
          open: '"',
          close: '"',
          hashes: 0,
          quote: '"',
          singleLine: true,
        }),
        stringRule({
          name: "string.quoted.triple.bytes.cue",
          open: "#'''",
          close: "'''#",
          hashes: 1,
          quote: "'",
        }),
        stringRule({
          name: "string.quoted.single.raw.bytes.cue",
          open: "#'",
          close: "'#",
          hashes: 1,
          quote: "'",
          singleLine: true,
        }),
        stringRule({
          name: "string.quoted.triple.bytes.cue",
          open: "'''",
          close: "'''",
          hashes: 0,
          quote: "'",
        }),
        stringRule({
          name: "string.quoted.single.bytes.cue",
          open: "'",
          close: "'",
          hashes: 0,
          quote: "'",
          singleLine: true,
        }),
      ],
    },
    number: {
      patterns: [
        {
          match: String.raw`${NOT_AFTER_IDENT}0[xX](?:_?[0-9a-fA-F])+${END_IDENT}`,
          name: "constant.numeric.integer.hexadecimal.cue",
        },
        {
          match: String.raw`${NOT_AFTER_IDENT}0o(?:_?[0-7])+${END_IDENT}`,
          name: "constant.numeric.integer.octal.cue",
        },
        {
          match: String.raw`${NOT_AFTER_IDENT}0[bB](?:_?[01])+${END_IDENT}`,
          name: "constant.numeric.integer.binary.cue",
        },
        {
          // SI multipliers: 1K, 1.5G, 10Ki (truncated to an integer).
          match: String.raw`${NOT_AFTER_IDENT}(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})${SI}${END_IDENT}`,
          name: "constant.numeric.integer.multiplier.cue",
        },
        {
          match: String.raw`${NOT_AFTER_IDENT}(?:${DIGITS}\.(?:${DIGITS})?(?:${EXPONENT})?|${DIGITS}${EXPONENT}|(?<![\p{L}\p{Nd}_$)\]}])\.${DIGITS}(?:${EXPONENT})?)${END_IDENT}`,
          name: "constant.numeric.float.cue",
        },
        {
          match: String.raw`${NOT_AFTER_IDENT}${DIGITS}${END_IDENT}`,
          name: "constant.numeric.integer.decimal.cue",
        },
      ],
    },
    constant: {
      patterns: [
        { match: String.raw`_\|_`, name: "constant.language.bottom.cue" },
        { match: `${NOT_AFTER_IDENT}(?:true|false)${END_IDENT}`, name: "constant.language.boolean.cue" },
        { match: `${NOT_AFTER_IDENT}null${END_IDENT}`, name: "constant.language.null.cue" },
        { match: `${NOT_AFTER_IDENT}_(?![\\p{L}\\p{Nd}_$#|])`, name: "constant.language.top.cue" },
      ],
    },
    dagger: {
      patterns: [
        {
          // The ops of alpha.dagger.io/dagger/op (the import name is the last path element).
          match: `${NOT_AFTER_IDENT}(op)(\\.)(#${alt(DAGGER_OPS)})${END_IDENT}`,
          captures: {
            1: { name: "entity.name.namespace.cue" },
            2: { name: "punctuation.accessor.cue" },
            3: { name: "support.class.dagger.op.cue" },
          },
        },
        {
          match: `${NOT_AFTER_IDENT}(dagger)(\\.)(#${alt(DAGGER_TYPES)})${END_IDENT}`,
          captures: {
            1: { name: "entity.name.namespace.cue" },
            2: { name: "punctuation.accessor.cue" },
            3: { name: "support.type.dagger.cue" },
          },
        },
      ],
    },
    builtin: {
      patterns: [
        {
          match: `${NOT_AFTER_IDENT}${alt(BUILTIN_TYPES)}${END_IDENT}(?!\\s*\\.)`,
          name: "support.type.builtin.cue",
        },
        {
          match: `${NOT_AFTER_IDENT}${alt(BUILTIN_FUNCTIONS)}(?=\\s*\\()`,
          name: "support.function.builtin.cue",
        },
      ],
    },
    selector: {
      patterns: [
        { match: String.raw`\.\.\.`, name: "keyword.operator.ellipsis.cue" },
        {
          match: `(\\.)(${IDENT})(?=\\s*\\()`,
          captures: {
            1: { name: "punctuation.accessor.cue" },
            2: { name: "entity.name.function.cue" },
          },
        },
        {
          match: `(\\.)(?:(${HIDDEN_DEF}|${DEF})|(${IDENT}))`,
          captures: {
            1: { name: "punctuation.accessor.cue" },
            2: { name: "entity.name.type.cue" },
            3: { name: "variable.other.member.cue" },
          },
        },
        { match: String.raw`\.(?=")`, name: "punctuation.accessor.cue" },
      ],
    },
    operator: {
      patterns: [
        { match: "=~|!~", name: "keyword.operator.regexp.cue" },
        { match: "==|!=|<=|>=|<|>", name: "keyword.operator.comparison.cue" },
        { match: String.raw`&&|\|\||!`, name: "keyword.operator.logical.cue" },
        { match: "&", name: "keyword.operator.unification.cue" },
        { match: String.raw`\|`, name: "keyword.operator.disjunction.cue" },
        {
          // A binary `*` directly follows an operand; any other `*` marks a default
          // (`*"tcp" | "udp"`, `| *null`).
          match: String.raw`(?<=[\p{L}\p{Nd}_$)\]}"'])\s*(\*)`,
          captures: { 1: { name: "keyword.operator.arithmetic.cue" } },
        },
        { match: String.raw`\*`, name: "keyword.operator.default.cue" },
        { match: String.raw`[+\-/]`, name: "keyword.operator.arithmetic.cue" },
        { match: ASSIGN, name: "keyword.operator.assignment.cue" },
        { match: String.raw`\?`, name: "keyword.operator.optional.cue" },
      ],
    },
    identifier: {
      patterns: [
        {
          match: `${NOT_AFTER_IDENT}(${IDENT})(?=\\s*\\()`,
          name: "entity.name.function.cue",
        },
        {
          // `pkg.X`: the part before the dot, when it is a plain name, is a package or a
          // struct; either way it is not a type.
          match: `${NOT_AFTER_IDENT}(?:(${HIDDEN_DEF})|(${DEF})|(${HIDDEN})|(${REGULAR}))`,
          captures: {
            1: { name: "entity.name.type.hidden.cue" },
            2: { name: "entity.name.type.cue" },
            3: { name: "variable.other.hidden.cue" },
            4: { name: "variable.other.cue" },
          },
        },
      ],
    },
  },
};

const here = fileURLToPath(new URL(".", import.meta.url));
const target = `${here}cue.tmLanguage.json`;
const text = JSON.stringify(grammar, null, 2) + "\n";

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // reported below
  }
  if (current !== text) {
    console.error(
      "syntaxes/cue.tmLanguage.json is out of date: run `npm run grammar` and commit it",
    );
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
