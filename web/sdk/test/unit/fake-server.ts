/**
 * An in-memory stand-in for the server's wire contract (DESIGN 3), as a fetch function: enough of
 * auth, push (idempotent by change id, version = max(stored + 1, pushed)), pull (cursor, pages,
 * remaining) and refusals on demand to test the client's loop without a network.
 */
type Json = Record<string, unknown>;

interface Row {
  type: string;
  id: string;
  data: Json;
  version: number;
  seq: number;
  archived: boolean;
  device: string;
  updated_at: string;
}

export interface Refusal {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Throw a network error instead of answering. */
  network?: boolean;
}

export class FakeServer {
  rows = new Map<string, Row>();
  seq = 0;
  validTokens = new Set<string>(['tok1']);
  tokenCount = 1;
  requests: { path: string; body: Json | null; auth: string | null }[] = [];
  /** Refresh tokens (DESIGN 3.1): bound to a device, spent once; a spent one presented again revokes the device. */
  refreshTokens = new Map<string, { device: string; state: 'live' | 'spent' | 'revoked' }>();
  refreshSeq = 0;
  /** Called as each request arrives, before it is answered. */
  onRequest: ((path: string, body: Json | null) => void) | null = null;
  refusals = new Map<string, Refusal[]>();
  applied = new Map<string, Json>();
  pullRemaining = true;
  /** Answer `remaining: 0` on every page, as a server that does not count yet. */
  fillRemainingWithZero = false;
  /** Change ids applied but left out of their push answer (once each), as an answer cut short. */
  dropFromNextAnswers = new Set<string>();

  /** The next request to `path` gets this answer instead. */
  refuse(path: string, refusal: Refusal): void {
    const list = this.refusals.get(path) ?? [];
    list.push(refusal);
    this.refusals.set(path, list);
  }

  /** Lets `skip` requests to `path` through, then refuses the next one. */
  refuseAfter(path: string, skip: number, refusal: Refusal): void {
    this.#delayed.push({ path, skip, refusal });
  }

  #delayed: { path: string; skip: number; refusal: Refusal }[] = [];

  /** A write by another device. */
  remoteWrite(type: string, id: string, fields: Json, device = 'other'): Row {
    const key = `${type}/${id}`;
    const existing = this.rows.get(key);
    const version = (existing?.version ?? 0) + 1;
    const data: Json = { ...(existing?.data ?? { id, created_at: '2025-01-01T00:00:00.000Z' }), ...fields, sync_version: version, updated_at: new Date(1_700_000_000_000 + this.seq * 1000).toISOString() };
    const row: Row = { type, id, data, version, seq: ++this.seq, archived: data['is_archived'] === true, device, updated_at: data['updated_at'] as string };
    this.rows.set(key, row);
    return row;
  }

  pushes(): Json[] {
    return this.requests.filter((r) => r.path === '/sync/push').map((r) => r.body!);
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const path = url.pathname.replace('/api/v1', '');
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Json) : null;
    const auth = new Headers(init?.headers).get('Authorization');
    this.requests.push({ path, body, auth });
    this.onRequest?.(path, body);
    let refusal = this.refusals.get(path)?.shift();
    const delayed = this.#delayed.find((d) => d.path === path);
    if (refusal === undefined && delayed !== undefined) {
      if (delayed.skip-- === 0) {
        refusal = delayed.refusal;
        this.#delayed.splice(this.#delayed.indexOf(delayed), 1);
      }
    }
    if (refusal !== undefined) {
      if (refusal.network) throw new TypeError('fetch failed');
      return json(refusal.status, refusal.body ?? { error: { code: `HTTP_${refusal.status}`, message: 'refused' } }, refusal.headers);
    }
    if (path === '/auth/signup' || path === '/auth/login') {
      const refresh = this.#issueRefresh(String(body?.['device_id'] ?? 'unknown'));
      return json(path === '/auth/signup' ? 201 : 200, { user_id: 'u1', contact_zero_id: 'cz1', access_token: 'tok1', refresh_token: refresh, token_type: 'Bearer', expires_in: 3600 });
    }
    if (path === '/auth/refresh') {
      const presented = this.refreshTokens.get(String(body?.['refresh_token']));
      if (presented === undefined || presented.state !== 'live') {
        if (presented?.state === 'spent') {
          for (const t of this.refreshTokens.values()) if (t.device === presented.device) t.state = 'revoked';
        }
        return json(401, { error: { code: 'UNAUTHORIZED', message: 'refresh refused' } });
      }
      presented.state = 'spent';
      const token = `tok${++this.tokenCount}`;
      this.validTokens.add(token);
      return json(200, { user_id: 'u1', contact_zero_id: 'cz1', access_token: token, refresh_token: this.#issueRefresh(presented.device), expires_in: 3600 });
    }
    if (path === '/sync/conflicts' && auth !== null && this.validTokens.has(auth.replace('Bearer ', ''))) {
      return json(200, { conflicts: [], cursor: null, has_more: false });
    }
    if (auth === null || !this.validTokens.has(auth.replace('Bearer ', ''))) {
      return json(401, { error: { code: 'UNAUTHORIZED', message: 'no' } });
    }
    if (path === '/sync/push') return json(200, this.#push(body!));
    if (path === '/sync/pull') return json(200, this.#pull(body!));
    return json(404, { error: { code: 'NOT_FOUND', message: path } });
  };

  #issueRefresh(device: string): string {
    const token = `r${++this.refreshSeq}`;
    this.refreshTokens.set(token, { device, state: 'live' });
    return token;
  }

  /** Someone else (a thief, say) spends a refresh token of the device. */
  spendRefreshToken(token: string): void {
    const t = this.refreshTokens.get(token);
    if (t !== undefined && t.state === 'live') t.state = 'spent';
  }

  #push(body: Json): Json {
    const successful: Json[] = [];
    const failed: Json[] = [];
    for (const c of body['changes'] as Json[]) {
      const key = `${String(body['device_id'])}/${String(c['change_id'])}`;
      const replay = this.applied.get(key);
      if (replay !== undefined) {
        successful.push(replay);
        continue;
      }
      if (c['entity_type'] === 'contact' && c['entity_id'] === 'cz1') {
        failed.push({ change_id: c['change_id'], entity_type: c['entity_type'], entity_id: c['entity_id'], error: { code: 'CONTACT_ZERO_NOT_SYNCABLE', message: 'no' } });
        continue;
      }
      if ((c['data'] as Json | undefined)?.['poison'] === true) {
        failed.push({ change_id: c['change_id'], entity_type: c['entity_type'], entity_id: c['entity_id'], error: { code: 'VALIDATION_FAILED', message: 'poisoned' } });
        continue;
      }
      const rowKey = `${String(c['entity_type'])}/${String(c['entity_id'])}`;
      const existing = this.rows.get(rowKey);
      const version = Math.max((existing?.version ?? 0) + 1, c['sync_version'] as number);
      const fields: Json = c['operation'] === 'delete' ? { is_archived: true } : { ...(c['data'] as Json) };
      const data: Json = { ...(existing?.data ?? { is_archived: false }), ...fields, id: c['entity_id'], sync_version: version, updated_at: c['client_timestamp'] };
      data['created_at'] ??= c['client_timestamp'];
      this.rows.set(rowKey, { type: c['entity_type'] as string, id: c['entity_id'] as string, data, version, seq: ++this.seq, archived: data['is_archived'] === true, device: body['device_id'] as string, updated_at: c['client_timestamp'] as string });
      const ok = { change_id: c['change_id'], entity_type: c['entity_type'], entity_id: c['entity_id'], sync_version: version };
      this.applied.set(key, ok);
      if (this.dropFromNextAnswers.delete(String(c['change_id']))) continue;
      successful.push(ok);
    }
    return { successful, failed, conflicts: [] };
  }

  #pull(body: Json): Json {
    const after = typeof body['cursor'] === 'string' ? Number(body['cursor']) : 0;
    const limit = Math.min((body['limit'] as number | undefined) ?? 500, 1000);
    const rows = [...this.rows.values()].filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq);
    const page = rows.slice(0, limit);
    const cursor = page.length > 0 ? String(page[page.length - 1]!.seq) : String(after);
    const answer: Json = {
      changes: page.map((r) => ({ entity_type: r.type, entity_id: r.id, operation: r.archived ? 'delete' : 'update', data: r.data, sync_version: r.version, updated_at: r.updated_at, is_archived: r.archived, modified_by_device: r.device })),
      cursor,
      has_more: rows.length > limit,
      sync_timestamp: new Date(0).toISOString(),
    };
    if (this.pullRemaining) answer['remaining'] = this.fillRemainingWithZero ? 0 : Math.max(0, rows.length - page.length);
    return answer;
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
