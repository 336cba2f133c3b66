// The update message the SDK writes onto a y-websocket socket itself (edits made while the socket was
// closed) must be exactly what y-protocols reads as a sync update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { readSyncMessage } from 'y-protocols/sync';
import { syncUpdateMessage } from '../../src/documents.js';

for (const size of [1, 100, 5000, 70000]) {
  test(`a ${size}-character edit written as a y-websocket sync update applies on the other side`, () => {
    const source = new Y.Doc();
    source.getText('t').insert(0, 'x'.repeat(size));
    const message = syncUpdateMessage(Y.encodeStateAsUpdate(source));
    const decoder = decoding.createDecoder(message);
    assert.equal(decoding.readVarUint(decoder), 0, 'messageSync');
    const target = new Y.Doc();
    readSyncMessage(decoder, encoding.createEncoder(), target, 'test');
    assert.equal(decoding.hasContent(decoder), false, 'nothing left over');
    assert.equal(target.getText('t').toString(), 'x'.repeat(size));
  });
}
