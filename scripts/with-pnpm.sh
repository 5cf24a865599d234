#!/bin/sh
# Runs `pnpm install --frozen-lockfile` and then `pnpm "$@"` with the pinned pnpm,
# installing it first when this machine has only Node and npm.
set -eu
PNPM_VERSION=12.4.2
cd "$(dirname "$0")/.."
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  if ! npm i -g --allow-scripts=pnpm "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    echo "note: could not install pnpm globally; using npx pnpm@$PNPM_VERSION" >&2
    pnpm() { npx -y "pnpm@$PNPM_VERSION" "$@"; }
  fi
fi
# better-sqlite3 compiles from source here (no prebuilt download): point node-gyp at the
# Node headers npm is configured with, so it needs no network.
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  if [ -n "$nodedir" ] && [ "$nodedir" != "undefined" ]; then export npm_config_nodedir="$nodedir"; fi
fi
pnpm install --frozen-lockfile --reporter=silent
pnpm "$@"
