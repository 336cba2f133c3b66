namespace FrameLord.Sync.Protocol;

/// <summary>The error codes of the wire contract (DESIGN 3), for whole requests and for single changes.</summary>
public static class ErrorCodes
{
    /// <summary>400: malformed JSON, missing or ill-typed fields, too many changes; also a per-change failure.</summary>
    public const string ValidationFailed = "VALIDATION_FAILED";
    /// <summary>401: missing, expired or badly signed token.</summary>
    public const string Unauthorized = "UNAUTHORIZED";
    /// <summary>401 on login: unknown email or wrong password.</summary>
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    /// <summary>404: unknown route or resource (including another user's).</summary>
    public const string NotFound = "NOT_FOUND";
    /// <summary>405: the route exists but not for this method.</summary>
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    /// <summary>409 on signup: the email already has an account.</summary>
    public const string EmailTaken = "EMAIL_TAKEN";
    /// <summary>410: the pull cursor is older than the tombstone retention horizon; resync from the beginning.</summary>
    public const string ResyncRequired = "RESYNC_REQUIRED";
    /// <summary>413: body, entity or Yjs update over the configured limits.</summary>
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    /// <summary>415: a body that is not JSON, or a content encoding other than gzip.</summary>
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    /// <summary>426: the request's schema_version is not supported; the body carries required_version.</summary>
    public const string SchemaMismatch = "SCHEMA_MISMATCH";
    /// <summary>429: the per-user rate limit; the response carries Retry-After.</summary>
    public const string RateLimited = "RATE_LIMITED";
    /// <summary>503: the store is unreachable or failed; nothing of the request was applied. Retry.</summary>
    public const string Unavailable = "SERVICE_UNAVAILABLE";
    /// <summary>400 on document sync: the Yjs update does not decode or depends on content the server lacks.</summary>
    public const string InvalidYjsUpdate = "INVALID_YJS_UPDATE";

    /// <summary>Per change: the entity type is not one of <see cref="EntityTypes.All"/>.</summary>
    public const string UnknownEntityType = "UNKNOWN_ENTITY_TYPE";
    /// <summary>Per change: the change targets the user's Contact Zero, which never syncs.</summary>
    public const string ContactZeroNotSyncable = "CONTACT_ZERO_NOT_SYNCABLE";
    /// <summary>Per change: the entity's JSON after the change is over the entity size limit.</summary>
    public const string EntityTooLarge = "ENTITY_TOO_LARGE";
}
