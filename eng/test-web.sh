#!/usr/bin/env bash
# Builds the web client SDK (web/sdk) and runs its tests: unit tests in Node (node --test), then
# the end-to-end tests in headless Chromium against the real server. Installs what it needs: the
# pinned npm packages (npm ci in web/) and Debian's chromium package (never a downloaded browser).
# Prints each runner's summary and exits non-zero when any runner failed.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/web"

if ! command -v npm >/dev/null 2>&1; then
  echo "test-web: npm is missing; install Node.js 20 and npm" >&2
  exit 3
fi
"$root/eng/install-chromium.sh" || exit $?
echo "test-web: $(chromium --version 2>/dev/null)" >&2

echo "test-web: npm ci in web/" >&2
npm ci --no-audit --no-fund --loglevel=error >/dev/null || exit 1
npm run build --workspace @framelord/sync >/dev/null || { echo "test-web: the SDK build failed" >&2; exit 1; }

status=0
summary() { grep -E '^ℹ (tests|pass|fail|cancelled|skipped) ' "$1" | tr '\n' ' '; echo; }
run() {
  local name=$1; shift
  local log
  log=$(mktemp)
  (cd sdk && "$@") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  echo "test-web: $name: $(summary "$log") (exit $rc)" >&2
  rm -f "$log"
  [ "$rc" -eq 0 ] || status=$rc
}
run "unit tests (Node)" npm test
run "end-to-end tests (Chromium)" npm run test:browser --silent
exit "$status"
