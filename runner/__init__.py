"""planrun: run a checked plan's pipelines and publish their images (SPEC §7, docs/planrun.md).

plan model ─► `graph` (nodes, order, scheduling) ─► `compile` (Dockerfiles, contexts, jobs)
─► `engines` (buildctl, buildah) ─► `registry` (push by digest, manifest lists) ─► summary.

Modules: `cli` (the ``planrun`` command), `graph`, `compile` (with `dockerfile` for quoting
and `patterns` for ``#Local`` filters), `contexts` (materialising contexts), `engines`,
`execute` (running a compiled plan), `publish` (tags and manifest lists), `secrets`,
`logins` (``#DockerLogin``), `process` (engine processes), `progress`, `dryrun`, `errors`.
"""
