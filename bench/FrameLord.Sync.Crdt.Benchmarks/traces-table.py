"""Turns the output of run-traces.sh into the markdown table of RESULTS.md (ratios are FrameLord / yjs)."""
import json
import sys

rows = {}
order = []
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, payload = line.strip().partition(" ")
    if not payload.startswith("{"):
        continue
    data = json.loads(payload)
    if name not in rows:
        rows[name] = {}
        order.append(name)
    if "impl" in data:
        rows[name]["ours" if data["impl"].startswith("FrameLord") else "yjs"] = data
    else:
        rows[name]["identical"] = data["updates_identical"]

print("| trace | ops | apply ms (ours / yjs) | ratio | apply warm ratio | ours apply JIT ms | load ms (ours / yjs) | ratio | encode ratio | bytes | identical |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for name in order:
    r = rows[name]
    o, y = r["ours"], r["yjs"]
    print(f"| {name} | {o['ops']:,} | {o['apply_ms']:,} / {y['apply_ms']:,} | {o['apply_ms'] / y['apply_ms']:.2f} | "
          f"{o['apply_warm_ms'] / y['apply_warm_ms']:.2f} | {o.get('apply_jit_ms', '')} | {o['load_ms']} / {y['load_ms']} | "
          f"{o['load_ms'] / y['load_ms']:.2f} | {o['encode_ms'] / y['encode_ms']:.2f} | {o['update_bytes']:,} | "
          f"{'yes' if r.get('identical') else 'NO'} |")
