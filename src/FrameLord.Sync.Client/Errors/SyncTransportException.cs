using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

/// <summary>
/// A whole request failed: the server answered with an error (<see cref="StatusCode"/> and the
/// contract's <see cref="Code"/>, DESIGN 3), or it could not be reached (<see cref="StatusCode"/> null,
/// <see cref="Code"/> <see cref="NetworkErrorCode"/>).
/// </summary>
public class SyncTransportException : SyncException
{
    /// <summary>The code used when no answer came back (connection refused, reset, timed out).</summary>
    public const string NetworkErrorCode = "NETWORK_ERROR";

    public SyncTransportException() : this(null, NetworkErrorCode, "The request failed.") { }

    public SyncTransportException(string message) : this(null, NetworkErrorCode, message) { }

    public SyncTransportException(string message, Exception innerException) : this(null, NetworkErrorCode, message, innerException) { }

    public SyncTransportException(int? statusCode, string code, string message, Exception? innerException = null)
        : base(message, innerException!)
    {
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>The HTTP status, or null when no answer came back.</summary>
    public int? StatusCode { get; }

    /// <summary>The contract's error code (<see cref="ErrorCodes"/>) or <see cref="NetworkErrorCode"/>.</summary>
    public string Code { get; }

    /// <summary>How long the server asked to wait (429, 503), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>On 426 SCHEMA_MISMATCH: the version the client must move to.</summary>
    public string? RequiredVersion { get; init; }

    /// <summary>True when no answer came back: the device is offline or the server unreachable.</summary>
    public bool IsNetworkError => StatusCode is null;

    /// <summary>
    /// True when the server answered with the contract's error body (DESIGN 3). False for a network error, an
    /// answer that could not be read, and a page from something in between (a proxy's HTML error page), whose
    /// code is <c>HTTP_</c> and the status: such an answer says nothing about what the SDK sent.
    /// </summary>
    public bool IsContractAnswer =>
        StatusCode is not null && !Code.StartsWith("HTTP_", StringComparison.Ordinal) && Code != InvalidResponseCode;

    /// <summary>The code used when the answer could not be read.</summary>
    public const string InvalidResponseCode = "INVALID_RESPONSE";

    /// <summary>True on 401: the access token is missing, expired or refused.</summary>
    public bool IsUnauthorized => StatusCode == 401;

    /// <summary>Network errors, 408, 429 and 5xx are transient; other answers are not.</summary>
    public override bool IsTransient => StatusCode is null or 408 or 429 or >= 500;
}
