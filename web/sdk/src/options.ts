/** Options of {@link SyncClient.open}; every duration in milliseconds. */
export interface SyncClientOptions {
  /** The server's base URL, e.g. `https://sync.example.com` (the API is under `/api/v1`). */
  serverUrl: string;
  /**
   * Names this client's IndexedDB databases, so one browser profile can hold several apps or test
   * devices. Default `default`. The loop is elected per profile and user.
   */
  profile?: string;
  /**
   * On a 401 the SDK first refreshes by itself (`POST /auth/refresh` with the refresh token kept in
   * the session, once for every tab: the loop's tab does it) and sends the same request again. This
   * callback is asked only when that refresh is refused or the session has no refresh token: it
   * returns a fresh access token (after asking the user to sign in, say), or null to give up (syncing
   * stops with `UNAUTHORIZED` until the next login).
   */
  refreshAccessToken?: () => Promise<string | null>;
  /** Start the loop election when signed in. Default true. */
  autoStart?: boolean;
  /** Wait after the last local write before pushing. Default 2,000. */
  debounceMs?: number;
  /** Pull at least this often. Default 30,000. */
  pullIntervalMs?: number;
  /** Changes per push. Default 100. */
  pushBatchSize?: number;
  /** Changes asked per pull page. Default 500 (the server caps at 1,000). */
  pullPageSize?: number;
  /** Retry delays after a failed step, the last repeated with jitter. Default 2, 4, 8, 16, 32 s. */
  backoffMs?: number[];
  /** Spread of the repeated last delay, 0 to 1. Default 0.2 (±20 %). */
  jitter?: number;
  /** Listen to `/sync/events` for live changes. Default true. */
  liveEvents?: boolean;
  /** How open note bodies sync: the socket of DESIGN 3.8 when it answers (`auto`, default), only REST, or only the socket. */
  documentTransport?: 'auto' | 'rest' | 'socket';
  /** Sent as `client_version`. */
  clientVersion?: string;
  /** Sent as `schema_version`. Default `1`. */
  schemaVersion?: string;
  /** Injected for tests: the time source. Default `Date.now`. */
  now?: () => number;
  /** Injected for tests: the random source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Injected for tests: fetch. Default the global fetch. */
  fetch?: typeof fetch;
  /** Injected for tests: IndexedDB. Default the global indexedDB. */
  indexedDB?: IDBFactory;
}
