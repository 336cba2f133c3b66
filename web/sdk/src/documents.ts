/**
 * Note bodies (DESIGN 6): one `Y.Doc` per note, persisted by y-indexeddb, shared between tabs over a
 * BroadcastChannel, and synced with the server by the REST delta sync of DESIGN 3.5 (only what the
 * server lacks: `encodeStateAsUpdate(doc, lastServerStateVector)`, and only when the device has edits
 * the server lacks) or live over the y-websocket endpoint of DESIGN 3.8 when the server has it.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import type { Auth } from './auth.js';
import type { DocumentInfo, SyncDb } from './db.js';
import { SyncError } from './errors.js';
import { Store } from './status.js';
import type { HttpTransport } from './transport.js';
import type { DocumentStatus, NoteDocument, NoteDocuments } from './api.js';

/** The origin of every change the SDK applies from the server or another tab (not the user's own edits). */
export const REMOTE_ORIGIN: { readonly name: string } = Object.freeze({ name: 'framelord-sync:remote' });

/**
 * Fills an empty document with BlockSuite's minimal page (DESIGN 6): `affine:page` (title in
 * `prop:title`) holding an `affine:note` holding one `affine:paragraph` (text in `prop:text`).
 * Returns the paragraph's Y.Text.
 */
export function createNoteBody(doc: Y.Doc, title = '', text = '', ids: { page: string; note: string; paragraph: string } = { page: 'page', note: 'note', paragraph: 'paragraph' }): Y.Text {
  const blocks = doc.getMap<Y.Map<unknown>>('blocks');
  const paragraphText = new Y.Text(text);
  doc.transact(() => {
    const page = new Y.Map<unknown>();
    page.set('sys:id', ids.page);
    page.set('sys:flavour', 'affine:page');
    page.set('sys:children', Y.Array.from([ids.note]));
    page.set('prop:title', new Y.Text(title));
    const note = new Y.Map<unknown>();
    note.set('sys:id', ids.note);
    note.set('sys:flavour', 'affine:note');
    note.set('sys:children', Y.Array.from([ids.paragraph]));
    const paragraph = new Y.Map<unknown>();
    paragraph.set('sys:id', ids.paragraph);
    paragraph.set('sys:flavour', 'affine:paragraph');
    paragraph.set('sys:children', new Y.Array<string>());
    paragraph.set('prop:type', 'text');
    paragraph.set('prop:text', paragraphText);
    blocks.set(ids.page, page);
    blocks.set(ids.note, note);
    blocks.set(ids.paragraph, paragraph);
  });
  return paragraphText;
}

export interface DocumentOptions {
  mode: 'auto' | 'rest' | 'socket';
  /** e.g. ws://host/api/v1/yjs */
  socketUrl: string;
  /** Prefix of the per-note y-indexeddb database names and channels. */
  prefix: string;
  online: () => boolean;
  /** Waits after a local edit before a REST sync. */
  restDebounceMs: number;
}

const BC_ORIGIN = Object.freeze({ name: 'framelord-sync:tab' });

export class DocumentManager implements NoteDocuments {
  readonly #db: SyncDb;
  readonly #transport: HttpTransport;
  readonly #auth: Auth;
  readonly #options: DocumentOptions;
  readonly #open = new Map<string, OpenNote>();
  /** A socket failed to open: REST from then on (DESIGN 3.8 may not be deployed). */
  #socketUnavailable = false;

  constructor(db: SyncDb, transport: HttpTransport, auth: Auth, options: DocumentOptions) {
    this.#db = db;
    this.#transport = transport;
    this.#auth = auth;
    this.#options = options;
  }

  async open(noteId: string): Promise<NoteDocument> {
    let note = this.#open.get(noteId);
    if (note === undefined) {
      note = new OpenNote(noteId, this, this.#options);
      this.#open.set(noteId, note);
    }
    note.refs++;
    const online = this.#options.online();
    // Until start() has connected (or fallen back to REST), a doc event is the socket's to bring.
    if (online) note.starting = true;
    await note.whenLoaded;
    if (online) void note.start();
    return note.handle();
  }

  async getState(noteId: string): Promise<Uint8Array> {
    const open = this.#open.get(noteId);
    if (open !== undefined) {
      await open.whenLoaded;
      return Y.encodeStateAsUpdate(open.doc);
    }
    return this.#withDoc(noteId, (doc) => Y.encodeStateAsUpdate(doc));
  }

  /** Syncs every body with local edits the server lacks (the loop's documents phase). */
  async syncDirty(): Promise<void> {
    const infos = await this.#db.getAll('documents');
    for (const info of infos.sort((a, b) => (a.note_id < b.note_id ? -1 : 1))) {
      if (!info.dirty || info.error !== null) continue;
      const open = this.#open.get(info.note_id);
      if (open?.onSocket === true) continue; // its socket carries the edits (or fails over to REST itself)
      if (open !== undefined) await open.syncRest();
      else await this.#withDoc(info.note_id, (doc) => this.syncDoc(info.note_id, doc));
    }
  }

  /** A live `doc` event: an open body that is behind syncs now. */
  async onDocEvent(noteId: string, syncVersion: number): Promise<void> {
    const open = this.#open.get(noteId);
    if (open === undefined || open.onSocket) return; // the socket brings it (or fails over to REST itself)
    const info = await this.#db.get('documents', noteId);
    if (info === undefined || syncVersion > info.sync_version) await open.syncRest().catch(() => undefined);
  }

  /** Every open body syncs (the browser came back online). */
  resume(): void {
    for (const note of this.#open.values()) void note.start();
  }

  closeAll(): void {
    for (const note of this.#open.values()) note.destroy();
    this.#open.clear();
  }

  /** @internal */
  release(note: OpenNote): void {
    if (--note.refs > 0) return;
    note.destroy();
    this.#open.delete(note.noteId);
  }

  /** @internal: a local edit happened on the body (or what the server holds is unknown); returns the new edit count. */
  async markDirty(noteId: string): Promise<number> {
    let seq = 0;
    await this.#update(noteId, (info) => {
      info.dirty = true;
      seq = ++info.local_seq;
      info.error = null;
    });
    return seq;
  }

  /** @internal: the socket handed every edit up to `seq` to the server; clean unless edited since. */
  async markSent(noteId: string, seq: number): Promise<boolean> {
    let clean = false;
    await this.#update(noteId, (info) => {
      if (info.local_seq === seq) info.dirty = false;
      clean = !info.dirty;
    });
    return clean;
  }

  /** @internal */
  get socketUnavailable(): boolean {
    return this.#socketUnavailable;
  }

  /** @internal */
  set socketUnavailable(value: boolean) {
    this.#socketUnavailable = value;
  }

  /** @internal */
  get auth(): Auth {
    return this.#auth;
  }

  /** @internal */
  info(noteId: string): Promise<DocumentInfo | undefined> {
    return this.#db.get('documents', noteId);
  }

  /**
   * One REST sync of a body (DESIGN 3.5). Sends the delta against the server's last state vector
   * only when the device has edits the server lacks; a 400 INVALID_YJS_UPDATE is answered with the
   * full state, once; an answer whose state vector lacks what the device has makes it send that at once.
   */
  async syncDoc(noteId: string, doc: Y.Doc): Promise<void> {
    let fullState = false;
    for (let round = 0; round < 3; round++) {
      const info = (await this.#db.get('documents', noteId)) ?? emptyInfo(noteId);
      const seq = info.local_seq;
      const hasContent = Y.encodeStateVector(doc).length > 1;
      const send = (info.dirty || (info.server_state_vector === null && hasContent)) && hasContent;
      const body: { yjs_updates?: string; state_vector?: string } = { state_vector: toBase64(Y.encodeStateVector(doc)) };
      if (send) {
        const update = fullState || info.server_state_vector === null ? Y.encodeStateAsUpdate(doc) : Y.encodeStateAsUpdate(doc, info.server_state_vector);
        body.yjs_updates = toBase64(update);
      }
      let answer;
      try {
        answer = await this.#auth.authorized((token) => this.#transport.noteSync(token, noteId, body));
      } catch (e) {
        if (e instanceof SyncError && e.code === 'INVALID_YJS_UPDATE' && !fullState) {
          fullState = true;
          continue;
        }
        if (e instanceof SyncError && !e.isTransient && e.status !== 0 && e.status !== 401) {
          await this.#update(noteId, (i) => {
            i.error = { code: e.code, message: e.message };
          });
        }
        throw e;
      }
      Y.applyUpdate(doc, fromBase64(answer.updates), REMOTE_ORIGIN);
      const serverVector = fromBase64(answer.new_state_vector);
      const lacking = serverLacks(doc, serverVector);
      await this.#update(noteId, (i) => {
        i.server_state_vector = serverVector;
        i.sync_version = answer.sync_version;
        i.last_synced_at = Date.now();
        i.error = null;
        if (i.local_seq === seq && !lacking) i.dirty = false;
        if (lacking) i.dirty = true;
      });
      if (!lacking) return;
    }
  }

  async #update(noteId: string, change: (info: DocumentInfo) => void): Promise<void> {
    const tx = this.#db.transaction('documents', 'readwrite');
    const info = (await tx.store.get(noteId)) ?? emptyInfo(noteId);
    change(info);
    await tx.store.put(info);
    await tx.done;
  }

  async #withDoc<T>(noteId: string, use: (doc: Y.Doc) => T | Promise<T>): Promise<T> {
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(`${this.#options.prefix}:note:${noteId}`, doc);
    try {
      await persistence.whenSynced;
      return await use(doc);
    } finally {
      await persistence.destroy();
      doc.destroy();
    }
  }

  /** @internal */
  get transport(): HttpTransport {
    return this.#transport;
  }
}

/** One body open in this tab, shared by every handle the app holds on it. */
class OpenNote {
  readonly noteId: string;
  readonly doc = new Y.Doc();
  readonly awareness: Awareness;
  readonly status = new Store<DocumentStatus>({ connection: 'offline', synced: false, syncVersion: 0, error: null });
  readonly whenLoaded: Promise<void>;
  refs = 0;
  connection: DocumentStatus['connection'] = 'offline';
  /** Set by the open that will call {@link start}, cleared when start has connected or synced by REST. */
  starting = false;
  readonly #manager: DocumentManager;
  readonly #options: DocumentOptions;
  readonly #persistence: IndexeddbPersistence;
  readonly #channel: BroadcastChannel | null;
  #provider: WebsocketProvider | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #syncing: Promise<void> | null = null;
  #again = false;
  #destroyed = false;
  /** The newest local edit count handed to the socket and not yet confirmed clean. */
  #socketSeq: number | null = null;
  #confirmTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(noteId: string, manager: DocumentManager, options: DocumentOptions) {
    this.noteId = noteId;
    this.#manager = manager;
    this.#options = options;
    this.awareness = new Awareness(this.doc);
    this.#persistence = new IndexeddbPersistence(`${options.prefix}:note:${noteId}`, this.doc);
    this.whenLoaded = this.#persistence.whenSynced.then(() => undefined);
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`${options.prefix}:doc:${noteId}`) : null;
    if (this.#channel !== null) {
      this.#channel.onmessage = (e: MessageEvent) => {
        if (e.data instanceof Uint8Array) Y.applyUpdate(this.doc, e.data, BC_ORIGIN);
      };
    }
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== BC_ORIGIN) this.#channel?.postMessage(update);
      const local = origin !== REMOTE_ORIGIN && origin !== BC_ORIGIN && origin !== this.#persistence && origin !== this.#provider;
      if (local) {
        void this.#manager.markDirty(this.noteId).then((seq) => this.#afterLocalEdit(seq));
        this.#setStatus({ synced: false });
      }
    });
  }

  handle(): NoteDocument {
    let closed = false;
    return {
      noteId: this.noteId,
      doc: this.doc,
      awareness: this.awareness,
      status: this.status,
      whenLoaded: this.whenLoaded,
      sync: () => this.syncRest(),
      close: () => {
        if (closed) return;
        closed = true;
        this.#manager.release(this);
      },
    };
  }

  /** Connects: the socket when the server has it (and the mode allows), else a REST sync. */
  async start(): Promise<void> {
    try {
      if (this.#destroyed) return;
      const mode = this.#options.mode;
      if (this.#provider === null && (mode === 'socket' || (mode === 'auto' && !this.#manager.socketUnavailable))) {
        if (await this.#connectSocket()) return;
      }
      await this.syncRest().catch(() => undefined);
    } finally {
      this.starting = false;
    }
  }

  async #connectSocket(): Promise<boolean> {
    const session = await this.#manager.auth.session();
    if (session === undefined || this.#destroyed) return false;
    const provider = new WebsocketProvider(this.#options.socketUrl, this.noteId, this.doc, {
      params: { token: session.accessToken },
      awareness: this.awareness,
      disableBc: true,
      maxBackoffTime: 32000,
    });
    this.#provider = provider;
    let everConnected = false;
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      provider.on('sync', (synced: boolean) => {
        if (!synced) return;
        everConnected = true;
        clearTimeout(timer);
        resolve(true);
      });
      provider.on('connection-close', (event: CloseEvent | null) => {
        if (!everConnected && this.#options.mode === 'auto') {
          clearTimeout(timer);
          resolve(false);
        }
        this.#socketSeq = null;
        if (event?.code === 4401) {
          // The token expired: refresh it and reconnect with the new one.
          void this.#manager.auth.refresh(String(provider.params['token'])).then((token) => {
            provider.params['token'] = token;
            provider.connect();
          }).catch(() => undefined);
        }
        if (everConnected && !this.#destroyed) {
          // What the socket delivered before it closed is unknown: the REST sync sends the delta
          // against the last state vector the device knows the server has (a superset at worst).
          this.connection = 'rest';
          this.#setStatus({ connection: 'rest' });
          void this.#manager.markDirty(this.noteId).then(() => this.syncRest()).catch(() => undefined);
        }
      });
      provider.on('sync', (synced: boolean) => {
        if (synced) {
          this.connection = 'socket';
          this.#setStatus({ connection: 'socket' });
          // What the socket exchanged is on the server: the REST delta starts from here.
          void this.#socketSynced();
        }
      });
    });
    if (!connected) {
      provider.destroy();
      this.#provider = null;
      if (this.#options.mode === 'auto') this.#manager.socketUnavailable = true;
      return false;
    }
    return true;
  }

  /**
   * The socket finished its handshake. Edits made while it was closed (offline, or in a REST spell)
   * go over it now, as one update against the last state vector the device knows the server has
   * (the handshake's own answer to the server's step 1 may cross the server's reply; this does not
   * depend on their order), and the body is clean once the socket has handed them over.
   */
  async #socketSynced(): Promise<void> {
    const provider = this.#provider;
    if (provider === null || this.#destroyed) return;
    const info = await this.#manager.info(this.noteId);
    if (info === undefined || !info.dirty) {
      this.#setStatus({ synced: true, error: null });
      return;
    }
    const update = info.server_state_vector === null ? Y.encodeStateAsUpdate(this.doc) : Y.encodeStateAsUpdate(this.doc, info.server_state_vector);
    const ws = provider.ws;
    if (ws === null || ws.readyState !== ws.OPEN) return;
    ws.send(syncUpdateMessage(update));
    this.#confirmSocket(info.local_seq);
  }

  /**
   * True from the open that will connect the socket until it closes: loading, connecting, or live
   * (REST would only duplicate it; a start that falls back to REST syncs by itself).
   */
  get onSocket(): boolean {
    return (this.#provider !== null || this.starting) && this.connection !== 'rest';
  }

  /** True while the socket is open and past its handshake: edits travel over it as they are made. */
  get socketLive(): boolean {
    const p = this.#provider;
    return p !== null && p.wsconnected && p.synced && this.connection === 'socket';
  }

  #afterLocalEdit(seq: number): void {
    if (this.#destroyed) return;
    if (this.socketLive) {
      this.#confirmSocket(seq);
      return;
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#options.online()) void this.syncRest().catch(() => undefined);
    }, this.#options.restDebounceMs);
  }

  /**
   * The provider sent the edits up to `seq` as they were made; y-websocket has no acknowledgement,
   * so the body counts as synced once the socket's send buffer is empty while it is still open. A
   * socket that closes first makes the next REST sync resend from the last known server state.
   */
  #confirmSocket(seq: number): void {
    this.#socketSeq = Math.max(this.#socketSeq ?? 0, seq);
    if (this.#confirmTimer !== null) return;
    const check = (): void => {
      this.#confirmTimer = null;
      const target = this.#socketSeq;
      if (this.#destroyed || target === null || !this.socketLive) return;
      if ((this.#provider?.ws?.bufferedAmount ?? 1) > 0) {
        this.#confirmTimer = setTimeout(check, 50);
        return;
      }
      void this.#manager.markSent(this.noteId, target).then((clean) => {
        if (clean && this.socketLive) this.#setStatus({ synced: true, connection: 'socket', error: null });
      });
    };
    this.#confirmTimer = setTimeout(check, 20);
  }

  /** One REST sync now (joined when one runs: then one more after it). */
  syncRest(): Promise<void> {
    if (this.#syncing !== null) {
      this.#again = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        do {
          this.#again = false;
          await this.whenLoaded;
          await this.#manager.syncDoc(this.noteId, this.doc);
          const info = await this.#manager.info(this.noteId);
          this.#setStatus({
            synced: info !== undefined && !info.dirty,
            syncVersion: info?.sync_version ?? 0,
            error: info?.error ?? null,
            connection: this.#provider !== null && this.connection === 'socket' ? 'socket' : 'rest',
          });
        } while (this.#again && !this.#destroyed);
      } catch (e) {
        const info = await this.#manager.info(this.noteId);
        this.#setStatus({ error: info?.error ?? null, connection: e instanceof SyncError && e.status === 0 ? 'offline' : this.status.get().connection });
        throw e;
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  #setStatus(change: Partial<DocumentStatus>): void {
    this.status.set({ ...this.status.get(), ...change });
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#confirmTimer !== null) clearTimeout(this.#confirmTimer);
    this.#provider?.destroy();
    this.#channel?.close();
    this.awareness.destroy();
    void this.#persistence.destroy();
    this.doc.destroy();
  }
}

/** A y-websocket message carrying one update: messageSync (0), messageYjsUpdate (2), the update's length and bytes (lib0 var-uints). */
export function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const head = [0, 2];
  let n = update.length;
  while (n > 0x7f) {
    head.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  head.push(n);
  const message = new Uint8Array(head.length + update.length);
  message.set(head);
  message.set(update, head.length);
  return message;
}

function emptyInfo(noteId: string): DocumentInfo {
  return { note_id: noteId, server_state_vector: null, sync_version: 0, dirty: false, local_seq: 0, last_synced_at: null, error: null };
}

/** True when the server's state vector lacks content this document has. */
function serverLacks(doc: Y.Doc, serverVector: Uint8Array): boolean {
  const server = Y.decodeStateVector(serverVector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if ((server.get(client) ?? 0) < clock) return true;
  }
  return false;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
