// Bundles the extension (and, with --tests, the unit tests) with esbuild.
//   node esbuild.mjs [--production] [--watch] [--tests]
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
const tests = process.argv.includes("--tests");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  // VS Code 1.91 runs its extension host on Node 20.
  target: "node20",
  // Provided by the extension host at run time.
  external: ["vscode"],
  logLevel: "warning",
};

const options = tests
  ? {
      ...common,
      entryPoints: readdirSync("test/unit")
        .filter((name) => name.endsWith(".test.ts"))
        .map((name) => `test/unit/${name}`),
      outdir: "out-test",
      sourcemap: "inline",
    }
  : {
      ...common,
      entryPoints: ["src/extension.ts"],
      outfile: "out/extension.js",
      minify: production,
      sourcemap: !production,
      sourcesContent: false,
    };

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
