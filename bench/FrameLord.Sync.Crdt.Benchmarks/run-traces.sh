#!/usr/bin/env bash
# Runs the trace command (with --compare-yjs) on every trace of the shared editing-traces folder and on the
# synthetic trace (written by `synth`, seed 16), in the JIT build `dotnet run -c Release` gives. One JSON line
# per implementation and trace on stdout, prefixed by the trace name. Usage, from the repository root:
#   bash bench/FrameLord.Sync.Crdt.Benchmarks/run-traces.sh [TRACES_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
traces="${1:-$root/../shared/data/editing-traces}"
project="$root/bench/FrameLord.Sync.Crdt.Benchmarks"
dotnet build -c Release "$project" >/dev/null
exe="$project/bin/Release/net10.0/FrameLord.Sync.Crdt.Benchmarks"
synthetic="$project/obj/synthetic-pastes-astral.json.gz"
"$exe" synth "$synthetic" --seed 16 >&2
for file in "$traces"/*.json.gz "$synthetic"; do
  name="$(basename "$file" .json.gz)"
  "$exe" trace "$file" --client-id 1 --compare-yjs | sed "s/^/$name /"
done
