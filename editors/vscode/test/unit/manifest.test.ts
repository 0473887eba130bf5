// The extension manifest, the language configuration and the code agree with each other.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { DEFAULTS } from "../../src/settings";

// esbuild writes this file to out-test/, one level below the extension folder.
const root = path.resolve(__dirname, "..");
const readJson = (file: string): any => JSON.parse(readFileSync(path.join(root, file), "utf8"));
const manifest = readJson("package.json");

test("the settings' defaults in package.json are the ones the code falls back to", () => {
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(Object.keys(properties).sort(), [
    "plancheck.defaultPlatform",
    "plancheck.server.args",
    "plancheck.server.path",
    "plancheck.trace.server",
  ]);
  assert.equal(properties["plancheck.server.path"].default, DEFAULTS.server.path);
  assert.deepEqual(properties["plancheck.server.args"].default, DEFAULTS.server.args);
  assert.equal(properties["plancheck.defaultPlatform"].default, DEFAULTS.defaultPlatform);
  assert.equal(properties["plancheck.trace.server"].default, DEFAULTS.trace.server);
});

test("the default platform pattern accepts platforms and rejects junk", () => {
  const pattern = new RegExp(
    manifest.contributes.configuration.properties["plancheck.defaultPlatform"].pattern,
  );
  for (const good of ["linux/amd64", "linux/arm/v7", "windows/amd64", "arm64", "linux/arm64/v8.2"]) {
    assert.ok(pattern.test(good), good);
  }
  for (const bad of ["", "linux/", "/amd64", "linux amd64", "linux/arm/v7/x"]) {
    assert.ok(!pattern.test(bad), bad);
  }
});

test("the cue language, its grammar and its configuration are contributed", () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, "cue");
  assert.equal(language.aliases[0], "CUE");
  assert.deepEqual(language.extensions, [".cue"]);
  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, "cue");
  assert.equal(grammar.scopeName, "source.cue");
  assert.equal(readJson(grammar.path).scopeName, "source.cue");
  assert.ok(existsSync(path.join(root, language.configuration)));
});

test("every contributed command is a command the extension registers", () => {
  const source = readFileSync(path.join(root, "src/extension.ts"), "utf8");
  for (const { command } of manifest.contributes.commands) {
    assert.ok(source.includes(`registerCommand("${command}"`), command);
  }
  assert.deepEqual(
    manifest.contributes.commands.map((c: { command: string }) => c.command),
    ["plancheck.restartServer"],
  );
});

test("the extension activates on CUE files and packages its entry point", () => {
  assert.ok(manifest.activationEvents.includes("workspaceContains:**/*.cue"));
  assert.equal(manifest.main, "./out/extension.js");
  assert.equal(manifest.license, "Apache-2.0");
  // vscode-languageclient 11 needs VS Code 1.91.
  assert.equal(manifest.engines.vscode, "^1.91.0");
});

test("the language configuration", () => {
  const config = readJson("language-configuration.json");
  assert.equal(config.comments.lineComment, "//");
  assert.equal(config.comments.blockComment, undefined, "CUE has no block comments");
  assert.deepEqual(config.brackets, [
    ["{", "}"],
    ["[", "]"],
    ["(", ")"],
  ]);
  const pairs = config.autoClosingPairs.map((p: { open: string }) => p.open);
  for (const open of ["{", "[", "(", '"', "'"]) {
    assert.ok(pairs.includes(open), open);
  }
  const words = "op.#DockerBuild _#Hidden _x $dagger 1.5".match(new RegExp(config.wordPattern, "g"));
  assert.deepEqual(words, ["op", "#DockerBuild", "_#Hidden", "_x", "$dagger", "1.5"]);

  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const opens of ["#up: [", "app: {", "x: strings.Join(", "a: { // comment"]) {
    assert.ok(increase.test(opens), opens);
  }
  for (const balanced of ["a: {b: 1}", "a: [1, 2]", 'x: "{"', "x: 1"]) {
    assert.ok(!increase.test(balanced), balanced);
  }
  for (const closes of ["}", "\t],", "  )"]) {
    assert.ok(decrease.test(closes), closes);
  }
  assert.ok(!decrease.test("a: }"));
});

test("an untrusted workspace cannot choose the server's command line", () => {
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, "limited");
  assert.deepEqual(trust.restrictedConfigurations.sort(), [
    "plancheck.server.args",
    "plancheck.server.path",
  ]);
});
