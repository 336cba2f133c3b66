using System.Collections;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The log scope of an authenticated request: <c>UserId</c> (the token's <c>sub</c>) and <c>DeviceId</c>
/// (the token's device, or the one the request names once the engine has read it). Ids only: a scope
/// never carries a password, a token or entity content. Providers that include scopes (the JSON
/// console's <c>IncludeScopes</c>, OpenTelemetry's log exporter) write these as fields of every line.
/// </summary>
internal sealed class RequestLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly AsyncLocal<RequestLogScope?> CurrentScope = new();

    public RequestLogScope(string userId, string? deviceId)
    {
        UserId = userId;
        DeviceId = deviceId;
    }

    /// <summary>The scope of the request running on this flow, if it is an authenticated one.</summary>
    public static RequestLogScope? Current => CurrentScope.Value;

    public string UserId { get; }

    public string? DeviceId { get; private set; }

    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("UserId", UserId),
        1 => new("DeviceId", DeviceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Fills in the device a request names in its body when its token named none.</summary>
    public void NoteDevice(string deviceId) => DeviceId ??= deviceId;

    /// <summary>Makes this the current scope for the rest of the flow; disposing restores the previous one.</summary>
    internal IDisposable Enter()
    {
        var previous = CurrentScope.Value;
        CurrentScope.Value = this;
        return new Restore(previous);
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => DeviceId is null ? $"UserId:{UserId}" : $"UserId:{UserId} DeviceId:{DeviceId}";

    private sealed class Restore(RequestLogScope? previous) : IDisposable
    {
        public void Dispose() => CurrentScope.Value = previous;
    }
}
