/**
 * The access token of the signed-in session and its refresh on 401 (DESIGN 5.2: refresh, then the
 * same request again). Tabs share the session in IndexedDB; a refresh runs under a Web Lock so two
 * tabs never spend the same refresh token (a spent one revokes the device, DESIGN 3.1).
 */
import { NotSignedInError, SyncError } from './errors.js';
import type { Session, SessionDb } from './db.js';
import type { HttpTransport } from './transport.js';

export const SESSION_KEY = 'current';

export class Auth {
  readonly #db: SessionDb;
  readonly #transport: HttpTransport;
  readonly #refreshCallback: (() => Promise<string | null>) | undefined;
  readonly #lockName: string;

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

  /** A fresh access token, unless another tab already replaced `failed`. */
  async refresh(failed: string): Promise<string> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    const run = async (): Promise<string> => {
      const session = await this.session();
      if (session === undefined) throw new NotSignedInError();
      if (session.accessToken !== failed) return session.accessToken;
      let token: string | null = null;
      let refreshToken = session.refreshToken;
      if (this.#refreshCallback !== undefined) {
        token = await this.#refreshCallback();
      } else if (refreshToken !== null) {
        try {
          const answer = await this.#transport.refresh(refreshToken);
          token = answer.access_token;
          refreshToken = answer.refresh_token ?? refreshToken;
        } catch (e) {
          if (e instanceof SyncError && (e.isTransient || e.status === 0)) throw e;
          token = null;
        }
      }
      if (token === null) throw new NotSignedInError('The access token expired and could not be refreshed; sign in again.');
      await this.save({ ...session, accessToken: token, refreshToken });
      return token;
    };
    return locks !== undefined ? locks.request(this.#lockName, run) : run();
  }
}
