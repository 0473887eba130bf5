// Starts `plancheck-lsp` for CUE files. Everything that can be decided without VS Code
// lives in settings.ts; this file only wires settings, commands and the language client.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import {
  SECTION,
  actionForChange,
  configurationFor,
  initializationOptions,
  readSettings,
  resolveExecutable,
  serverCommand,
  type PlancheckSettings,
} from "./settings";

const CLIENT_ID = "plancheck";
const CLIENT_NAME = "plancheck";

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;
let fileWatchers: vscode.FileSystemWatcher[] = [];
// Starts, stops and notifications run one after the other, so that a command and a
// settings change arriving together never leave two servers running; a step that fails is
// logged and does not block the ones after it.
let lifecycle: Promise<void> = Promise.resolve();

function enqueue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step).catch((error: unknown) => {
    outputChannel?.error(`plancheck: ${error instanceof Error ? error.message : String(error)}`);
  });
  return lifecycle;
}

function currentSettings(scope?: vscode.ConfigurationScope): PlancheckSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return readSettings((key) => config.get(key));
}

function firstWorkspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}

function createClient(settings: PlancheckSettings): LanguageClient {
  const cwd = firstWorkspaceFolder();
  const { command, args } = serverCommand(settings, cwd);
  // No `transport`: the client then talks over the process's stdin/stdout without
  // appending `--stdio`, so the server runs exactly the command line of the settings.
  const serverOptions: ServerOptions = {
    command,
    args,
    options: cwd === undefined ? {} : { cwd },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "cue" },
      { scheme: "untitled", language: "cue" },
    ],
    outputChannel,
    initializationOptions: () => initializationOptions(currentSettings()),
    synchronize: { fileEvents: fileWatchers },
    middleware: {
      workspace: {
        // Answers `plancheck` sections from the validated settings (defaults filled in,
        // wrong types replaced) and leaves every other section to VS Code.
        configuration: async (params, token, next) => {
          const resolved = await next(params, token);
          if (!Array.isArray(resolved)) {
            return resolved;
          }
          return params.items.map((item, index) => {
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            const ours = configurationFor(item.section, currentSettings(scope));
            return ours === undefined ? resolved[index] : ours;
          });
        },
      },
    },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

async function startClient(): Promise<void> {
  const settings = currentSettings();
  const cwd = firstWorkspaceFolder();
  const { command } = serverCommand(settings, cwd);
  if (resolveExecutable(command, process.env, cwd) === undefined) {
    // Said once, here, instead of a spawn error and a broken client.
    reportMissingServer(command);
    return;
  }
  const next = createClient(settings);
  client = next;
  try {
    await next.start();
  } catch (error) {
    // The language client has shown its own message; keep the details in the log.
    const message = error instanceof Error ? error.message : String(error);
    outputChannel?.error(`the language server \`${command}\` failed to start: ${message}`);
  }
}

function reportMissingServer(command: string): void {
  outputChannel?.error(`cannot find the language server \`${command}\``);
  const openSettings = "Open Settings";
  void vscode.window
    .showErrorMessage(
      `plancheck: cannot find the language server \`${command}\`. Install it with ` +
        "`pip install 'plancheck[lsp]'` or set plancheck.server.path.",
      openSettings,
    )
    .then((choice) => {
      if (choice === openSettings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "plancheck.server");
      }
    });
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) {
    return;
  }
  try {
    if (running.isRunning()) {
      await running.stop();
    }
  } catch (error) {
    outputChannel?.warn(`stopping the language server failed: ${String(error)}`);
  }
  await running.dispose();
}

async function notifyConfigurationChange(): Promise<void> {
  if (client?.isRunning()) {
    try {
      await client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    } catch (error) {
      outputChannel?.warn(`workspace/didChangeConfiguration failed: ${String(error)}`);
    }
  }
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stopClient();
    await startClient();
  });
}

export function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("plancheck", { log: true });
  // The server reads other files of the package, its configuration files and the module
  // layout from disk, so it hears about their changes.
  fileWatchers = [
    "**/*.cue",
    "**/{.plancheck.toml,pyproject.toml}",
    "**/.dagger/env/*/values.yaml",
  ].map((pattern) => vscode.workspace.createFileSystemWatcher(pattern));
  context.subscriptions.push(
    outputChannel,
    ...fileWatchers,
    vscode.commands.registerCommand("plancheck.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      switch (actionForChange((section) => event.affectsConfiguration(section))) {
        case "restart":
          void restart();
          break;
        case "notify":
          // Pull model: the server asks for the sections it needs again. Queued behind a
          // start in progress, which would otherwise drop it.
          void enqueue(notifyConfigurationChange);
          break;
        case "none":
          break;
      }
    }),
  );
  return enqueue(startClient);
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}
