// Runs the bundled extension (out/extension.js, as VS Code loads it) against a fake
// `vscode` module and a fake language server process: activation starts the configured
// command, the server gets the default platform and its workspace/configuration answers,
// the restart command and settings changes replace the process, deactivation stops it.
// Needs `npm run build` first.
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const { test } = require("node:test");

const { createVscode } = require("./fake-vscode");

const bundle = path.resolve(__dirname, "../../out/extension.js");
const fakeServer = path.resolve(__dirname, "fake-server.js");

let currentVscode;
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return currentVscode;
  return originalLoad.call(this, request, ...rest);
};

function loadExtension(settings) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "plancheck-vscode-"));
  const { vscode, state } = createVscode({ workspaceFolder: workspace });
  for (const [key, value] of Object.entries(settings)) state.settings.set(key, value);
  state.settings.set("editor.tabSize", 4);
  currentVscode = vscode;
  delete require.cache[bundle];
  const extension = require(bundle);
  const context = { subscriptions: [] };
  return { extension, context, state, workspace };
}

function events(log) {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

async function waitFor(what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    // An empty list is "not yet".
    if (value && !(Array.isArray(value) && value.length === 0)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Whatever happens in a test, its extension is deactivated and its servers are gone, or
// the test process would never exit.
async function cleanUp(extension, context, logs) {
  await Promise.race([extension.deactivate(), new Promise((r) => setTimeout(r, 5000))]);
  for (const disposable of context.subscriptions) disposable.dispose();
  for (const log of logs) {
    for (const pid of new Set(events(log).map((e) => e.pid))) {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  }
}

const configurationAnswers = (log, id) =>
  events(log)
    .filter((e) => e.event === "response" && e.payload.id === id)
    .map((e) => e.payload.result);

test("activation starts the configured server with the default platform", async () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plancheck-log-")), "server.jsonl");
  const { extension, context, state, workspace } = loadExtension({
    "plancheck.server.path": process.execPath,
    "plancheck.server.args": [fakeServer, log],
    "plancheck.defaultPlatform": "linux/arm64",
  });
  try {
  await extension.activate(context);

  const [initialize] = await waitFor("initialize", () =>
    events(log).filter((e) => e.event === "initialize"),
  );
  // Exactly the configured command line: no `--stdio` appended.
  assert.deepEqual(initialize.payload.argv, [log]);
  assert.deepEqual(initialize.payload.initializationOptions, { defaultPlatform: "linux/arm64" });
  assert.equal(initialize.payload.capabilities.workspace.configuration, true);
  assert.equal(initialize.payload.workspaceFolders[0].uri, `file://${workspace}`);
  assert.equal(initialize.payload.clientInfo.name, "fake-vscode");

  const [answer] = await waitFor("the configuration answer", () =>
    configurationAnswers(log, "config-initialized"),
  );
  assert.deepEqual(answer, [
    {
      server: { path: process.execPath, args: [fakeServer, log] },
      defaultPlatform: "linux/arm64",
      trace: { server: "off" },
    },
    [fakeServer, log],
    "linux/arm64",
    4,
  ]);
  assert.ok(state.commands.has("plancheck.restartServer"));
  assert.deepEqual(state.errors, []);

  await extension.deactivate();
  assert.ok(events(log).some((e) => e.event === "shutdown"));
  await waitFor("the server to end", () => !alive(initialize.pid));
  } finally {
    await cleanUp(extension, context, [log]);
  }
});

test("the restart command and server settings replace the process; other settings notify", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plancheck-log-"));
  const first = path.join(dir, "first.jsonl");
  const second = path.join(dir, "second.jsonl");
  const { extension, context, state } = loadExtension({
    "plancheck.server.path": process.execPath,
    "plancheck.server.args": [fakeServer, first],
  });
  try {
  await extension.activate(context);
  await waitFor("first initialize", () => events(first).some((e) => e.event === "initialize"));
  const pidsOf = (log) => [...new Set(events(log).filter((e) => e.event === "initialize").map((e) => e.pid))];

  // The command: the old process is shut down, a new one starts with the same settings.
  await state.commands.get("plancheck.restartServer")();
  await waitFor("a second process", () => pidsOf(first).length === 2);
  const [oldPid, newPid] = pidsOf(first);
  const byOld = events(first).filter((e) => e.pid === oldPid).map((e) => e.event);
  assert.ok(byOld.includes("shutdown"), byOld.join());
  assert.notEqual(oldPid, newPid);
  await waitFor("the old process to end", () => !alive(oldPid));

  // A server setting: the new process runs the new command line.
  state.settings.set("plancheck.server.args", [fakeServer, second]);
  state.settings.set("plancheck.defaultPlatform", "linux/s390x");
  state.changeConfiguration(["plancheck.server.args", "plancheck.defaultPlatform"]);
  const [initialize] = await waitFor("the restarted server", () =>
    events(second).filter((e) => e.event === "initialize"),
  );
  assert.deepEqual(initialize.payload.initializationOptions, { defaultPlatform: "linux/s390x" });
  assert.ok(events(first).some((e) => e.pid === newPid && e.event === "shutdown"));
  await waitFor("the process on the old arguments to end", () => !alive(newPid));

  // Another plancheck setting: no restart, a didChangeConfiguration, then a fresh answer.
  state.settings.set("plancheck.trace.server", "messages");
  state.changeConfiguration(["plancheck.trace.server"]);
  const answers = await waitFor("the answer after didChangeConfiguration", () =>
    configurationAnswers(second, "config-workspace/didChangeConfiguration"),
  );
  assert.deepEqual(answers[0][0].trace, { server: "messages" });
  assert.equal(pidsOf(second).length, 1);

  // Unrelated settings neither restart nor notify the server. (The language client itself
  // re-sends `$/setTrace` on every configuration change.)
  const ours = () => events(second).filter((e) => e.event !== "$/setTrace");
  const before = ours().length;
  state.changeConfiguration(["editor.fontSize"]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(ours().slice(before), []);
  assert.equal(pidsOf(second).length, 1);

  await extension.deactivate();
  assert.ok(events(second).some((e) => e.event === "shutdown"));
  } finally {
    await cleanUp(extension, context, [first, second]);
  }
});

for (const [what, serverPath] of [
  ["a missing path", path.join(os.tmpdir(), "no-such-dir", "plancheck-lsp")],
  ["a name not on PATH", "plancheck-lsp-not-installed-anywhere"],
]) {
  test(`a server that is not installed (${what}) is reported once, not thrown`, async () => {
    const { extension, context, state } = loadExtension({ "plancheck.server.path": serverPath });
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plancheck-log-")), "server.jsonl");
    try {
    await extension.activate(context);
    await waitFor("the error message", () => state.errors.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(state.errors.length, 1, JSON.stringify(state.errors));
    assert.match(state.errors[0].message, /cannot find the language server/);
    assert.ok(state.errors[0].message.includes(serverPath));
    assert.deepEqual(state.errors[0].items, ["Open Settings"]);
    assert.ok(state.logLines.some((line) => line.includes(serverPath)));
    // Fixing the setting starts the server.
    state.settings.set("plancheck.server.path", process.execPath);
    state.settings.set("plancheck.server.args", [fakeServer, log]);
    state.changeConfiguration(["plancheck.server.path", "plancheck.server.args"]);
    await waitFor("initialize", () => events(log).filter((e) => e.event === "initialize"));
    } finally {
      await cleanUp(extension, context, [log]);
    }
  });
}
