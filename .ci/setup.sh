#!/usr/bin/env bash
# Sets up plancheck and everything its tests need on a fresh Debian 12 machine.
# Idempotent and quick when nothing changed.
#
#   .ci/setup.sh          everything: venv with test extras, Debian packages
#                         (registry, skopeo, buildah, neovim, busybox), npm trees
#   .ci/setup.sh --main   only what the main job needs: the venv with plancheck
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
[ "${1:-}" = "--main" ] && mode=main

log() { printf '[setup] %s\n' "$*" >&2; }

# -- Python -------------------------------------------------------------------
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
	log "creating .venv"
	"$python" -m venv .venv
fi
extras=""
[ "$mode" = full ] && extras="[test,speed]"
stamp=".venv/.plancheck-installed-$(sha256sum pyproject.toml | cut -c1-16)-${mode}"
if [ ! -f "$stamp" ]; then
	log "installing plancheck${extras} into .venv"
	.venv/bin/python -m pip install -q --upgrade pip
	.venv/bin/python -m pip install -q -e ".${extras}"
	rm -f .venv/.plancheck-installed-*
	touch "$stamp"
fi
# The environment may forbid writing bytecode on import; compile once so that
# start-up does not recompile the sources on every run.
.venv/bin/python -m compileall -q grammar checker lsp runner >/dev/null

[ "$mode" = main ] && exit 0

# -- Debian packages ------------------------------------------------------------
apt_pkgs=(docker-registry skopeo buildah neovim busybox-static git)
missing=()
for p in "${apt_pkgs[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# -- busybox for arm64 (the runner's two-platform end-to-end test) ---------------
# Fetched from Debian's mirror into .ci/cache (no dpkg architecture change).
.venv/bin/python tests/support/images.py fetch-busybox arm64 >/dev/null 2>&1 || log "arm64 busybox unavailable; its test will skip"

# -- npm trees (reference CUE oracle, VS Code extension) ------------------------
for dir in tests/oracle editors/vscode; do
	if [ -f "$dir/package-lock.json" ]; then
		lock_stamp="$dir/node_modules/.plancheck-$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
		if [ ! -f "$lock_stamp" ]; then
			log "npm ci in $dir"
			(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
			touch "$lock_stamp"
		fi
	fi
done
log "ready"
