"""A stand-in ``buildctl`` for tests on machines without BuildKit.

`install(folder)` writes an executable ``buildctl`` that:

* appends ``{"argv": [...], "env": {...}}`` to ``$FAKE_BUILDCTL_LOG`` (with the variables named
  in ``$FAKE_BUILDCTL_ENV_KEYS``, comma-separated);
* for ``build``: replays ``$FAKE_BUILDCTL_REPLAY`` (recorded ``--progress rawjson`` output) on
  stderr, writes a metadata file like BuildKit's image exporter (``containerimage.digest``,
  ``containerimage.descriptor``) to ``--metadata-file``, creates the ``dest`` folder of a
  ``type=local`` output with one file, and exits with ``$FAKE_BUILDCTL_EXIT`` (default 0);
* for ``debug workers``: exits 0 when ``$FAKE_BUILDCTL_DAEMON`` is ``1``, else fails like
  buildctl does when no daemon listens.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SCRIPT = r'''
import hashlib, json, os, sys

argv = sys.argv[1:]
log = os.environ.get("FAKE_BUILDCTL_LOG")
keys = [k for k in os.environ.get("FAKE_BUILDCTL_ENV_KEYS", "").split(",") if k]
if log:
    with open(log, "a") as out:
        out.write(json.dumps({"argv": argv, "env": {k: os.environ.get(k) for k in keys}}) + "\n")
if "debug" in argv and "workers" in argv:
    if os.environ.get("FAKE_BUILDCTL_DAEMON") == "1":
        print(json.dumps([{"id": "w1", "platforms": [{"os": "linux", "architecture": "amd64"}]}]))
        sys.exit(0)
    sys.stderr.write("error: failed to call info: Unavailable: connection error: dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory\n")
    sys.exit(1)
replay = os.environ.get("FAKE_BUILDCTL_REPLAY")
if replay:
    with open(replay) as recorded:
        for line in recorded:
            sys.stderr.write(line)
            sys.stderr.flush()
code = int(os.environ.get("FAKE_BUILDCTL_EXIT", "0"))
if code == 0:
    values = {argv[i]: argv[i + 1] for i in range(len(argv) - 1)}
    output = values.get("--output", "")
    fields = dict(f.split("=", 1) for f in output.split(",") if "=" in f)
    if fields.get("type") == "local":
        os.makedirs(fields["dest"], exist_ok=True)
        with open(os.path.join(fields["dest"], "export-0"), "w") as f:
            f.write(os.environ.get("FAKE_BUILDCTL_FILE", "exported"))
    if "--metadata-file" in values:
        digest = "sha256:" + hashlib.sha256(output.encode()).hexdigest()
        data = {"containerimage.digest": digest, "image.name": fields.get("name", "")}
        if fields.get("type") == "image":
            data["containerimage.descriptor"] = {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest,
                "size": 1234,
            }
        with open(values["--metadata-file"], "w") as f:
            json.dump(data, f)
sys.exit(code)
'''


def install(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "buildctl"
    path.write_text(f"#!{sys.executable}\n{_SCRIPT}")
    path.chmod(0o755)
    return path
