#!/usr/bin/env bash
# Runs every test of the solution, from a clean clone: installs what the tests need that the
# machine lacks (the PostgreSQL server packages, the pinned npm packages of the Yjs interop
# harness), starts a throwaway PostgreSQL cluster for the run (eng/with-postgres.sh), and runs
# `dotnet test` on the whole solution. Extra arguments go to `dotnet test`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${PGBIN:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing the PostgreSQL server packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "test: PostgreSQL server binaries are missing; install the postgresql package (or set PGBIN)" >&2
    exit 3
  fi
fi

if [ -f eng/yjs/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "test: npm is missing; install Node.js 20 and npm" >&2
    exit 3
  fi
  echo "test: installing the pinned npm packages of eng/yjs" >&2
  npm ci --prefix eng/yjs --no-audit --no-fund --loglevel=error >/dev/null
fi

# The web app's browser tests (test/FrameLord.Sync.Web.Tests) run inside `dotnet test`: they need the
# pinned packages of the web/ workspace and Debian's chromium before it starts.
if [ -f web/package.json ]; then
  echo "test: installing the pinned npm packages of web/ and Debian's chromium" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
  eng/install-chromium.sh
fi

dotnet build FrameLord.Sync.slnx -c Release -nologo -clp:ErrorsOnly
status=0
eng/with-postgres.sh dotnet test FrameLord.Sync.slnx -c Release --no-build -nologo "$@" || status=$?
echo "test: .NET tests exited with $status" >&2

# The web client SDK (web/sdk): its unit tests in Node, then its end-to-end tests in Debian's
# headless Chromium against the server built above. Runs even when the .NET tests failed; the
# script fails when either did.
eng/test-web.sh || { web=$?; echo "test: web SDK tests exited with $web" >&2; [ "$status" -ne 0 ] || status=$web; }
exit "$status"
