/**
 * The access token of the signed-in session and its refresh on 401 (DESIGN 5.2: refresh, then the
 * same request again; DESIGN 3.1: `POST /auth/refresh` with the device's refresh token answers a new
 * pair and spends the old token, and a spent token presented again revokes the device). So a refresh
 * token must be spent exactly once, whatever the number of tabs and requests that meet the 401:
 * - in a tab, every request that failed with the same token shares one refresh;
 * - across tabs, the loop's tab refreshes for all: another tab asks it over the profile's channel and
 *   takes the token it broadcasts; without an answer (no loop's tab yet) the tab refreshes itself;
 * - either way the refresh runs under a Web Lock and first rereads the session in IndexedDB: a token
 *   already replaced by another tab is taken as is, never refreshed twice.
 * The app's callback (`refreshAccessToken`) is asked only when the server refresh is refused or the
 * session holds no refresh token.
 */
import { NotSignedInError, SyncError } from './errors.js';
import type { Session, SessionDb } from './db.js';
import type { HttpTransport } from './transport.js';

export const SESSION_KEY = 'current';

/** How a tab reaches the loop's tab for a refresh (the client wires it to its channel). */
export interface RefreshRoute {
  /** True when this tab runs the loop: it refreshes for every tab. */
  isLeader(): boolean;
  /** Asks the loop's tab to replace `failed`: the new token, or null when no answer came in time. */
  ask(failed: string): Promise<string | null>;
  /** Tells every tab that `failed` was replaced by `token`. */
  announce(failed: string, token: string): void;
}

export class Auth {
  readonly #db: SessionDb;
  readonly #transport: HttpTransport;
  readonly #refreshCallback: (() => Promise<string | null>) | undefined;
  readonly #lockName: string;
  readonly #flights = new Map<string, Promise<string>>();
  /** Set while a user is signed in on this tab. */
  route: RefreshRoute | null = null;

  constructor(db: SessionDb, transport: HttpTransport, refreshCallback: (() => Promise<string | null>) | undefined, lockName: string) {
    this.#db = db;
    this.#transport = transport;
    this.#refreshCallback = refreshCallback;
    this.#lockName = lockName;
  }

  async session(): Promise<Session | undefined> {
    const value = await this.#db.get('session', SESSION_KEY);
    return typeof value === 'object' ? value : undefined;
  }

  async save(session: Session): Promise<void> {
    await this.#db.put('session', session, SESSION_KEY);
  }

  async clear(): Promise<void> {
    await this.#db.delete('session', SESSION_KEY);
  }

  /** Runs `call` with the access token; on a 401 refreshes once and runs it again with the new token. */
  async authorized<T>(call: (token: string) => Promise<T>): Promise<T> {
    const session = await this.session();
    if (session === undefined) throw new NotSignedInError();
    try {
      return await call(session.accessToken);
    } catch (e) {
      if (!(e instanceof SyncError) || e.status !== 401) throw e;
      const token = await this.refresh(session.accessToken);
      return call(token);
    }
  }

  /**
   * As {@link authorized}, with the token `held` instead of one read from the session store for every
   * call (a run of requests such as a push's batches); a refresh replaces `held.token` for the calls after.
   */
  async authorizedWith<T>(held: { token: string }, call: (token: string) => Promise<T>): Promise<T> {
    const token = held.token;
    try {
      return await call(token);
    } catch (e) {
      if (!(e instanceof SyncError) || e.status !== 401) throw e;
      const fresh = await this.refresh(token);
      if (held.token === token) held.token = fresh;
      return call(fresh);
    }
  }

  /** A fresh access token replacing `failed` (shared by every caller that met the same 401). */
  refresh(failed: string): Promise<string> {
    let flight = this.#flights.get(failed);
    if (flight === undefined) {
      flight = this.#refreshOnce(failed).finally(() => this.#flights.delete(failed));
      this.#flights.set(failed, flight);
    }
    return flight;
  }

  async #refreshOnce(failed: string): Promise<string> {
    const route = this.route;
    if (route !== null && !route.isLeader()) {
      const token = await route.ask(failed);
      if (token !== null) return token;
    }
    const token = await this.#refreshLocked(failed);
    route?.announce(failed, token);
    return token;
  }

  async #refreshLocked(failed: string): Promise<string> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    const run = async (): Promise<string> => {
      const session = await this.session();
      if (session === undefined) throw new NotSignedInError();
      if (session.accessToken !== failed) return session.accessToken; // another tab replaced it
      let token: string | null = null;
      let refreshToken = session.refreshToken;
      if (refreshToken !== null) {
        try {
          const answer = await this.#transport.refresh(refreshToken);
          token = answer.access_token;
          refreshToken = answer.refresh_token ?? null;
        } catch (e) {
          // A network error or a 5xx keeps the refresh token for the next attempt (it was not spent).
          if (e instanceof SyncError && (e.isTransient || e.status === 0)) throw e;
          refreshToken = null; // refused (spent, revoked, expired): it can never serve again
        }
      }
      if (token === null && this.#refreshCallback !== undefined) token = await this.#refreshCallback();
      if (token === null) {
        await this.save({ ...session, refreshToken: null });
        throw new NotSignedInError('The access token expired and could not be refreshed; sign in again.');
      }
      await this.save({ ...session, accessToken: token, refreshToken });
      return token;
    };
    return locks !== undefined ? locks.request(this.#lockName, {}, run) : run();
  }
}
