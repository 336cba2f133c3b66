/** Opens a client on a fresh in-memory IndexedDB and a fake server, the loop not started. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { SyncClient } from '../../src/client.js';
import type { SyncClientOptions } from '../../src/options.js';
import { FakeServer } from './fake-server.js';

export async function openClient(options: Partial<SyncClientOptions> = {}, server = new FakeServer(), factory = new IDBFactory()) {
  const client = await SyncClient.open({
    serverUrl: 'http://fake.test',
    fetch: server.fetch,
    indexedDB: factory,
    liveEvents: false,
    autoStart: false,
    documentTransport: 'rest',
    random: () => 0.5,
    ...options,
  });
  return { client, server, factory };
}

export async function signedIn(options: Partial<SyncClientOptions> = {}, server = new FakeServer(), factory = new IDBFactory()) {
  const opened = await openClient(options, server, factory);
  await opened.client.signup('sarah@example.com', 'correct horse battery', 'Sarah');
  return opened;
}

/** Opens the client's user database (as the SDK names it) on `factory`, runs `read` on it and closes it. */
export async function withUserDb<T>(factory: IDBFactory, userId: string, read: (db: import('idb').IDBPDatabase) => Promise<T>): Promise<T> {
  const { openDB } = await import('idb');
  const g = globalThis as { indexedDB?: IDBFactory };
  const previous = g.indexedDB;
  g.indexedDB = factory;
  const p = openDB(`framelord-sync:default:${userId}`);
  g.indexedDB = previous;
  const db = await p;
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

/** The raw rows of a store in the client's user database. */
export function rawRows(factory: IDBFactory, userId: string, store: string): Promise<unknown[]> {
  return withUserDb(factory, userId, (db) => db.getAll(store));
}

/** One row of the client's meta store, by key. */
export function metaValue(factory: IDBFactory, userId: string, key: string): Promise<unknown> {
  return withUserDb(factory, userId, (db) => db.get('meta', key));
}

/** Web Locks as browsers grant them: asynchronously, one holder per name, the next waiter on release. */
export function installFakeLocks() {
  const held = new Map<string, (() => void)[]>();
  const locks = {
    request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T> {
      return new Promise((resolve, reject) => {
        const grant = () => {
          setTimeout(() => {
            // resolves with the callback's value (or its error), as Web Locks do
            const release = () => {
              const queue = held.get(name)!;
              queue.shift();
              if (queue.length > 0) queue[0]!();
              else held.delete(name);
            };
            callback().then((value) => {
              release();
              resolve(value);
            }, (e: unknown) => {
              release();
              reject(e);
            });
          }, 50); // granted later than a page usually asks for a sync
        };
        options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        const queue = held.get(name);
        if (queue === undefined) {
          held.set(name, [grant]);
          grant();
        } else {
          queue.push(grant);
        }
      });
    },
  };
  Object.defineProperty(globalThis, 'navigator', { value: { locks, onLine: true }, configurable: true });
  return () => Reflect.deleteProperty(globalThis, 'navigator');
}
