#!/bin/sh
# The browser tests drive Debian's chromium through playwright-core (never a downloaded browser).
# Installs it when missing and this user may; otherwise the browser tests say what is missing.
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "warning: $CHROMIUM not found and cannot install it (needs root + apt-get); browser tests will fail" >&2
fi
