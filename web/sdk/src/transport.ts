/**
 * The wire contract over fetch (DESIGN 3). Every answer is checked before use: a version that is not
 * an exact integer below 2^53 is refused as PROTOCOL_ERROR (DESIGN 3.2), never rounded.
 */
import { SchemaMismatchError, SyncError } from './errors.js';
import { isExactVersion, type Stamp } from './json.js';
import type { JsonObject, OutboxEntry } from './coalesce.js';

export interface AuthAnswer {
  user_id: string;
  contact_zero_id: string;
  access_token: string;
  refresh_token?: string | null;
  expires_in: number;
}

export interface PushChange {
  change_id: string;
  entity_type: string;
  entity_id: string;
  operation: string;
  data?: JsonObject;
  client_timestamp: string;
  sync_version: number;
  base_version: number;
}

export interface WireConflict {
  conflict_id: string;
  change_id: string;
  entity_type: string;
  entity_id: string;
  fields: string[];
  resolution: string;
  needs_review: boolean;
  status?: string;
  winner?: JsonObject | null;
  winner_ref?: string | null;
  local?: JsonObject | null;
  remote?: JsonObject | null;
}

export interface PushAnswer {
  successful: { change_id: string; entity_type: string; entity_id: string; sync_version: number }[];
  failed: { change_id: string; entity_type: string; entity_id: string; error: { code: string; message: string } }[];
  conflicts: WireConflict[];
}

export interface PulledChange {
  entity_type: string;
  entity_id: string;
  operation: 'update' | 'delete';
  data: JsonObject;
  sync_version: number;
  updated_at: string;
  is_archived: boolean;
  modified_by_device: string;
}

export interface PullAnswer {
  changes: PulledChange[];
  cursor: string;
  has_more: boolean;
  sync_timestamp?: string;
  remaining?: number;
}

export interface ConflictPage {
  conflicts: WireConflict[];
  cursor: string | null;
  has_more: boolean;
}

export interface NoteSyncAnswer {
  updates: string;
  new_state_vector: string;
  sync_version: number;
}

/** A live event of `/sync/events` (DESIGN 3.6). */
export type LiveEvent = { type: 'changes'; cursor: string } | { type: 'doc'; noteId: string; syncVersion: number };

export class HttpTransport {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;

  constructor(serverUrl: string, fetchImpl: typeof fetch | undefined) {
    this.baseUrl = serverUrl.replace(/\/+$/, '') + '/api/v1';
    const f = fetchImpl ?? globalThis.fetch;
    this.#fetch = (input, init) => f(input, init);
  }

  signup(body: { email: string; password: string; display_name: string; device_id: string; device_name?: string }): Promise<AuthAnswer> {
    return this.#call<AuthAnswer>('POST', '/auth/signup', null, body);
  }

  login(body: { email: string; password: string; device_id: string; device_name?: string }): Promise<AuthAnswer> {
    return this.#call<AuthAnswer>('POST', '/auth/login', null, body);
  }

  refresh(refreshToken: string): Promise<AuthAnswer> {
    return this.#call<AuthAnswer>('POST', '/auth/refresh', null, { refresh_token: refreshToken });
  }

  async push(token: string, body: { device_id: string; client_version?: string; schema_version: string; sync_timestamp: string; changes: PushChange[] }): Promise<PushAnswer> {
    const answer = await this.#call<PushAnswer>('POST', '/sync/push', token, body);
    if (!Array.isArray(answer?.successful) || !Array.isArray(answer.failed)) throw protocol('push answer without successful/failed');
    answer.conflicts ??= [];
    for (const ok of answer.successful) requireVersion(ok.sync_version, 'push sync_version');
    return answer;
  }

  async pull(token: string, body: { device_id: string; schema_version: string; cursor?: string | null; limit: number }): Promise<PullAnswer> {
    const answer = await this.#call<PullAnswer>('POST', '/sync/pull', token, body);
    if (!Array.isArray(answer?.changes) || typeof answer.has_more !== 'boolean') throw protocol('pull answer without changes/has_more');
    for (const change of answer.changes) {
      requireVersion(change.sync_version, 'pull sync_version');
      if (change.data !== null && typeof change.data === 'object' && 'sync_version' in change.data) {
        requireVersion(change.data['sync_version'], 'pull data.sync_version');
      }
    }
    return answer;
  }

  conflicts(token: string, status: 'open' | 'all', cursor: string | null, limit: number): Promise<ConflictPage> {
    const query = new URLSearchParams({ status, limit: String(limit) });
    if (cursor !== null) query.set('cursor', cursor);
    return this.#call<ConflictPage>('GET', `/sync/conflicts?${query.toString()}`, token, undefined);
  }

  async resolve(token: string, conflictId: string, body: { choice: string; data?: JsonObject; device_id: string }): Promise<{ entity: JsonObject; sync_version: number }> {
    const answer = await this.#call<{ entity: JsonObject; sync_version: number }>(
      'POST', `/sync/conflicts/${encodeURIComponent(conflictId)}/resolve`, token, body);
    requireVersion(answer?.sync_version, 'resolve sync_version');
    return answer;
  }

  async noteSync(token: string, noteId: string, body: { yjs_updates?: string; state_vector?: string }): Promise<NoteSyncAnswer> {
    const answer = await this.#call<NoteSyncAnswer>('POST', `/notes/${encodeURIComponent(noteId)}/sync`, token, body);
    requireVersion(answer?.sync_version, 'note sync_version');
    return answer;
  }

  /**
   * Reads `/sync/events` with fetch (EventSource cannot send the bearer token) until the stream ends
   * or `signal` aborts; resolves when the stream ends, rejects with a SyncError on a refusal.
   */
  async events(token: string, signal: AbortSignal, onEvent: (event: LiveEvent) => void, onOpen: () => void): Promise<void> {
    let response: Response;
    try {
      response = await this.#fetch(this.baseUrl + '/sync/events', {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        signal,
        cache: 'no-store',
      });
    } catch (e) {
      throw networkError(e);
    }
    if (!response.ok || response.body === null) throw await errorOf(response);
    onOpen();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let eventName = 'message';
    let data: string[] = [];
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length > 0) dispatch(eventName, data.join('\n'), onEvent);
            eventName = 'message';
            data = [];
          } else if (line.startsWith(':')) {
            // heartbeat comment
          } else if (line.startsWith('event:')) {
            eventName = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data.push(line.slice(5).replace(/^ /, ''));
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw networkError(e);
    } finally {
      reader.releaseLock();
    }
  }

  async #call<T>(method: string, path: string, token: string | null, body: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (e) {
      throw networkError(e);
    }
    if (!response.ok) throw await errorOf(response);
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      throw networkError(e);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw protocol(`${method} ${path} answered ${response.status} with a body that is not JSON`);
    }
  }
}

function dispatch(name: string, data: string, onEvent: (event: LiveEvent) => void): void {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return;
  }
  if (name === 'changes' && typeof payload['cursor'] === 'string') {
    onEvent({ type: 'changes', cursor: payload['cursor'] });
  } else if (name === 'doc' && typeof payload['note_id'] === 'string' && isExactVersion(payload['sync_version'])) {
    onEvent({ type: 'doc', noteId: payload['note_id'], syncVersion: payload['sync_version'] });
  }
}

function requireVersion(value: unknown, what: string): void {
  if (!isExactVersion(value)) {
    throw protocol(`${what} ${String(value)} is not an integer from 0 to 2^53 - 1; refused rather than rounded`);
  }
}

function protocol(message: string): SyncError {
  return new SyncError('PROTOCOL_ERROR', message, 200, false);
}

function networkError(e: unknown): SyncError {
  return new SyncError('NETWORK_ERROR', e instanceof Error ? e.message : String(e), 0, true);
}

/** The typed error of a non-2xx answer; the body may be anything (a proxy's page, say). */
async function errorOf(response: Response): Promise<SyncError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  let extra: Record<string, unknown> = {};
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } & Record<string, unknown> };
    if (body?.error !== undefined && typeof body.error.code === 'string') {
      code = body.error.code;
      if (typeof body.error.message === 'string') message = body.error.message;
      extra = body.error;
    }
  } catch {
    // not the seed's error shape: keep the status
  }
  if (response.status === 426) {
    const required = extra['required_version'];
    return new SchemaMismatchError(message, typeof required === 'string' || typeof required === 'number' ? String(required) : null);
  }
  const retryAfterHeader = response.headers.get('Retry-After');
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  const transient = response.status >= 500 || response.status === 429 || response.status === 408;
  return new SyncError(code, message, response.status, transient, retryAfter);
}

/** The wire form of an outbox entry. */
export function toPushChange(entry: OutboxEntry): PushChange {
  const change: PushChange = {
    change_id: entry.change_id,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    operation: entry.operation,
    client_timestamp: entry.client_timestamp,
    sync_version: entry.sync_version,
    base_version: entry.base_version,
  };
  if (entry.operation !== 'delete' && entry.data !== null) change.data = entry.data;
  return change;
}

export type { Stamp };
