import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DEFAULTS,
  actionForChange,
  configurationFor,
  initializationOptions,
  readSettings,
  resolveExecutable,
  serverCommand,
} from "../../src/settings";

const getterOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

test("readSettings fills in the defaults", () => {
  assert.deepEqual(readSettings(getterOf({})), {
    server: { path: "plancheck-lsp", args: [] },
    defaultPlatform: "linux/amd64",
    trace: { server: "off" },
  });
});

test("readSettings keeps valid values", () => {
  const settings = readSettings(
    getterOf({
      "server.path": "/opt/plancheck/bin/plancheck-lsp",
      "server.args": ["--log-level", "debug"],
      defaultPlatform: "linux/arm64",
      "trace.server": "verbose",
    }),
  );
  assert.deepEqual(settings, {
    server: { path: "/opt/plancheck/bin/plancheck-lsp", args: ["--log-level", "debug"] },
    defaultPlatform: "linux/arm64",
    trace: { server: "verbose" },
  });
});

test("readSettings replaces values of the wrong type by the defaults", () => {
  const settings = readSettings(
    getterOf({
      "server.path": "   ",
      "server.args": ["ok", 3],
      defaultPlatform: 42,
      "trace.server": "loud",
    }),
  );
  assert.deepEqual(settings, readSettings(getterOf({})));
});

test("readSettings copies the argument list", () => {
  const args = ["--a"];
  const settings = readSettings(getterOf({ "server.args": args }));
  args.push("--b");
  assert.deepEqual(settings.server.args, ["--a"]);
});

test("configurationFor answers the plancheck section and its parts", () => {
  const settings = readSettings(getterOf({ defaultPlatform: "linux/arm/v7" }));
  assert.deepEqual(configurationFor("plancheck", settings), {
    server: { path: "plancheck-lsp", args: [] },
    defaultPlatform: "linux/arm/v7",
    trace: { server: "off" },
  });
  assert.equal(configurationFor("plancheck.defaultPlatform", settings), "linux/arm/v7");
  assert.deepEqual(configurationFor("plancheck.server", settings), {
    path: "plancheck-lsp",
    args: [],
  });
  assert.equal(configurationFor("plancheck.server.path", settings), "plancheck-lsp");
  assert.equal(configurationFor("plancheck.nothing", settings), null);
  assert.equal(configurationFor("plancheck.server.path.deeper", settings), null);
});

test("configurationFor leaves other sections to VS Code", () => {
  const settings = readSettings(getterOf({}));
  assert.equal(configurationFor("editor", settings), undefined);
  assert.equal(configurationFor("plancheckx", settings), undefined);
  assert.equal(configurationFor(undefined, settings), undefined);
  assert.equal(configurationFor(null, settings), undefined);
});

test("configurationFor returns a copy the server cannot alias", () => {
  const settings = readSettings(getterOf({ "server.args": ["--x"] }));
  const answer = configurationFor("plancheck.server", settings) as { args: string[] };
  answer.args.push("--y");
  assert.deepEqual(settings.server.args, ["--x"]);
});

test("initializationOptions carries the default platform", () => {
  assert.deepEqual(
    initializationOptions(readSettings(getterOf({ defaultPlatform: "linux/s390x" }))),
    { defaultPlatform: "linux/s390x" },
  );
  assert.deepEqual(initializationOptions(readSettings(getterOf({}))), {
    defaultPlatform: "linux/amd64",
  });
});

test("serverCommand expands ~ and ${workspaceFolder}", () => {
  const settings = readSettings(
    getterOf({
      "server.path": "~/venv/bin/plancheck-lsp",
      "server.args": ["--config", "${workspaceFolder}/.plancheck.toml", "~"],
    }),
  );
  assert.deepEqual(serverCommand(settings, "/work/app", "/home/dev"), {
    command: "/home/dev/venv/bin/plancheck-lsp",
    args: ["--config", "/work/app/.plancheck.toml", "/home/dev"],
  });
});

test("serverCommand leaves names on PATH and unknown folders alone", () => {
  const settings = readSettings(getterOf({ "server.args": ["${workspaceFolder}", "a~b"] }));
  assert.deepEqual(serverCommand(settings, undefined, "/home/dev"), {
    command: "plancheck-lsp",
    args: ["${workspaceFolder}", "a~b"],
  });
});

test("actionForChange restarts for the command line and the default platform", () => {
  const changed =
    (...sections: string[]) =>
    (section: string): boolean =>
      sections.some((s) => s === section || s.startsWith(section + "."));
  assert.equal(actionForChange(changed("plancheck.server.path")), "restart");
  assert.equal(actionForChange(changed("plancheck.server.args")), "restart");
  assert.equal(actionForChange(changed("plancheck.defaultPlatform")), "restart");
  assert.equal(actionForChange(changed("plancheck.trace.server")), "notify");
  assert.equal(actionForChange(changed("editor.fontSize")), "none");
});

test("DEFAULTS cannot be changed by accident", () => {
  assert.throws(() => {
    (DEFAULTS.server as { path: string }).path = "x";
  });
});

test("resolveExecutable searches PATH and checks explicit paths", () => {
  const files = new Set(["/usr/bin/plancheck-lsp", "/venv/bin/plancheck-lsp", "/work/app/tools/lsp"]);
  const isExecutable = (file: string): boolean => files.has(file);
  const env = { PATH: "/nothing:/usr/bin::/venv/bin" };
  assert.equal(
    resolveExecutable("plancheck-lsp", env, "/work/app", "linux", isExecutable),
    "/usr/bin/plancheck-lsp",
  );
  assert.equal(
    resolveExecutable("plancheck-lsp", { PATH: "/venv/bin" }, undefined, "linux", isExecutable),
    "/venv/bin/plancheck-lsp",
  );
  assert.equal(resolveExecutable("other", env, "/work/app", "linux", isExecutable), undefined);
  assert.equal(resolveExecutable("plancheck-lsp", {}, "/work/app", "linux", isExecutable), undefined);
  assert.equal(
    resolveExecutable("/venv/bin/plancheck-lsp", {}, undefined, "linux", isExecutable),
    "/venv/bin/plancheck-lsp",
  );
  assert.equal(resolveExecutable("/missing/plancheck-lsp", env, undefined, "linux", isExecutable), undefined);
  assert.equal(
    resolveExecutable("tools/lsp", env, "/work/app", "linux", isExecutable),
    "/work/app/tools/lsp",
  );
});

test("resolveExecutable tries PATHEXT on Windows", () => {
  const isExecutable = (file: string): boolean => file === "/py/Scripts/plancheck-lsp.EXE";
  assert.equal(
    resolveExecutable("plancheck-lsp", { Path: "/py/Scripts", PATHEXT: ".COM;.EXE" }, undefined, "win32", isExecutable),
    "/py/Scripts/plancheck-lsp.EXE",
  );
  assert.equal(
    resolveExecutable("plancheck-lsp", { Path: "/py/Scripts" }, undefined, "linux", isExecutable),
    undefined,
  );
});

test("resolveExecutable checks the real file system by default", () => {
  assert.equal(resolveExecutable(process.execPath, {}, undefined), process.execPath);
  assert.equal(resolveExecutable(__filename + ".missing", {}, undefined), undefined);
});
