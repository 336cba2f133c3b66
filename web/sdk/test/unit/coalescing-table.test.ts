/**
 * Runs every case of the coalescing table shared with the .NET SDK (test/data/outbox-coalescing.json
 * at the repository root), so the two SDKs' outboxes can never drift.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { enqueue, type EditKind, type JsonObject, type LocalEdit, type OutboxEntry } from '../../src/coalesce.js';

const tablePath = process.env['FRAMELORD_COALESCING_TABLE'] ?? resolve(process.cwd(), '../../test/data/outbox-coalescing.json');

interface Case {
  name: string;
  entity_type: string;
  entity_id: string;
  outbox_before: JsonObject[];
  edits: (JsonObject & { local_entity?: JsonObject })[];
  outbox_after: JsonObject[];
}

const table = existsSync(tablePath) ? (JSON.parse(readFileSync(tablePath, 'utf8')) as { format_version: number; cases: Case[] }) : null;

test('the shared table is there, in a known format, with unique case names', { skip: table === null ? `no table at ${tablePath}` : false }, () => {
  assert.equal(table!.format_version, 1);
  const names = table!.cases.map((c) => c.name);
  assert.ok(names.length >= 20, `only ${names.length} cases`);
  assert.equal(new Set(names).size, names.length);
});

for (const c of table?.cases ?? []) {
  test(`coalescing: ${c.name}`, () => {
    const outbox = c.outbox_before.map((e) => toEntry(e, c));
    let lastSeq = outbox.reduce((m, e) => Math.max(m, e.seq), 0);
    for (const node of c.edits) {
      const edit: LocalEdit = {
        kind: node['kind'] as EditKind,
        data: (node['data'] as JsonObject | null | undefined) ?? null,
        sync_version: node['sync_version'] as number,
        client_timestamp: node['client_timestamp'] as unknown as string,
        base_version: node['base_version'] as number,
      };
      const result = enqueue(outbox.at(-1), edit, node.local_entity ?? {}, c.entity_type, c.entity_id, () => {
        lastSeq++;
        return { seq: lastSeq, changeId: `c${lastSeq}` };
      });
      if (result.outcome === 'inserted') outbox.push(result.entry);
      else if (result.outcome === 'updated') outbox[outbox.findIndex((e) => e.seq === result.entry.seq)] = result.entry;
      else if (result.outcome === 'removed') outbox.splice(outbox.findIndex((e) => e.seq === result.entry.seq), 1);
    }
    assert.deepEqual(
      outbox.map(strip),
      c.outbox_after.map((e) => strip(toEntry(e, c))),
    );
  });
}

function toEntry(e: JsonObject, c: Case): OutboxEntry {
  return {
    seq: e['seq'] as number,
    change_id: e['change_id'] as string,
    entity_type: c.entity_type,
    entity_id: c.entity_id,
    operation: e['operation'] as OutboxEntry['operation'],
    data: (e['data'] as JsonObject | null | undefined) ?? null,
    client_timestamp: e['client_timestamp'] as string,
    sync_version: e['sync_version'] as number,
    base_version: e['base_version'] as number,
    sent: e['sent'] as boolean,
  };
}

/** Compared as JSON values: key order does not matter. */
function strip(e: OutboxEntry): unknown {
  return JSON.parse(JSON.stringify(e, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1))) : v)));
}
