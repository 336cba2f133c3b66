/**
 * The SDK's errors: one root class with a transient hint (a retry may succeed), as the .NET SDK's
 * SyncException.
 */

/** Root of every error the SDK throws. */
export class SyncError extends Error {
  /** The server's error code (DESIGN 3), or the SDK's own (`NETWORK_ERROR`, `PROTOCOL_ERROR`, …). */
  readonly code: string;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  /** True when the same request may succeed later (network, 5xx, 429). */
  readonly isTransient: boolean;
  /** Seconds the server asked to wait (429 Retry-After), or null. */
  readonly retryAfter: number | null;

  constructor(code: string, message: string, status = 0, isTransient = false, retryAfter: number | null = null) {
    super(message);
    this.name = 'SyncError';
    this.code = code;
    this.status = status;
    this.isTransient = isTransient;
    this.retryAfter = retryAfter;
  }
}

/** 426 SCHEMA_MISMATCH: this SDK speaks a schema the server no longer supports; the outbox is kept. */
export class SchemaMismatchError extends SyncError {
  /** The schema version the server requires. */
  readonly requiredVersion: string | null;

  constructor(message: string, requiredVersion: string | null) {
    super('SCHEMA_MISMATCH', message, 426, false);
    this.name = 'SchemaMismatchError';
    this.requiredVersion = requiredVersion;
  }
}

/** The user is not signed in, or the token could not be refreshed. */
export class NotSignedInError extends SyncError {
  constructor(message = 'Not signed in.') {
    super('UNAUTHORIZED', message, 401, false);
    this.name = 'NotSignedInError';
  }
}
