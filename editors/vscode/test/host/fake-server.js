// A minimal LSP server over stdio for the extension-host test: records every message it
// receives (one JSON line per message, with its pid) and answers just enough.
"use strict";
const fs = require("node:fs");

const log = process.argv[2];
const record = (event, payload) =>
  fs.appendFileSync(log, JSON.stringify({ pid: process.pid, event, payload }) + "\n");

const send = (message) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
};

let buffer = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const header = buffer.subarray(0, headerEnd).toString("ascii");
    const length = Number(/Content-Length: *(\d+)/i.exec(header)[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8"));
    buffer = buffer.subarray(headerEnd + 4 + length);
    handle(message);
  }
});
process.stdin.on("end", () => {
  record("eof", null);
  process.exit(0);
});

function handle(message) {
  if (message.method === undefined) {
    record("response", message);
    return;
  }
  record(message.method, message.method === "initialize"
    ? { ...message.params, argv: process.argv.slice(2) }
    : message.params ?? null);
  switch (message.method) {
    case "initialize":
      send({
        id: message.id,
        result: { capabilities: { textDocumentSync: 1 }, serverInfo: { name: "fake-plancheck" } },
      });
      break;
    case "initialized":
    case "workspace/didChangeConfiguration":
      send({
        id: `config-${message.method}`,
        method: "workspace/configuration",
        params: {
          items: [
            { section: "plancheck" },
            { section: "plancheck.server.args" },
            { section: "plancheck.defaultPlatform", scopeUri: "file:///project/main.cue" },
            { section: "editor.tabSize" },
          ],
        },
      });
      break;
    case "shutdown":
      send({ id: message.id, result: null });
      break;
    case "exit":
      process.exit(0);
      break;
    default:
      if (message.id !== undefined) {
        send({ id: message.id, result: null });
      }
  }
}
