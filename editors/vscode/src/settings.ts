// The extension's settings as plain data. Nothing here imports `vscode`, so the
// unit tests run under bare Node (test/unit/settings.test.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const SECTION = "plancheck";

export type TraceLevel = "off" | "messages" | "verbose";

export interface PlancheckSettings {
  server: { path: string; args: string[] };
  defaultPlatform: string;
  trace: { server: TraceLevel };
}

export const DEFAULTS: Readonly<PlancheckSettings> = Object.freeze({
  server: Object.freeze({ path: "plancheck-lsp", args: Object.freeze([]) as unknown as string[] }),
  defaultPlatform: "linux/amd64",
  trace: Object.freeze({ server: "off" as TraceLevel }),
});

/** Reads one setting below `plancheck.` (e.g. `server.path`); undefined when unset. */
export type SettingGetter = (key: string) => unknown;

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Reads the settings, falling back to the default for every value of the wrong type:
 * a hand-edited settings.json must never keep the server from starting.
 */
export function readSettings(get: SettingGetter): PlancheckSettings {
  const args = get("server.args");
  const trace = get("trace.server");
  return {
    server: {
      path: nonEmptyString(get("server.path")) ?? DEFAULTS.server.path,
      args: Array.isArray(args) && args.every((a) => typeof a === "string") ? [...args] : [],
    },
    defaultPlatform: nonEmptyString(get("defaultPlatform")) ?? DEFAULTS.defaultPlatform,
    trace: {
      server: trace === "messages" || trace === "verbose" ? trace : "off",
    },
  };
}

/**
 * The answer to one `workspace/configuration` item. `plancheck` gets the whole settings
 * object, `plancheck.server` or `plancheck.server.path` the part below it. Returns
 * `undefined` for sections that are not ours, so the caller can fall back to VS Code.
 */
export function configurationFor(
  section: string | null | undefined,
  settings: PlancheckSettings,
): unknown {
  if (section !== SECTION && !section?.startsWith(SECTION + ".")) {
    return undefined;
  }
  let value: unknown = settings;
  for (const part of section.split(".").slice(1)) {
    if (value === null || typeof value !== "object" || !(part in value)) {
      return null;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return JSON.parse(JSON.stringify(value));
}

/** The `initializationOptions` sent with `initialize`. */
export function initializationOptions(settings: PlancheckSettings): { defaultPlatform: string } {
  return { defaultPlatform: settings.defaultPlatform };
}

/**
 * The command line of the server. `~/` and `${workspaceFolder}` are expanded in the path
 * and the arguments, the way users write them in other extensions' settings.
 */
export function serverCommand(
  settings: PlancheckSettings,
  workspaceFolder: string | undefined,
  home: string = os.homedir(),
): { command: string; args: string[] } {
  const expand = (text: string): string => {
    let out = text;
    if (workspaceFolder !== undefined) {
      out = out.split("${workspaceFolder}").join(workspaceFolder);
    }
    if (out === "~" || out.startsWith("~/")) {
      out = path.join(home, out.slice(1));
    }
    return out;
  };
  return { command: expand(settings.server.path), args: settings.server.args.map(expand) };
}

export type ChangeAction = "restart" | "notify" | "none";

/**
 * What a settings change means for a running server: the command line and the
 * `initializationOptions` (the default platform) are fixed when the process starts, so
 * changing them needs a new process; anything else under `plancheck` is pulled again by the
 * server after a `workspace/didChangeConfiguration` notification. `trace.server` is applied
 * by the language client itself.
 */
export function actionForChange(affects: (section: string) => boolean): ChangeAction {
  if (affects(`${SECTION}.server`) || affects(`${SECTION}.defaultPlatform`)) {
    return "restart";
  }
  if (affects(SECTION)) {
    return "notify";
  }
  return "none";
}

/**
 * Where `command` would be run from: itself when it names a file (absolute, or relative to
 * `cwd` when it holds a path separator), else the first match on `PATH` (with the
 * `PATHEXT` extensions on Windows). Undefined when there is none, so the extension can
 * say so once instead of letting the spawn fail.
 */
export function resolveExecutable(
  command: string,
  env: { PATH?: string; Path?: string; PATHEXT?: string },
  cwd: string | undefined,
  platform: NodeJS.Platform = process.platform,
  isExecutable: (file: string) => boolean = defaultIsExecutable,
): string | undefined {
  const extensions =
    platform === "win32"
      ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "")]
      : [""];
  const candidates = (base: string): string[] => extensions.map((ext) => base + ext);
  const hasSeparator = command.includes("/") || (platform === "win32" && command.includes("\\"));
  if (path.isAbsolute(command) || hasSeparator) {
    const base = path.isAbsolute(command) ? command : path.resolve(cwd ?? process.cwd(), command);
    return candidates(base).find(isExecutable);
  }
  const searchPath = env.PATH ?? env.Path ?? "";
  const delimiter = platform === "win32" ? ";" : ":";
  for (const dir of searchPath.split(delimiter)) {
    if (dir === "") {
      continue;
    }
    const found = candidates(path.join(dir, command)).find(isExecutable);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function defaultIsExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
