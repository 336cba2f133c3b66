#!/usr/bin/env bash
# Runs the live-socket load against this server (SQLite, every update stored) and against @hocuspocus/server
# 4.7.0 (in memory, and with its SQLite extension when it installed), point by point in one run, and prints one
# JSON line per target and point, after an unmeasured warm-up of each target. Usage:
#   [WARM_SECONDS=10] bash bench/live/run.sh [seconds-per-point]
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_POINT="${1:-20}"
ROOT="$(cd ../.. && pwd)"
WORK="$(mktemp -d)"
PIDS=()
# The Hocuspocus server stops listening on SIGTERM but its process lingers: follow up with SIGKILL.
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -d node_modules/@hocuspocus/server ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
dotnet build -c Release "$ROOT/src/FrameLord.Sync.Server.Host" -v quiet -nologo >/dev/null

KEY="bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"
dotnet "$ROOT/src/FrameLord.Sync.Server.Host/bin/Release/net10.0/FrameLord.Sync.Server.Host.dll" --urls http://127.0.0.1:8493 \
  --Storage:ConnectionString="Data Source=$WORK/ours.db" --Auth:SigningKey="$KEY" --Auth:PasswordHashIterations=1000 \
  --Limits:MaxSocketsPerUser=5000 --Limits:RequestsPerMinute=1000000 --Logging:LogLevel:Default=Warning >"$WORK/ours.log" 2>&1 &
OURS=$!; PIDS+=("$OURS")
node peer.mjs 8494 >"$WORK/peer-memory.log" 2>&1 &
PEER=$!; PIDS+=("$PEER")
PEER_SQLITE=""
if node -e "import('@hocuspocus/extension-sqlite').then(() => process.exit(0), () => process.exit(1))" 2>/dev/null; then
  node peer.mjs 8495 "$WORK/peer.sqlite" >"$WORK/peer-sqlite.log" 2>&1 &
  PEER_SQLITE=$!; PIDS+=("$PEER_SQLITE")
else
  echo '{"label":"hocuspocus-sqlite","error":"@hocuspocus/extension-sqlite did not install on this Node"}'
fi
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:8493/healthz >/dev/null && break; sleep 1; done
TOKEN=$(curl -sf -XPOST http://127.0.0.1:8493/api/v1/auth/signup -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","display_name":"Bench"}' | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).access_token))")

# Warm-up, not measured: every target first serves the smallest point for WARM_SECONDS (default 10), so that what
# a fresh process does once (compiling its hot paths, the runtime's first full collection after start-up: about
# 10 s in for this server) falls outside the measured points, for every target alike.
WARM_SECONDS="${WARM_SECONDS:-10}"
if [ "$WARM_SECONDS" -gt 0 ]; then
  node load.mjs --url ws://127.0.0.1:8493/api/v1/yjs --protocol yws --token "$TOKEN" --notes 50 --clients 4 --rate 2 --seconds "$WARM_SECONDS" --label warm-up >/dev/null
  node load.mjs --url ws://127.0.0.1:8494 --protocol hocus --token x --notes 50 --clients 4 --rate 2 --seconds "$WARM_SECONDS" --label warm-up >/dev/null
  if [ -n "$PEER_SQLITE" ]; then
    node load.mjs --url ws://127.0.0.1:8495 --protocol hocus --token x --notes 50 --clients 4 --rate 2 --seconds "$WARM_SECONDS" --label warm-up >/dev/null
  fi
fi

for point in "50 4 2" "100 4 5" "200 5 5"; do
  set -- $point
  node load.mjs --url ws://127.0.0.1:8493/api/v1/yjs --protocol yws --token "$TOKEN" --notes "$1" --clients "$2" --rate "$3" --seconds "$SECONDS_PER_POINT" --pid "$OURS" --label framelord-sqlite
  node load.mjs --url ws://127.0.0.1:8494 --protocol hocus --token x --notes "$1" --clients "$2" --rate "$3" --seconds "$SECONDS_PER_POINT" --pid "$PEER" --label hocuspocus-memory
  if [ -n "$PEER_SQLITE" ]; then
    node load.mjs --url ws://127.0.0.1:8495 --protocol hocus --token x --notes "$1" --clients "$2" --rate "$3" --seconds "$SECONDS_PER_POINT" --pid "$PEER_SQLITE" --label hocuspocus-sqlite
  fi
done
echo "{\"ours_db_bytes\": $(stat -c %s "$WORK/ours.db"), \"ours_wal_bytes\": $(stat -c %s "$WORK/ours.db-wal" 2>/dev/null || echo 0)}"
