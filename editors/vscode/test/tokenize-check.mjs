// Tokenizes CUE files with the grammar and reports every file where highlighting goes
// wrong in a way that needs no expected scopes to see: an `invalid.illegal` token, or a
// rule still open at the end of the file (an unclosed string, struct, list, attribute or
// interpolation). Meant for files that CUE accepts.
//
//   node test/tokenize-check.mjs FILE...        (or a list of files on stdin with -)
// Prints one JSON object: {"checked": N, "problems": [{file, line, column, problem}]}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

const here = fileURLToPath(new URL(".", import.meta.url));
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);

const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === "source.cue"
      ? textmate.parseRawGrammar(
          readFileSync(`${here}../syntaxes/cue.tmLanguage.json`, "utf8"),
          "cue.tmLanguage.json",
        )
      : null,
});
const grammar = await registry.loadGrammar("source.cue");

let files = process.argv.slice(2);
if (files.length === 1 && files[0] === "-") {
  files = readFileSync(0, "utf8").split("\n").filter((f) => f !== "");
}

const problems = [];
for (const file of files) {
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  let stack = textmate.INITIAL;
  let lastScopes = [];
  lines.forEach((line, index) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
    stack = ruleStack;
    lastScopes = tokens.length > 0 ? tokens[tokens.length - 1].scopes : lastScopes;
    for (const token of tokens) {
      const bad = token.scopes.find((scope) => scope.startsWith("invalid."));
      if (bad !== undefined) {
        problems.push({
          file,
          line: index + 1,
          column: token.startIndex + 1,
          problem: `${bad}: ${JSON.stringify(line.slice(token.startIndex, token.endIndex))}`,
        });
      }
    }
  });
  // A file that ends at the top level leaves no rule open above the grammar's own.
  if (stack.parent) {
    problems.push({
      file,
      line: lines.length,
      column: 1,
      problem: `still open at the end of the file: ${lastScopes.slice(1).join(" ")}`,
    });
  }
}
console.log(JSON.stringify({ checked: files.length, problems }, null, 1));
