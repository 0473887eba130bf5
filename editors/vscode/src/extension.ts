// Starts `plancheck-lsp` for CUE files. Everything that can be decided without VS Code
// lives in settings.ts; this file only wires settings, commands and the language client.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import {
  SECTION,
  actionForChange,
  configurationFor,
  initializationOptions,
  readSettings,
  serverCommand,
  type PlancheckSettings,
} from "./settings";

const CLIENT_ID = "plancheck";
const CLIENT_NAME = "plancheck";

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;
// Restarts are chained so that a command and a settings change arriving together never
// leave two servers running.
let lifecycle: Promise<void> = Promise.resolve();

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
  const serverOptions: ServerOptions = {
    command,
    args,
    transport: TransportKind.stdio,
    options: cwd === undefined ? {} : { cwd },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "cue" },
      { scheme: "untitled", language: "cue" },
    ],
    outputChannel,
    initializationOptions: () => initializationOptions(currentSettings()),
    synchronize: {
      // The server reads its configuration files and the module layout from disk.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/*.cue"),
        vscode.workspace.createFileSystemWatcher("**/cue.mod/module.cue"),
        vscode.workspace.createFileSystemWatcher("**/{.plancheck.toml,pyproject.toml}"),
        vscode.workspace.createFileSystemWatcher("**/.dagger/env/*/values.yaml"),
      ],
    },
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
  const next = createClient(settings);
  client = next;
  try {
    await next.start();
  } catch (error) {
    const { command } = serverCommand(settings, firstWorkspaceFolder());
    const message = error instanceof Error ? error.message : String(error);
    outputChannel?.error(`could not start ${command}: ${message}`);
    const openSettings = "Open Settings";
    void vscode.window
      .showErrorMessage(
        `plancheck: could not start the language server \`${command}\` (${message}). ` +
          "Install plancheck (`pip install 'plancheck[lsp]'`) or set plancheck.server.path.",
        openSettings,
      )
      .then((choice) => {
        if (choice === openSettings) {
          void vscode.commands.executeCommand("workbench.action.openSettings", "plancheck.server");
        }
      });
  }
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

function restart(): Promise<void> {
  lifecycle = lifecycle.then(stopClient).then(startClient);
  return lifecycle;
}

export function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("plancheck", { log: true });
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand("plancheck.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      switch (actionForChange((section) => event.affectsConfiguration(section))) {
        case "restart":
          void restart();
          break;
        case "notify":
          // Pull model: the server asks for the sections it needs again.
          if (client?.isRunning()) {
            void client.sendNotification(DidChangeConfigurationNotification.type, {
              settings: null,
            });
          }
          break;
        case "none":
          break;
      }
    }),
  );
  lifecycle = lifecycle.then(startClient);
  return lifecycle;
}

export function deactivate(): Promise<void> {
  lifecycle = lifecycle.then(stopClient);
  return lifecycle;
}
