// A stand-in for the `vscode` module, enough for the extension and vscode-languageclient to
// start a server, answer its requests and stop it under plain Node. The parts the test
// drives (settings, configuration events, commands, messages) are real; any other member
// is an inert stub that can be called, constructed, awaited and disposed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// The names the real module exports, so that a bundler's namespace import (which copies
// the module's own keys) sees every one of them.
const API_NAMES = [
  ...new Set(
    [
      ...fs
        .readFileSync(require.resolve("@types/vscode/index.d.ts"), "utf8")
        .matchAll(/^\s*export (?:class|enum|namespace|function|const|let|var) ([A-Za-z_]\w*)/gm),
    ].map((match) => match[1]),
  ),
];

function inert() {
  const target = function () {};
  const stub = new Proxy(target, {
    get(_target, property) {
      if (property === "then") return undefined; // not a thenable: `await stub` is stub
      if (property === Symbol.toPrimitive) return () => "";
      if (property === Symbol.iterator) return function* () {};
      if (property === "prototype") return target.prototype;
      return stub;
    },
    apply: () => stub,
    construct: () => stub,
  });
  return stub;
}

class Disposable {
  constructor(callOnDispose) {
    this._callOnDispose = callOnDispose;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((item) => item && item.dispose && item.dispose()));
  }
  dispose() {
    if (this._callOnDispose) this._callOnDispose();
    this._callOnDispose = undefined;
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(bound);
      return new Disposable(() => this._listeners.delete(bound));
    };
  }
  fire(value) {
    for (const listener of [...this._listeners]) listener(value);
  }
  dispose() {
    this._listeners.clear();
  }
}

class Uri {
  constructor(scheme, authority, p, query, fragment) {
    this.scheme = scheme;
    this.authority = authority;
    this.path = p;
    this.query = query;
    this.fragment = fragment;
  }
  static file(fsPath) {
    return new Uri("file", "", path.resolve(fsPath), "", "");
  }
  static parse(value) {
    const url = new URL(value);
    return new Uri(url.protocol.replace(/:$/, ""), url.host, decodeURIComponent(url.pathname), url.search.replace(/^\?/, ""), url.hash.replace(/^#/, ""));
  }
  get fsPath() {
    return this.path;
  }
  with(change) {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString() {
    return `${this.scheme}://${this.authority}${encodeURI(this.path)}`;
  }
  toJSON() {
    return this.toString();
  }
}

function createLogChannel(name, lines) {
  const log = (level) => (message, ...args) =>
    lines.push(`[${level}] ${message}${args.length ? " " + args.map(String).join(" ") : ""}`);
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter().event,
    trace: log("trace"),
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    append: (text) => lines.push(text),
    appendLine: (text) => lines.push(text),
    replace: () => {},
    clear: () => {},
    show: () => {},
    hide: () => {},
    dispose: () => {},
  };
}

/**
 * Creates a fresh API. `state.settings` maps full keys (`plancheck.server.path`) to values;
 * `state.changeConfiguration(keys)` fires onDidChangeConfiguration for them.
 */
function createVscode({ workspaceFolder }) {
  const state = {
    settings: new Map(),
    commands: new Map(),
    errors: [],
    logLines: [],
    configurationListeners: new EventEmitter(),
  };
  state.changeConfiguration = (keys) =>
    state.configurationListeners.fire({
      affectsConfiguration: (section) =>
        keys.some((key) => key === section || key.startsWith(section + ".")),
    });

  const getConfiguration = (section) => {
    const prefix = section ? section + "." : "";
    const lookup = (key) => {
      const full = prefix + key;
      if (state.settings.has(full)) return state.settings.get(full);
      // A section: collect its keys into an object.
      const nested = {};
      let found = false;
      for (const [name, value] of state.settings) {
        if (!name.startsWith(full + ".")) continue;
        found = true;
        let cursor = nested;
        const parts = name.slice(full.length + 1).split(".");
        for (const part of parts.slice(0, -1)) cursor = cursor[part] ??= {};
        cursor[parts[parts.length - 1]] = value;
      }
      return found ? nested : undefined;
    };
    return {
      get: (key, fallback) => lookup(key) ?? fallback,
      has: (key) => lookup(key) !== undefined,
      inspect: () => undefined,
      update: async () => {},
    };
  };

  const folderUri = Uri.file(workspaceFolder);
  const api = {
    version: "1.91.0",
    Uri,
    Disposable,
    EventEmitter,
    env: {
      appName: "fake-vscode",
      appRoot: workspaceFolder,
      language: "en",
      machineId: "test",
      sessionId: "test",
      uriScheme: "vscode",
      uiKind: 1,
    },
    l10n: {
      t: (message, ...args) =>
        typeof message === "string"
          ? message.replace(/\{(\d+)\}/g, (_, index) => String(args[Number(index)]))
          : message.message,
    },
    workspace: {
      workspaceFolders: [{ uri: folderUri, name: path.basename(workspaceFolder), index: 0 }],
      textDocuments: [],
      notebookDocuments: [],
      getConfiguration,
      getWorkspaceFolder: () => undefined,
      onDidChangeConfiguration: state.configurationListeners.event,
      createFileSystemWatcher: () => ({
        onDidCreate: new EventEmitter().event,
        onDidChange: new EventEmitter().event,
        onDidDelete: new EventEmitter().event,
        dispose: () => {},
      }),
      onDidOpenTextDocument: new EventEmitter().event,
      onDidCloseTextDocument: new EventEmitter().event,
      onDidChangeTextDocument: new EventEmitter().event,
      onDidSaveTextDocument: new EventEmitter().event,
      onWillSaveTextDocument: new EventEmitter().event,
      onDidChangeWorkspaceFolders: new EventEmitter().event,
    },
    window: {
      createOutputChannel: (name) => createLogChannel(name, state.logLines),
      showErrorMessage: async (message, ...items) => {
        state.errors.push({ message, items });
        return undefined;
      },
      showWarningMessage: async () => undefined,
      showInformationMessage: async () => undefined,
      visibleTextEditors: [],
      activeTextEditor: undefined,
      onDidChangeVisibleTextEditors: new EventEmitter().event,
      onDidChangeActiveTextEditor: new EventEmitter().event,
      tabGroups: { all: [], onDidChangeTabs: new EventEmitter().event },
    },
    commands: {
      registerCommand: (id, callback) => {
        state.commands.set(id, callback);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id, ...args) => state.commands.get(id)?.(...args),
    },
  };
  // Everything else (languages, enums, item classes, …) is inert.
  const stubs = new Map();
  const member = (target, property) => {
    if (property in target) return target[property];
    if (!stubs.has(property)) stubs.set(property, inert());
    return stubs.get(property);
  };
  const vscode = new Proxy(api, {
    get(target, property) {
      if (property === "then" || property === "__esModule" || typeof property === "symbol") {
        return target[property];
      }
      return member(target, property);
    },
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...API_NAMES])],
    getOwnPropertyDescriptor: (target, property) =>
      Reflect.getOwnPropertyDescriptor(target, property) ??
      (API_NAMES.includes(property)
        ? { value: member(target, property), writable: true, enumerable: true, configurable: true }
        : undefined),
  });
  for (const key of ["workspace", "window", "commands"]) {
    api[key] = new Proxy(api[key], {
      get(target, property) {
        if (property in target) return target[property];
        return inert();
      },
    });
  }
  return { vscode, state };
}

module.exports = { createVscode };
