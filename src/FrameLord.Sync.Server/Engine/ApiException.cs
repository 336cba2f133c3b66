using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// A whole-request failure with its HTTP status and contract error code (DESIGN 3). The HTTP layer
/// writes it as <c>{"error": {...}}</c>; the in-memory transport hands it to the client as is.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public ApiException() : this(500, "INTERNAL", "Internal error.") { }

    public ApiException(string message) : this(400, ErrorCodes.ValidationFailed, message) { }

    public ApiException(string message, Exception innerException) : base(message, innerException)
    {
        Status = 400;
        Code = ErrorCodes.ValidationFailed;
    }

    public int Status { get; }

    public string Code { get; }

    /// <summary>For 426: the version to move to.</summary>
    public string? RequiredVersion { get; init; }

    /// <summary>For 429 and 503: seconds before retrying.</summary>
    public int? RetryAfterSeconds { get; init; }

    public ErrorBody ToBody() => new()
    {
        Code = Code,
        Message = Message,
        RequiredVersion = RequiredVersion,
        RetryAfterSeconds = RetryAfterSeconds,
    };

    public static ApiException Validation(string message) => new(400, ErrorCodes.ValidationFailed, message);

    public static ApiException NotFound(string message) => new(404, ErrorCodes.NotFound, message);
}
